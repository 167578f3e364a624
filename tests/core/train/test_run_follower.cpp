// RunFollower: a run directory written by another process, read back as the trainer's events.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <memory>

#include "core/sys/error.h"
#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/run_follower.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

template <typename T>
std::vector<T> only(const std::vector<TrainingEvent>& events) {
  std::vector<T> out;
  for (const TrainingEvent& e : events)
    if (const auto* v = std::get_if<T>(&e)) out.push_back(*v);
  return out;
}

nlohmann::json trainRecord(int64_t step, double seconds) {
  return {{"type", "train"},       {"step", step},     {"epoch", step / 10.0}, {"loss", 1.0 / step},
          {"learning_rate", 1e-3}, {"grad_norm", 0.5}, {"time", seconds}};
}

void appendRaw(const std::string& run, const std::string& text) {
  std::ofstream out(std::filesystem::path(run) / "metrics.jsonl", std::ios::app | std::ios::binary);
  out << text;
}

}  // namespace

class TestRunFollower : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void reportsNewRecordsAndStateChanges() {
    QTemporaryDir tmp;
    const std::string path = tmp.filePath(QStringLiteral("run")).toStdString();
    RunDirectory run(path);
    run.writeConfig({{"experiment", {{"hyperparameters", {{"batch_size", 8}}}}}});
    // What is there before the follower starts is not reported (a resumed run's past).
    run.appendMetric(trainRecord(1, 1.0));
    run.writeState({{"state", "stopped"}, {"message", "old"}, {"step", 1}});
    RunFollower follower(path);
    QVERIFY(follower.poll().empty());
    QVERIFY(!follower.lastState());

    // "running" holds while a process holds the run's lock (else it reads as stale, "stopped").
    auto lock = std::make_unique<RunLock>(path);
    run.writeState({{"state", "running"}, {"message", ""}, {"step", 1}, {"total_steps", 11}});
    run.appendMetric(trainRecord(2, 2.0));
    run.appendMetric(trainRecord(3, 3.0));
    // A record half written: not reported until it is whole.
    const std::string eval =
        nlohmann::json{{"type", "eval"}, {"step", 3},       {"epoch", 0.3},
                       {"loss", 0.7},    {"accuracy", 0.6}, {"macro_f1", 0.55},
                       {"best", true},   {"time", 3.5},     {"confusion", {{1, 2}, {3, 4}}},
                       {"examples", 10}}
            .dump() +
        "\n";
    appendRaw(path, eval.substr(0, 20));
    std::vector<TrainingEvent> events = follower.poll();
    const auto steps = only<StepEvent>(events);
    QCOMPARE(steps.size(), size_t{2});
    QCOMPARE(steps[0].step, int64_t{2});
    QCOMPARE(steps[1].step, int64_t{3});
    QCOMPARE(steps[1].loss, 1.0 / 3);
    QCOMPARE(steps[1].elapsedSeconds, 3.0);
    QVERIFY(only<EvaluationEvent>(events).empty());
    const auto progress = only<ProgressEvent>(events);
    QCOMPARE(progress.size(), size_t{2});
    QCOMPARE(progress[1].totalSteps, int64_t{11});
    QCOMPARE(progress[1].sentencesPerSecond, 8.0);  // one step of 8 sentences a second
    QCOMPARE(progress[1].etaSeconds, 8.0);          // 8 steps left
    const auto states = only<StateEvent>(events);
    QCOMPARE(states.size(), size_t{1});
    QVERIFY(states[0].state == RunState::Running);
    // The state comes after the records read with it.
    QVERIFY(std::holds_alternative<StateEvent>(events.back()));

    appendRaw(path, eval.substr(20));
    events = follower.poll();
    const auto evals = only<EvaluationEvent>(events);
    QCOMPARE(evals.size(), size_t{1});
    QCOMPARE(evals[0].metrics.accuracy, 0.6);
    QCOMPARE(evals[0].metrics.macroF1, 0.55);
    QCOMPARE(evals[0].metrics.confusion[1][0], int64_t{3});
    QVERIFY(evals[0].best);
    QVERIFY(only<StateEvent>(events).empty());  // state.json unchanged
    QVERIFY(follower.poll().empty());

    // Cut back to step 2 (a resume from its checkpoint) and written on: read from the start.
    const uint64_t kept = run.truncateMetrics(run.metricsSize() - eval.size() - 60);
    QVERIFY(kept > 0);
    run.appendMetric(trainRecord(3, 4.0));
    events = follower.poll();
    const auto again = only<StepEvent>(events);
    QCOMPARE(again.size(), size_t{3});
    QCOMPARE(again.front().step, int64_t{1});
    QCOMPARE(again.back().elapsedSeconds, 4.0);

    run.writeState({{"state", "finished"}, {"message", "done"}, {"step", 3}});
    lock.reset();
    events = follower.poll();
    QCOMPARE(only<StateEvent>(events).size(), size_t{1});
    QVERIFY(*follower.lastState() == RunState::Finished);
    QCOMPARE(follower.lastMessage(), std::string("done"));
  }

  // The trainer records the total steps (for followers' progress) and its ranks (for Resume).
  void stateRecordsTotalStepsAndRanks() {
    QTemporaryDir tmp;
    const std::string path = tmp.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = ExperimentConfig::demo();
    config.demoTrainSize = 48;
    config.demoDevSize = 16;
    config.hyper.epochs = 1;
    config.hyper.batchSize = 16;
    PreparedExperiment prepared = prepareExperiment(config, path);
    Trainer trainer(std::move(prepared.inputs), config.hyper, path, prepared.runConfig);
    QVERIFY(trainer.run() == RunState::Finished);
    const nlohmann::json state = RunDirectory(path).readState();
    QCOMPARE(state.value("total_steps", int64_t{0}), int64_t{3});
    QCOMPARE(state.value("world_size", 0), 1);
    QCOMPARE(summarizeRun(path).worldSize, 1);
  }

  // A new run's load report reaches the follower as the trainer's informational message, once;
  // a follower of a resumed run (config.json there before) does not repeat it.
  void reportsANewRunsModelLoadOnce() {
    QTemporaryDir tmp;
    const std::filesystem::path run = tmp.filePath(QStringLiteral("run")).toStdString();
    std::filesystem::create_directories(run);
    RunFollower follower(run.string());
    QVERIFY(follower.poll().empty());
    std::ofstream(run / "config.json")
        << R"({"experiment": {"hyperparameters": {"batch_size": 8}},)"
        << R"( "load_report": "Some weights ... newly initialized: ['classifier.weight']\n"})";
    const auto messages = only<MessageEvent>(follower.poll());
    QCOMPARE(messages.size(), size_t{1});
    QCOMPARE(messages[0].text,
             std::string("Some weights ... newly initialized: ['classifier.weight']"));
    QVERIFY(messages[0].level == MessageEvent::Level::Info);
    QVERIFY(only<MessageEvent>(follower.poll()).empty());
    RunFollower later(run.string());
    QVERIFY(only<MessageEvent>(later.poll()).empty());
  }

  // A summary field of the wrong type names its file and field instead of a bare JSON error.
  void malformedFieldsOfASummaryNameTheirFile() {
    QTemporaryDir tmp;
    const std::filesystem::path run = tmp.filePath(QStringLiteral("run")).toStdString();
    std::filesystem::create_directories(run);
    const auto write = [&](const char* name, const std::string& text) {
      std::ofstream(run / name, std::ios::binary) << text;
    };
    const auto refusal = [&]() -> std::string {
      try {
        summarizeRun(run.string());
      } catch (const Error& e) {
        return e.what();
      }
      return "";
    };
    write("config.json", R"({"experiment": {"name": "x", "hyperparameters": {"seed": 3}}})");
    write("state.json", R"({"state": "finished", "step": 12, "world_size": 2})");
    QCOMPARE(summarizeRun(run.string()).worldSize, 2);
    QCOMPARE(summarizeRun(run.string()).seed, uint64_t{3});

    write("state.json", R"({"state": "finished", "world_size": "two"})");
    std::string why = refusal();
    QVERIFY2(why.find("state.json: field \"world_size\"") != std::string::npos, why.c_str());
    write("state.json", R"({"state": "finished", "step": 7.5})");
    why = refusal();
    QVERIFY2(why.find("state.json: field \"step\": expected an integer") != std::string::npos,
             why.c_str());
    write("state.json", R"({"state": 3})");
    QVERIFY2(refusal().find("state.json: field \"state\" has the wrong type") != std::string::npos,
             refusal().c_str());

    write("state.json", R"({"state": "finished"})");
    write("config.json", R"({"experiment": {"name": "x", "hyperparameters": [1]}})");
    why = refusal();
    QVERIFY2(why.find("config.json: experiment: field \"hyperparameters\"") != std::string::npos,
             why.c_str());
    write("config.json", R"({"experiment": {"name": "x"}})");
    write("metrics.jsonl", "{\"type\": \"eval\", \"step\": 1, \"loss\": \"low\"}\n");
    why = refusal();
    QVERIFY2(why.find("metrics.jsonl: field \"loss\"") != std::string::npos, why.c_str());
    // The runs list skips what it cannot summarise rather than failing as a whole.
    QVERIFY(listRuns(tmp.path().toStdString()).empty());
  }
};

QTEST_GUILESS_MAIN(TestRunFollower)
#include "test_run_follower.moc"
