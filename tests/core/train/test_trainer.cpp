#include <QtTest>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/data/demo_corpus.h"
#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

// A small demo problem: 320 training and 64 dev sentences, the tiny model.
TrainingInputs smallInputs(const std::string& policy = "dense") {
  const auto tokenizer = demoTokenizer();
  data::DemoCorpusOptions options;
  options.trainSize = 320;
  options.devSize = 64;
  const data::DemoCorpus corpus = data::generateDemoCorpus(options);
  const auto encodeAll = [&](const std::vector<data::Example>& examples) {
    auto encoded = std::make_shared<data::EncodedDataset>();
    for (const auto& e : examples) {
      encoded->ids.push_back(tokenizer->encode(e.text).ids);
      encoded->labels.push_back(e.label);
    }
    return encoded;
  };
  TrainingInputs in;
  ModelConfig config = ModelConfig::preset("tiny", static_cast<int>(tokenizer->vocabSize()));
  config.maxPositions = 64;
  at::manual_seed(1);
  in.model = makeClassifier(config);
  in.model->setPolicy(AttentionPolicySpec::parse(policy));
  in.train = encodeAll(corpus.train);
  in.dev = encodeAll(corpus.dev);
  in.collate.padId = tokenizer->padId();
  in.collate.sepId = tokenizer->sepId();
  in.labelNames = corpus.labels.names();
  const auto probe = tokenizer->encode("the film was not good .");
  in.probes.push_back({"the film was not good .", probe.tokens, probe.ids});
  return in;
}

Hyperparameters smallHyper() {
  Hyperparameters h;
  h.epochs = 2;
  h.batchSize = 32;
  h.learningRate = 1e-3;
  h.evalEvery = 6;
  h.logEvery = 2;
  h.seed = 7;
  return h;
}

// The eval and train records of a run, without wall-clock fields.
std::vector<nlohmann::json> comparableMetrics(const std::string& dir) {
  std::vector<nlohmann::json> out;
  for (nlohmann::json record : RunDirectory(dir).readMetrics()) {
    record.erase("time");
    out.push_back(record);
  }
  return out;
}

bool close(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    return std::abs(a.get<double>() - b.get<double>()) <= 1e-5 * (1 + std::abs(a.get<double>()));
  }
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key()) || !close(it.value(), b.at(it.key()))) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!close(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void trainsAndWritesARunDirectory() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("run")).toStdString();
    Trainer trainer(smallInputs(), smallHyper(), path, {{"resume_key", "a"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    RunDirectory run(path);
    QCOMPARE(run.readState()["state"].get<std::string>(), std::string("finished"));
    const auto metrics = run.readMetrics();
    const auto evals = std::count_if(metrics.begin(), metrics.end(),
                                     [](const auto& r) { return r["type"] == "eval"; });
    QCOMPARE(evals, 5);  // 10 steps per epoch: at steps 6, 10 (epoch end), 12, 18, 20 (end)
    QVERIFY(!run.checkpointSteps().empty());
    QVERIFY(run.checkpointSteps().size() <= 3);  // the last 2 and the best
    QVERIFY(std::filesystem::exists(path + "/predictions"));
    QVERIFY(std::filesystem::exists(path + "/config.json"));

    bool sawEval = false, sawSnapshot = false;
    for (const auto& event : trainer.events().drain()) {
      sawEval |= std::holds_alternative<EvaluationEvent>(event);
      if (const auto* s = std::get_if<AttentionSnapshot>(&event)) {
        sawSnapshot = true;
        QCOMPARE(s->before.size(), size_t{2});
        QCOMPARE(s->after[0].size(-1), static_cast<int64_t>(s->tokens.size()));
      }
    }
    QVERIFY(sawEval && sawSnapshot);
  }

  void stopThenResumeMatchesAnUninterruptedRun() {
    QTemporaryDir dir;
    const std::string straight = dir.filePath(QStringLiteral("straight")).toStdString();
    const std::string broken = dir.filePath(QStringLiteral("broken")).toStdString();
    {
      Trainer trainer(smallInputs("crisp:0.5"), smallHyper(), straight, {{"resume_key", "b"}});
      QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    }
    {
      Trainer trainer(smallInputs("crisp:0.5"), smallHyper(), broken, {{"resume_key", "b"}});
      // Stop as soon as the first evaluation has been checkpointed.
      std::thread stopper([&] {
        while (RunDirectory(broken).checkpointSteps().empty()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        trainer.control().stop();
      });
      const RunState state = trainer.run();
      stopper.join();
      QCOMPARE(toString(state), toString(RunState::Stopped));
    }
    {
      Trainer trainer(smallInputs("crisp:0.5"), smallHyper(), broken, {{"resume_key", "b"}});
      QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    }
    const auto a = comparableMetrics(straight);
    const auto b = comparableMetrics(broken);
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      QVERIFY2(close(a[i], b[i]), (a[i].dump() + "\n" + b[i].dump()).c_str());
    }
  }

  void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("nan")).toStdString();
    Hyperparameters h = smallHyper();
    h.injectNanAtStep = 8;  // after the checkpoint at step 6
    Trainer trainer(smallInputs(), h, path, {{"resume_key", "c"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Failed));
    RunDirectory run(path);
    const std::string message = run.readState()["message"];
    QVERIFY2(message.find("non-finite training loss") != std::string::npos, message.c_str());
    QVERIFY2(message.find("step 9") != std::string::npos, message.c_str());
    QVERIFY2(message.find("step-00000006") != std::string::npos, message.c_str());
    QCOMPARE(run.checkpointSteps(), (std::vector<int64_t>{6}));
    bool errorEvent = false;
    for (const auto& event : trainer.events().drain()) {
      if (const auto* m = std::get_if<MessageEvent>(&event)) {
        errorEvent |= m->level == MessageEvent::Level::Error;
      }
    }
    QVERIFY(errorEvent);
  }

  void pauseHoldsTrainingUntilResumed() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("pause")).toStdString();
    Trainer trainer(smallInputs(), smallHyper(), path, {{"resume_key", "d"}});
    trainer.control().pause();
    RunState state = RunState::Created;
    std::thread worker([&] { state = trainer.run(); });
    QTRY_COMPARE_WITH_TIMEOUT(
        QString::fromStdString(RunDirectory(path).readState().value("state", "")),
        QStringLiteral("paused"), 20000);
    const int64_t stepWhilePaused = RunDirectory(path).readState()["step"];
    QTest::qWait(300);
    QCOMPARE(RunDirectory(path).readState()["step"].get<int64_t>(), stepWhilePaused);
    trainer.control().resume();
    worker.join();
    QCOMPARE(toString(state), toString(RunState::Finished));
  }

  void aDifferentConfigurationIsRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("clash")).toStdString();
    Hyperparameters h = smallHyper();
    h.epochs = 1;
    QCOMPARE(toString(Trainer(smallInputs(), h, path, {{"resume_key", "x"}}).run()),
             toString(RunState::Finished));
    Trainer other(smallInputs(), h, path, {{"resume_key", "y"}});
    QCOMPARE(toString(other.run()), toString(RunState::Failed));
    QVERIFY(RunDirectory(path).readState()["message"].get<std::string>().find("different") !=
            std::string::npos);
  }

  void eventChannelDropsOnlySupersededEvents() {
    EventChannel channel(4);
    for (int i = 0; i < 10; ++i) channel.publish(StepEvent{i});
    channel.publish(EvaluationEvent{});
    channel.publish(MessageEvent{MessageEvent::Level::Info, "m"});
    for (int i = 0; i < 10; ++i) channel.publish(StepEvent{100 + i});
    const auto events = channel.drain();
    QCOMPARE(events.size(), size_t{4});
    QCOMPARE(
        std::count_if(events.begin(), events.end(),
                      [](const auto& e) { return std::holds_alternative<EvaluationEvent>(e); }),
        1);
    QVERIFY(channel.dropped() > 0);
    QCOMPARE(std::get<StepEvent>(events.back()).step, int64_t{109});
  }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
