// A run of several data-parallel processes through the worker bridge: `crisp train --nproc 2`
// beside the test, followed through its run directory, shown like a run in this process.
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "ui/main_window.h"
#include "ui/training_session.h"
#include "ui/views/experiment_panel.h"
#include "ui/views/runs_view.h"

using namespace crisp;
using ui::RunPhase;

namespace {

// The tiny preset on a small demo split, a record every step. 128 / 16: 8 steps an epoch.
ExperimentConfig smallRun(int epochs) {
  ExperimentConfig config = ExperimentConfig::demo();
  config.name = "process-run";
  config.demoTrainSize = 128;
  config.demoDevSize = 32;
  config.maxLength = 32;
  config.hyper.epochs = epochs;
  config.hyper.batchSize = 16;
  config.hyper.logEvery = 1;
  config.hyper.evalEvery = 4;
  return config;
}

// No process whose command line names the run directory is left (the launcher, the ranks).
// Read from /proc: no helper process (pgrep) to start and wait for.
bool noProcessNames(const QString& run) {
  const QDir proc(QStringLiteral("/proc"));
  const QByteArray wanted = run.toUtf8();
  for (const QString& pid : proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    bool numeric = false;
    pid.toLongLong(&numeric);
    if (!numeric) continue;
    QFile cmdline(proc.filePath(pid + QStringLiteral("/cmdline")));
    if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(wanted)) return false;
  }
  return true;
}

// The phase of the `finished` signal once it came (within the limit).
RunPhase waitForFinished(QSignalSpy& finished, int seconds) {
  if (finished.isEmpty() && !finished.wait(seconds * 1000 * CRISP_TEST_TIME_SCALE)) {
    return RunPhase::Idle;
  }
  return finished.first().at(1).value<RunPhase>();
}

}  // namespace

class TestProcessSession : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    // One intra-op thread per rank: two ranks on two (shared) cores.
    qputenv("CRISP_THREADS", "1");
    ui::TrainingSession session;
    if (!QFileInfo(session.crispExecutable()).isExecutable()) {
      QFAIL(qPrintable(session.crispExecutable() + " is missing: build the crisp target"));
    }
  }

  // Steps, evaluations, progress and states arrive as from a run in this process, equal to what
  // rank 0 wrote to metrics.jsonl; the run ends Finished, records its 2 ranks, and leaves no
  // process.
  void twoRanksReportLikeOneProcess() {
    QTemporaryDir dir;
    const QString run = dir.filePath(QStringLiteral("run"));
    ui::TrainingSession session;
    QSignalSpy steps(&session, &ui::TrainingSession::stepReported);
    QSignalSpy evals(&session, &ui::TrainingSession::evaluated);
    QSignalSpy progress(&session, &ui::TrainingSession::progressed);
    QSignalSpy states(&session, &ui::TrainingSession::stateChanged);
    QSignalSpy finished(&session, &ui::TrainingSession::finished);
    QSignalSpy messages(&session, &ui::TrainingSession::message);
    QVERIFY(session.start(smallRun(1), run, 2));
    QVERIFY(session.isActive());
    QCOMPARE(session.processes(), 2);
    QCOMPARE(waitForFinished(finished, 60), RunPhase::Finished);
    for (const QList<QVariant>& m : messages) {
      QVERIFY2(!m.at(1).toBool(), qPrintable(m.at(0).toString()));
    }
    QVERIFY(!session.isActive());
    QCOMPARE(finished.first().at(0).value<ui::RunId>(), session.currentRun());

    // What was emitted is what the run directory holds.
    std::vector<nlohmann::json> train, dev;
    for (const nlohmann::json& record : RunDirectory(run.toStdString()).readMetrics()) {
      if (record.value("type", "") == "train") train.push_back(record);
      if (record.value("type", "") == "eval") dev.push_back(record);
    }
    QCOMPARE(train.size(), size_t{8});
    QCOMPARE(static_cast<size_t>(steps.count()), train.size());
    for (size_t i = 0; i < train.size(); ++i) {
      const auto point = steps.at(static_cast<int>(i)).first().value<ui::StepPoint>();
      QCOMPARE(point.run, session.currentRun());
      QCOMPARE(point.step, train[i].value("step", int64_t{-1}));
      QCOMPARE(point.loss, train[i].value("loss", -1.0));
      QCOMPARE(point.learningRate, train[i].value("learning_rate", -1.0));
      QCOMPARE(point.seconds, train[i].value("time", -1.0));
    }
    QVERIFY(dev.size() >= 2);  // at steps 4 and 8
    QCOMPARE(static_cast<size_t>(evals.count()), dev.size());
    for (size_t i = 0; i < dev.size(); ++i) {
      const auto point = evals.at(static_cast<int>(i)).first().value<ui::EvalPoint>();
      QCOMPARE(point.step, dev[i].value("step", int64_t{-1}));
      QCOMPARE(point.accuracy, dev[i].value("accuracy", -1.0));
      QCOMPARE(point.loss, dev[i].value("loss", -1.0));
      QCOMPARE(point.best, dev[i].value("best", false));
    }
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().first().value<ui::ProgressInfo>().totalSteps, qint64{8});
    QCOMPARE(progress.last().first().value<ui::ProgressInfo>().step, qint64{8});

    // (A run this short may pass "running" between two reads of state.json.)
    QCOMPARE(states.first().at(1).value<RunPhase>(), RunPhase::Preparing);
    QCOMPARE(states.last().at(1).value<RunPhase>(), RunPhase::Finished);
    const RunSummary summary = summarizeRun(run.toStdString());
    QCOMPARE(summary.state, std::string("finished"));
    QCOMPARE(summary.worldSize, 2);
    QVERIFY(noProcessNames(run));
  }

  // Stop mid-run: SIGTERM reaches every rank, which stop at one step with a checkpoint; the run
  // is "stopped" and resumable, and no process is left. The Runs tab's Resume continues it on
  // its 2 processes; Pause writes a checkpoint and ends them, Resume starts them again from it;
  // closing the studio stops them.
  void stopLeavesAResumableRunThatResumesOnItsRanks() {
    QTemporaryDir dir;
    const QString run = dir.filePath(QStringLiteral("run"));
    ui::MainWindow window;
    window.setRunsRoot(dir.path());
    window.show();
    ui::TrainingSession* session = window.session();
    QSignalSpy steps(session, &ui::TrainingSession::stepReported);
    QSignalSpy states(session, &ui::TrainingSession::stateChanged);
    QSignalSpy finished(session, &ui::TrainingSession::finished);
    QVERIFY(session->start(smallRun(40), run, 2));  // 320 steps: stopped long before the end
    QVERIFY(QTest::qWaitFor([&] { return steps.count() >= 3; }, 30000 * CRISP_TEST_TIME_SCALE));
    QCOMPARE(states.last().at(1).value<RunPhase>(), RunPhase::Running);
    QVERIFY(window.findChild<QAction*>(QStringLiteral("stopAction"))->isEnabled());
    window.findChild<QAction*>(QStringLiteral("stopAction"))->trigger();
    QCOMPARE(waitForFinished(finished, 30), RunPhase::Stopped);
    QVERIFY(!session->isActive());
    RunSummary summary = summarizeRun(run.toStdString());
    QCOMPARE(summary.state, std::string("stopped"));
    QVERIFY(summary.resumable);
    QVERIFY(summary.step < 320);
    QCOMPARE(summary.worldSize, 2);
    QVERIFY(noProcessNames(run));
    // No live attention crosses processes: the probe sentences are shown through the checkpoint.
    auto* probes = window.findChild<QComboBox*>(QStringLiteral("probeCombo"));
    QVERIFY(probes);
    QTRY_COMPARE_WITH_TIMEOUT(probes->count(), int(smallRun(1).probes.size()),
                              20000 * CRISP_TEST_TIME_SCALE);

    // Resume from the Runs tab: on the run's 2 processes, from its checkpoint.
    finished.clear();
    steps.clear();
    Q_EMIT window.findChild<ui::RunsView*>()->resumeRequested(run);
    QVERIFY(session->isActive());
    QCOMPARE(session->processes(), 2);
    QVERIFY(QTest::qWaitFor([&] { return !steps.isEmpty(); }, 30000 * CRISP_TEST_TIME_SCALE));
    // The records before the checkpoint are not reported again.
    QCOMPARE(steps.first().first().value<ui::StepPoint>().step, summary.step + 1);

    // Pause: a checkpoint, no process, the session still holds the run; Resume continues it.
    QAction* pause = window.findChild<QAction*>(QStringLiteral("pauseAction"));
    QVERIFY(QTest::qWaitFor([&] { return pause->isEnabled(); }, 10000));
    states.clear();
    pause->trigger();
    QVERIFY(QTest::qWaitFor(
        [&] {
          return !states.isEmpty() && states.last().at(1).value<RunPhase>() == RunPhase::Paused;
        },
        30000 * CRISP_TEST_TIME_SCALE));
    for (const QList<QVariant>& state : states) {  // never "stopped" on the way
      QVERIFY(state.at(1).value<RunPhase>() != RunPhase::Stopped);
    }
    QVERIFY(finished.isEmpty());
    QVERIFY(session->isActive());
    QVERIFY(noProcessNames(run));
    const RunSummary paused = summarizeRun(run.toStdString());
    QCOMPARE(paused.state, std::string("stopped"));  // on disk: resumable as any stopped run
    QVERIFY(pause->isEnabled());
    QCOMPARE(pause->text(), QStringLiteral("&Resume"));
    QVERIFY(!window.findChild<QAction*>(QStringLiteral("startAction"))->isEnabled());
    steps.clear();
    pause->trigger();
    QVERIFY(QTest::qWaitFor([&] { return !steps.isEmpty(); }, 30000 * CRISP_TEST_TIME_SCALE));
    QCOMPARE(steps.first().first().value<ui::StepPoint>().step, paused.step + 1);
    QCOMPARE(session->processes(), 2);

    // Closing the studio mid-run stops the ranks with a checkpoint, as in one process.
    const qint64 before = summarizeRun(run.toStdString()).step;
    window.close();
    QVERIFY(!session->isActive());
    QCOMPARE(waitForFinished(finished, 5), RunPhase::Stopped);
    summary = summarizeRun(run.toStdString());
    QCOMPARE(summary.state, std::string("stopped"));
    QVERIFY(summary.resumable);
    QVERIFY(summary.step >= before);
    QVERIFY(noProcessNames(run));
  }

  // Without the crisp command beside the studio: a clear error naming the path, nothing starts.
  void aMissingCrispIsAClearError() {
    QTemporaryDir dir;
    ui::TrainingSession session;
    const QString missing = dir.filePath(QStringLiteral("bin/crisp"));
    session.setCrispExecutable(missing);
    QSignalSpy messages(&session, &ui::TrainingSession::message);
    QSignalSpy states(&session, &ui::TrainingSession::stateChanged);
    QVERIFY(!session.start(smallRun(1), dir.filePath(QStringLiteral("run")), 2));
    QVERIFY(!session.isActive());
    QCOMPARE(messages.count(), 1);
    QVERIFY(messages.first().at(1).toBool());
    QVERIFY2(messages.first().at(0).toString().contains(missing),
             qPrintable(messages.first().at(0).toString()));
    QVERIFY(states.isEmpty());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("run"))));

    // One that is there but does not run: the run fails, saying so, and the session is free.
    QFile broken(dir.filePath(QStringLiteral("crisp")));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("not a program\n");
    broken.close();
    broken.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    session.setCrispExecutable(broken.fileName());
    messages.clear();
    QSignalSpy finished(&session, &ui::TrainingSession::finished);
    QVERIFY(session.start(smallRun(1), dir.filePath(QStringLiteral("run")), 2));
    QCOMPARE(waitForFinished(finished, 10), RunPhase::Failed);
    QVERIFY(!session.isActive());
    QVERIFY(!messages.isEmpty());
    QVERIFY(messages.last().at(1).toBool());
    QVERIFY2(messages.last().at(0).toString().contains(broken.fileName()),
             qPrintable(messages.last().at(0).toString()));
  }
};

QTEST_MAIN(TestProcessSession)
#include "test_process_session.moc"
