#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <tuple>

#include <unistd.h>

#include <torch/version.h>

#include "core/data/demo_corpus.h"
#include "core/io/safetensors.h"
#include "core/sys/parse.h"
#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "tests/core/test_support.h"

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

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> messagesOf(Trainer& trainer, MessageEvent::Level level) {
  std::vector<std::string> texts;
  for (const auto& event : trainer.events().drain()) {
    if (const auto* m = std::get_if<MessageEvent>(&event); m && m->level == level)
      texts.push_back(m->text);
  }
  return texts;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// Every line of metrics.jsonl is one whole JSON record (none glued onto a torn fragment).
void verifyEveryMetricsLineParses(const std::string& run) {
  std::ifstream in(run + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    QVERIFY2(nlohmann::json::accept(line), ("not one record: " + line).c_str());
  }
}

// state.json's best_step names a kept checkpoint whose weights read: what eval, predict and
// export load.
void verifyBestCheckpointLoads(const std::string& path) {
  RunDirectory run(path);
  const int64_t best = run.readState().value("best_step", int64_t{-1});
  const auto steps = run.checkpointSteps();
  QVERIFY2(std::find(steps.begin(), steps.end(), best) != steps.end(),
           ("best_step " + std::to_string(best) + " is not a kept checkpoint").c_str());
  QVERIFY(!readSafeTensors(run.checkpointPath(best) + "/model.safetensors").tensors.empty());
}

// The resume tests damage a finished run of `epochs` epochs (checkpoints 6 and 10 for one)
// and run it again, with more epochs to make it train further.
RunState trainRun(const std::string& path, int epochs) {
  Hyperparameters h = smallHyper();
  h.epochs = epochs;
  Trainer trainer(smallInputs(), h, path, {{"resume_key", "resume"}});
  const RunState state = trainer.run();
  if (state != RunState::Finished)
    qWarning("%s", joined(messagesOf(trainer, MessageEvent::Level::Error)).c_str());
  return state;
}

// FNV-1a, 64 bits: a fingerprint of bytes that must not change.
uint64_t fingerprint(const std::string& bytes, uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

// One epoch of the small problem with a learned DAM mask on one thread: the fingerprint of its
// final weights and of its metrics (wall-clock fields left out).
uint64_t cpuRunFingerprint(const std::string& path, TrainingInputs in) {
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  Hyperparameters h = smallHyper();
  h.epochs = 1;
  Trainer trainer(std::move(in), h, path, {{"resume_key", "golden"}});
  const RunState state = trainer.run();
  at::set_num_threads(threads);
  if (state != RunState::Finished) return 0;
  RunDirectory run(path);
  uint64_t hash = fingerprint(
      fileBytes(run.checkpointPath(run.checkpointSteps().back()) + "/model.safetensors"));
  for (const nlohmann::json& record : comparableMetrics(path))
    hash = fingerprint(record.dump(), hash);
  return hash;
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

  // A pretrained checkpoint's load report (config.json's load_report) is said once, when the
  // run starts: the CLI prints it, the studio shows it; a resume does not repeat it.
  void reportsTheModelLoadOnceWhenTheRunStarts() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("run")).toStdString();
    const std::string report =
        "Some weights of the model were not initialized from the model checkpoint at m and are "
        "newly initialized: ['classifier.weight', 'classifier.bias']";
    const nlohmann::json config = {{"resume_key", "load"}, {"load_report", report + "\n"}};
    Hyperparameters h = smallHyper();
    h.epochs = 1;
    Trainer first(smallInputs(), h, path, config);
    QCOMPARE(toString(first.run()), toString(RunState::Finished));
    const std::vector<std::string> said = messagesOf(first, MessageEvent::Level::Info);
    QCOMPARE(std::count(said.begin(), said.end(), report), std::ptrdiff_t{1});
    h.epochs = 2;
    Trainer resumed(smallInputs(), h, path, config);
    QCOMPARE(toString(resumed.run()), toString(RunState::Finished));
    const std::string again = joined(messagesOf(resumed, MessageEvent::Level::Info));
    QVERIFY2(again.find("resumed from") != std::string::npos, again.c_str());
    QVERIFY2(again.find("newly initialized") == std::string::npos, again.c_str());
  }

  void aDifferentConfigurationIsRefused() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("clash")).toStdString();
    Hyperparameters h = smallHyper();
    h.epochs = 1;
    QCOMPARE(toString(Trainer(smallInputs(), h, path, {{"resume_key", "x"}}).run()),
             toString(RunState::Finished));
    const std::string stateBefore = fileBytes(path + "/state.json");
    Trainer other(smallInputs(), h, path, {{"resume_key", "y"}});
    QCOMPARE(toString(other.run()), toString(RunState::Failed));
    QVERIFY(joined(messagesOf(other, MessageEvent::Level::Error)).find("different") !=
            std::string::npos);
    // The refusal leaves the other run as it was (its best checkpoint still usable).
    QCOMPARE(fileBytes(path + "/state.json"), stateBefore);
  }

  // A corrupt newest checkpoint is skipped with one line saying which and why; the run resumes
  // from the newest intact one and ends as the uninterrupted run did.
  void aCorruptNewestCheckpointFallsBackToTheNewestIntactOne() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("corrupt")).toStdString();
    QCOMPARE(toString(trainRun(path, 2)), toString(RunState::Finished));
    const auto uninterrupted = comparableMetrics(path);
    RunDirectory run(path);
    const std::string newest = run.checkpointPath(run.checkpointSteps().back());
    std::filesystem::resize_file(newest + "/model.safetensors", 1000);

    // The finished run's last step again: training from the checkpoint before it.
    Hyperparameters h = smallHyper();
    Trainer trainer(smallInputs(), h, path, {{"resume_key", "resume"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    const std::string warnings = joined(messagesOf(trainer, MessageEvent::Level::Warning));
    QVERIFY2(test::contains(warnings, "step-00000020") &&
                 test::contains(warnings, "model.safetensors") &&
                 test::contains(warnings, "step-00000018"),
             warnings.c_str());
    const auto resumed = comparableMetrics(path);
    QCOMPARE(resumed.size(), uninterrupted.size());
    for (size_t i = 0; i < resumed.size(); ++i) {
      QVERIFY2(close(uninterrupted[i], resumed[i]),
               (uninterrupted[i].dump() + "\n" + resumed[i].dump()).c_str());
    }
    QCOMPARE(run.checkpointSteps().back(), int64_t{20});
    verifyBestCheckpointLoads(path);
  }

  // A resume that cannot continue (no checkpoint it can restore) changes no file: state.json
  // still names the best checkpoint, which eval, predict and export keep using.
  void aFailedResumeTouchesNothing() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("failed")).toStdString();
    QCOMPARE(toString(trainRun(path, 1)), toString(RunState::Finished));
    RunDirectory run(path);
    for (int64_t step : run.checkpointSteps())
      std::filesystem::resize_file(run.checkpointPath(step) + "/optimizer.pt", 100);
    const std::string stateBefore = fileBytes(path + "/state.json");
    const std::string metricsBefore = fileBytes(path + "/metrics.jsonl");
    const auto stepsBefore = run.checkpointSteps();

    Hyperparameters h = smallHyper();
    Trainer trainer(smallInputs(), h, path, {{"resume_key", "resume"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Failed));
    QCOMPARE(fileBytes(path + "/state.json"), stateBefore);
    QCOMPARE(fileBytes(path + "/metrics.jsonl"), metricsBefore);
    QCOMPARE(run.checkpointSteps(), stepsBefore);
    verifyBestCheckpointLoads(path);
    const std::string errors = joined(messagesOf(trainer, MessageEvent::Level::Error));
    QVERIFY2(test::contains(errors, "optimizer.pt"), errors.c_str());
  }

  // metrics.jsonl torn below the size the checkpoint recorded (its tail lost in a crash): it
  // is cut back to the last whole record, so the next record starts on a line of its own.
  void aTornMetricsFileIsCutBackToTheLastWholeRecord() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("torn")).toStdString();
    QCOMPARE(toString(trainRun(path, 1)), toString(RunState::Finished));
    RunDirectory run(path);
    const uint64_t recorded = nlohmann::json::parse(fileBytes(
        run.checkpointPath(run.checkpointSteps().back()) + "/trainer_state.json"))["metrics_size"];
    std::filesystem::resize_file(path + "/metrics.jsonl", recorded - 7);

    QCOMPARE(toString(trainRun(path, 2)), toString(RunState::Finished));
    verifyEveryMetricsLineParses(path);
    int64_t lastTrainStep = 0;
    for (const nlohmann::json& record : run.readMetrics()) {
      if (record["type"] != "train") continue;
      QVERIFY(record["step"].get<int64_t>() > lastTrainStep);
      lastTrainStep = record["step"];
    }
    QCOMPARE(lastTrainStep, int64_t{20});
  }

  // With every checkpoint gone, training restarts from step 0 into a fresh metrics.jsonl; the
  // old one is kept beside it (metrics.jsonl.<time>.bak), not deleted.
  void withNoCheckpointLeftTheRunRestartsWithFreshMetrics() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("restart")).toStdString();
    QCOMPARE(toString(trainRun(path, 1)), toString(RunState::Finished));
    const auto firstMetrics = comparableMetrics(path);
    const std::string firstBytes = fileBytes(path + "/metrics.jsonl");
    std::filesystem::remove_all(path + "/checkpoints");

    QCOMPARE(toString(trainRun(path, 1)), toString(RunState::Finished));
    const auto again = comparableMetrics(path);
    QCOMPARE(again.size(), firstMetrics.size());  // no step twice
    for (size_t i = 0; i < again.size(); ++i) QVERIFY(close(firstMetrics[i], again[i]));
    std::vector<std::string> kept;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("metrics.jsonl.", 0) == 0) kept.push_back(entry.path().string());
    }
    QCOMPARE(kept.size(), size_t{1});
    QVERIFY2(test::contains(kept[0], ".bak"), kept[0].c_str());
    QCOMPARE(fileBytes(kept[0]), firstBytes);
  }

  // Pruning keeps the newest and the named checkpoints, finishes a deletion that a kill cut
  // short (.removing-*), and never leaves a step-N behind that it could no longer see.
  void pruningKeepsTheNewestAndTheBestAndFinishesInterruptedDeletions() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("run")).toStdString();
    RunDirectory run(path);
    run.create();
    for (int64_t step : {1, 2, 3, 4, 5}) {
      std::filesystem::create_directories(run.checkpointPath(step));
      std::ofstream(run.checkpointPath(step) + "/trainer_state.json") << "{}";
      std::ofstream(run.checkpointPath(step) + "/model.safetensors") << "weights";
    }
    const std::string interrupted = path + "/checkpoints/.removing-step-00000000";
    std::filesystem::create_directories(interrupted);
    std::ofstream(interrupted + "/model.safetensors") << "half deleted";

    run.pruneCheckpoints(2, {2});
    QCOMPARE(run.checkpointSteps(), (std::vector<int64_t>{2, 4, 5}));
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path + "/checkpoints"))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    QCOMPARE(names, (std::vector<std::string>{"step-00000002", "step-00000004", "step-00000005"}));
  }

  void aRunIsTrainedByOneProcessAndAStaleRunningStateReadsAsStopped() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("run")).toStdString();
    RunDirectory run(path);
    run.create();
    run.writeState({{"state", "running"}, {"step", 7}});
    // As after kill -9: nobody holds the lock.
    QVERIFY(!run.isLocked());
    nlohmann::json state = run.readState();
    QCOMPARE(state.value("state", ""), std::string("stopped"));
    QCOMPARE(state.value("recorded_state", ""), std::string("running"));
    QVERIFY(state.value("stale", false));
    QVERIFY2(state.value("message", "").find("resume continues from step 0") != std::string::npos,
             state.dump().c_str());
    {
      const RunLock lock(path);
      QVERIFY(run.isLocked());
      QCOMPARE(run.readState().value("state", ""), std::string("running"));
      // A second trainer, even in this process, is refused with who holds the run.
      Trainer second(smallInputs(), smallHyper(), path, {{"resume_key", "lock"}});
      QCOMPARE(toString(second.run()), toString(RunState::Failed));
      const std::string errors = joined(messagesOf(second, MessageEvent::Level::Error));
      QVERIFY2(
          errors.find("is being trained by pid " + std::to_string(::getpid())) != std::string::npos,
          errors.c_str());
      QCOMPARE(run.readState().value("step", 0), 7);  // the refused trainer wrote nothing
    }
    QVERIFY(!run.isLocked());  // released with the lock's owner
    Trainer trainer(smallInputs(), smallHyper(), path, {{"resume_key", "lock"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    QVERIFY(!run.isLocked());
    QVERIFY(!run.readState().contains("stale"));
  }

  void saveEveryCheckpointsBetweenEvaluations() {
    Hyperparameters h = smallHyper();
    parseSaveEvery("3", "test", h);
    QCOMPARE(h.saveEverySteps, int64_t{3});
    QCOMPARE(h.toJson().at("save_every").get<int64_t>(), int64_t{3});
    QCOMPARE(Hyperparameters::fromJson(h.toJson()).saveEverySteps, int64_t{3});
    for (const auto& [text, seconds, written] :
         std::vector<std::tuple<const char*, double, const char*>>{
             {"90s", 90, "90s"}, {"10m", 600, "10m"}, {"1.5h", 5400, "90m"}, {"2h", 7200, "2h"}}) {
      Hyperparameters timed;
      parseSaveEvery(text, "test", timed);
      QCOMPARE(timed.saveEverySeconds, seconds);
      QCOMPARE(timed.toJson().at("save_every").get<std::string>(), std::string(written));
      QCOMPARE(Hyperparameters::fromJson(timed.toJson()).saveEverySeconds, seconds);
    }
    QVERIFY(!Hyperparameters().toJson().contains("save_every"));  // earlier resume keys hold
    for (const char* bad : {"", "-3", "10x", "m", "1e400s", "-1m", "3.5"}) {
      Hyperparameters scratch;
      try {
        parseSaveEvery(bad, "--save-every", scratch);
        QFAIL(bad);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("--save-every") == 0, e.what());
      }
    }
    // Training: 10 steps per epoch, evaluations (with their checkpoints) at 6 and 10;
    // save_every 3 adds 3 and 9, counted from the last checkpoint.
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("run")).toStdString();
    h.epochs = 1;
    h.keepCheckpoints = 10;
    Trainer trainer(smallInputs(), h, path, {{"resume_key", "save"}});
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    QCOMPARE(RunDirectory(path).checkpointSteps(), (std::vector<int64_t>{3, 6, 9, 10}));
  }

  // Training on the CPU is bit for bit what it was: the fingerprint guards every change that
  // should not move a number. Recorded on this project's build machine (one thread, OpenBLAS)
  // when the last layer began computing only the [CLS] row (2026-12-01; the trainer of commit
  // 5bd0946, before --device, gave e3e4b3415d09ad8d, and every commit since up to that change).
  // Another CPU may round differently in its BLAS kernels; a mismatch there says so.
  void cpuTrainingIsBitIdenticalToBeforeDevices() {
    if (!startsWith(TORCH_VERSION, "1.13")) {
      QSKIP("the fingerprint belongs to Debian's LibTorch 1.13 (OpenBLAS); this is another");
    }
    QTemporaryDir dir;
    TrainingInputs in = smallInputs("dam:0.01");
    in.device = c10::Device(c10::kCPU);
    const uint64_t hash = cpuRunFingerprint(dir.filePath(QStringLiteral("run")).toStdString(), in);
    if (hash != 0xc56494ceac670466ULL) {
      QFAIL(QString::asprintf("the fingerprint is %016llx, not c56494ceac670466: CPU training "
                              "changed (or this CPU's BLAS kernels round differently)",
                              static_cast<unsigned long long>(hash))
                .toUtf8()
                .constData());
    }
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
