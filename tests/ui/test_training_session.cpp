// A real (tiny) training run through the worker bridge drives the curves and heatmaps.
#include <ATen/ATen.h>
#include <QComboBox>
#include <QSignalSpy>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include <QTableView>
#include "core/io/safetensors.h"
#include "core/model/hf_checkpoint.h"
#include "core/train/events.h"
#include "core/train/experiment.h"
#include "tiny_run.h"
#include "ui/main_window.h"
#include "ui/training_session.h"
#include "ui/views/attention_view.h"
#include "ui/views/curves_view.h"
#include "ui/views/predict_view.h"
#include "ui/views/runs_view.h"

using namespace crisp;

namespace {

ExperimentConfig quickDemo(int epochs) {
  ExperimentConfig config = ExperimentConfig::demo();
  config.demoTrainSize = 256;
  config.demoDevSize = 64;
  config.hyper.epochs = epochs;
  config.hyper.evalEvery = 4;
  config.policy = "crisp:0.6";
  return config;
}

}  // namespace

class TestTrainingSession : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void drivesCurvesAndHeatmapsThroughTheBridge() {
    QTemporaryDir dir;
    ui::MainWindow window;
    auto* curves = window.findChild<ui::CurvesView*>();
    auto* attention = window.findChild<ui::AttentionView*>();
    QSignalSpy frames(window.session(), &ui::TrainingSession::attentionCaptured);
    QSignalSpy finished(window.session(), &ui::TrainingSession::finished);
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    QVERIFY(window.session()->start(quickDemo(2), QString::fromStdString(run)));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.first().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Finished);
    QVERIFY(curves->stepCount() >= 10);
    QVERIFY(curves->evalCount() >= 4);
    QVERIFY(frames.count() >= 4);
    QVERIFY(window.findChild<QComboBox*>(QStringLiteral("probeCombo"))->count() == 2);

    // The heatmap shows what core computes for the same sentence with the final weights.
    const auto frame = frames.last().first().value<ui::AttentionFrame>();
    const auto prepared = prepareExperiment(quickDemo(2));
    auto model = prepared.inputs.model;
    const auto checkpoints = std::filesystem::path(run) / "checkpoints";
    std::string last;
    for (const auto& entry : std::filesystem::directory_iterator(checkpoints)) {
      last = std::max(last, entry.path().string());
    }
    const LoadReport report =
        loadStateDict(*model, readSafeTensors(last + "/model.safetensors").tensors, last);
    QVERIFY(report.missing.empty());
    model->eval();
    const auto encoded = prepared.tokenizer->encode(frame.sentence.toStdString());
    std::vector<int64_t> ids(encoded.ids.begin(), encoded.ids.end());
    const at::Tensor input = at::tensor(ids, at::kLong).view({1, -1});
    ForwardOptions capture;
    capture.captureAttention = true;
    at::NoGradGuard noGrad;
    const auto out = model->forward(input, at::ones_like(input), capture);
    const auto combo = window.findChild<QComboBox*>(QStringLiteral("probeCombo"));
    combo->setCurrentText(frame.sentence);
    window.findChild<QComboBox*>(QStringLiteral("layerCombo"))->setCurrentIndex(1);
    window.findChild<QComboBox*>(QStringLiteral("headCombo"))->setCurrentIndex(2);  // head 2
    const auto shownAfter = attention->shownAfter();
    const auto shownBefore = attention->shownBefore();
    const at::Tensor expectedAfter = out.attention[1].after[0][1];
    const at::Tensor expectedBefore = out.attention[1].before[0][1];
    QCOMPARE(shownAfter.size(), static_cast<int>(expectedAfter.size(0)));
    for (int q = 0; q < shownAfter.size(); ++q) {
      for (int k = 0; k < shownAfter.size(); ++k) {
        QVERIFY(qAbs(shownAfter[q][k] - expectedAfter[q][k].item<double>()) < 1e-5);
        QVERIFY(qAbs(shownBefore[q][k] - expectedBefore[q][k].item<double>()) < 1e-5);
      }
    }
  }

  // The phase names are the words core writes in state.json, for every state core has.
  // A pretrained checkpoint without a classification head: the studio says which tensors are
  // new (the load report `crisp train` prints), once, as the run starts, and not as an error.
  void saysWhichTensorsAPretrainedCheckpointLacked() {
    QTemporaryDir dir;
    const std::string base = dir.filePath(QStringLiteral("base")).toStdString();
    tiny_run::writeHeadlessBertCheckpoint(base);

    ExperimentConfig config = quickDemo(1);
    config.model = base;
    config.policy = "dense";
    ui::TrainingSession session;
    QSignalSpy messages(&session, &ui::TrainingSession::message);
    QSignalSpy finished(&session, &ui::TrainingSession::finished);
    QVERIFY(session.start(config, dir.filePath(QStringLiteral("run"))));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.first().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Finished);
    int reports = 0;
    for (const QList<QVariant>& m : messages) {
      if (m.at(0).toString().contains(
              QStringLiteral("newly initialized: ['classifier.weight', 'classifier.bias']"))) {
        ++reports;
        QVERIFY(!m.at(1).toBool());  // informational
      }
    }
    QCOMPARE(reports, 1);
  }

  void phasesNameCoreStates() {
    for (const RunState state :
         {RunState::Created, RunState::Running, RunState::Paused, RunState::Finished,
          RunState::Stopped, RunState::Cancelled, RunState::Failed}) {
      QCOMPARE(ui::phaseName(ui::phaseOf(state)), QString::fromStdString(toString(state)));
    }
    QVERIFY(ui::phaseName(ui::RunPhase::Idle).isEmpty());
    QCOMPARE(ui::phaseName(ui::RunPhase::Preparing), QStringLiteral("preparing"));
  }

  // A run that ends while the GUI is busy leaves its `finished` (and last events) queued; a run
  // started before they are delivered must not receive them as its own.
  void aPreviousRunsQueuedSignalsAreDropped() {
    QTemporaryDir dir;
    ui::TrainingSession session;
    QSignalSpy finished(&session, &ui::TrainingSession::finished);
    QSignalSpy states(&session, &ui::TrainingSession::stateChanged);
    QSignalSpy steps(&session, &ui::TrainingSession::stepReported);
    ExperimentConfig first = quickDemo(1);
    first.demoTrainSize = 64;
    QVERIFY(session.start(first, dir.filePath(QStringLiteral("first"))));
    const ui::RunId one = session.currentRun();
    session.wait();  // the first run ends; nothing queued by it is delivered yet
    QVERIFY(!session.isActive());
    QVERIFY(session.start(quickDemo(1), dir.filePath(QStringLiteral("second"))));
    const ui::RunId two = session.currentRun();
    QVERIFY(two != one);
    QVERIFY(finished.wait(120000));
    QTest::qWait(100);  // anything else still queued
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().at(0).value<ui::RunId>(), two);
    QCOMPARE(finished.first().at(1).value<ui::RunPhase>(), ui::RunPhase::Finished);
    for (const QList<QVariant>& state : states) {
      const auto run = state.at(0).value<ui::RunId>();
      // The first run's own "preparing" was emitted at its start(), synchronously.
      QVERIFY2(run == two || state.at(1).value<ui::RunPhase>() == ui::RunPhase::Preparing,
               qPrintable(ui::phaseName(state.at(1).value<ui::RunPhase>())));
    }
    QVERIFY(!steps.isEmpty());
    for (const QList<QVariant>& step : steps) {
      QCOMPARE(step.first().value<ui::StepPoint>().run, two);
    }
  }

  void livePredictionFollowsTheRun() {
    QTemporaryDir dir;
    ui::MainWindow window;
    window.setRunsRoot(dir.path());
    QSignalSpy finished(window.session(), &ui::TrainingSession::finished);
    QVERIFY(window.session()->start(quickDemo(1), dir.filePath(QStringLiteral("run"))));
    QVERIFY(finished.wait(120000));
    QTest::qWait(50);  // the runs table refreshes on the same signal

    // The runs table lists it, and exports it.
    auto* runs = window.findChild<ui::RunsView*>();
    QCOMPARE(runs->table()->model()->rowCount(), 1);
    QCOMPARE(runs->table()->model()->index(0, 7).data().toString(), QStringLiteral("finished"));
    QVERIFY(runs->toLatex().contains(QStringLiteral("\\toprule")));
    QVERIFY(runs->toCsv().startsWith(QStringLiteral("Configuration,")));  // core's csvField
    QCOMPARE(runs->toCsv().count(QLatin1Char('\n')), 2);                  // the header and the run
    auto* predict = window.findChild<ui::PredictView*>();
    QSignalSpy predicted(predict, &ui::PredictView::predicted);
    predict->setText(QStringLiteral("the plot was never boring ."));
    QVERIFY(predicted.wait(20000));
    const QString result = predict->resultText();
    QVERIFY2(
        result.contains(QStringLiteral("negative")) || result.contains(QStringLiteral("positive")),
        qPrintable(result));
    QVERIFY(result.contains(QStringLiteral(" ms")));
  }

  void closingDuringTrainingStopsCleanly() {
    QTemporaryDir dir;
    const QString run = dir.filePath(QStringLiteral("run"));
    {
      ui::MainWindow window;
      window.show();
      QSignalSpy evaluated(window.session(), &ui::TrainingSession::evaluated);
      QVERIFY(window.session()->start(quickDemo(50), run));
      QVERIFY(evaluated.wait(60000));
      window.close();  // stops with a final checkpoint and joins the worker
      QVERIFY(!window.session()->isActive());
    }
    QFile state(run + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::ReadOnly));
    QVERIFY2(state.readAll().contains("\"stopped\""), "the run did not end as stopped");
  }
};

QTEST_MAIN(TestTrainingSession)
#include "test_training_session.moc"
