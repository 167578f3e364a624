#include "core/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>
#include <torch/serialize.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/io/json_file.h"
#include "core/io/safetensors.h"
#include "core/io/tensorboard.h"
#include "core/model/hf_checkpoint.h"
#include "core/model/hf_export.h"
#include "core/sys/allocator.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/threads.h"
#include "core/sys/torch_compat.h"
#include "core/text/hf_tokenizer_files.h"
#include "core/train/fused_adamw.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool excludedFromWeightDecay(const std::string& name) {
  return name.size() >= 5 && (name.compare(name.size() - 5, 5, ".bias") == 0 ||
                              name.find("LayerNorm") != std::string::npos ||
                              name.find("layer_norm") != std::string::npos);
}

// A generator seed for (seed, step, rank): splitmix64's finaliser over their mix.
uint64_t mixSeed(uint64_t seed, int64_t step, int rank) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(step) + 1) +
               0xD1B54A32D192ED03ULL * static_cast<uint64_t>(rank);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// Applies fn to every state tensor of an AdamW (its moments), replacing each with fn's result.
template <typename Fn>
void forEachOptimizerTensor(torch::optim::Optimizer& optimizer, Fn fn) {
  for (auto& item : optimizer.state()) {
    auto& state = static_cast<torch::optim::AdamWParamState&>(*item.second);
    if (state.exp_avg().defined()) state.exp_avg(fn(state.exp_avg()));
    if (state.exp_avg_sq().defined()) state.exp_avg_sq(fn(state.exp_avg_sq()));
    if (state.max_exp_avg_sq().defined()) state.max_exp_avg_sq(fn(state.max_exp_avg_sq()));
  }
}

nlohmann::json metricsJson(const EvaluationMetrics& m) {
  return {{"loss", m.loss},
          {"accuracy", m.accuracy},
          {"macro_f1", m.macroF1},
          {"confusion", m.confusion},
          {"examples", m.examples}};
}

}  // namespace

// --- hyperparameters ----------------------------------------------------------------------

nlohmann::json Hyperparameters::toJson() const {
  nlohmann::json j = {{"epochs", epochs},
                      {"batch_size", batchSize},
                      {"learning_rate", learningRate},
                      {"weight_decay", weightDecay},
                      {"warmup_ratio", warmupRatio},
                      {"max_grad_norm", maxGradNorm},
                      {"eval_every", evalEvery},
                      {"log_every", logEvery},
                      {"seed", seed},
                      {"keep_checkpoints", keepCheckpoints},
                      {"early_stopping_patience", earlyStoppingPatience}};
  // Only when set, so that the configurations (and resume keys) of earlier runs stay the same.
  if (saveEverySteps > 0) j["save_every"] = saveEverySteps;
  if (saveEverySeconds > 0) {
    const auto whole = [&](double unit) { return std::fmod(saveEverySeconds, unit) == 0; };
    const auto text = [&](double unit, const char* suffix) {
      std::ostringstream out;
      out << std::setprecision(15) << saveEverySeconds / unit << suffix;
      return out.str();
    };
    j["save_every"] = whole(3600) ? text(3600, "h") : whole(60) ? text(60, "m") : text(1, "s");
  }
  return j;
}

void parseSaveEvery(const std::string& text, const std::string& where, Hyperparameters& hyper) {
  const std::string expected =
      ": expected a step count (500) or a time (90s, 10m, 2h), got \"" + text + "\"";
  hyper.saveEverySteps = 0;
  hyper.saveEverySeconds = 0;
  if (const std::optional<int64_t> steps = parseNumber<int64_t>(text)) {
    if (*steps < 0) throw Error(where + expected);
    hyper.saveEverySteps = *steps;
    return;
  }
  const double unit = endsWith(text, "s")   ? 1
                      : endsWith(text, "m") ? 60
                      : endsWith(text, "h") ? 3600
                                            : 0;
  const std::optional<double> amount =
      unit > 0 ? parseNumber<double>(text.substr(0, text.size() - 1)) : std::nullopt;
  if (!amount || *amount < 0) throw Error(where + expected);
  hyper.saveEverySeconds = *amount * unit;
}

Hyperparameters Hyperparameters::fromJson(const nlohmann::json& j) {
  Hyperparameters h;
  const auto get = [&](const char* key, auto& out) {
    if (j.contains(key)) {
      // Exactly the field's type: 1.9 epochs or seed -1 are errors, not 1 and 2^64-1.
      out =
          jsonNumber<std::decay_t<decltype(out)>>(j.at(key), std::string("hyperparameters.") + key);
    }
  };
  get("epochs", h.epochs);
  get("batch_size", h.batchSize);
  get("learning_rate", h.learningRate);
  get("weight_decay", h.weightDecay);
  get("warmup_ratio", h.warmupRatio);
  get("max_grad_norm", h.maxGradNorm);
  get("eval_every", h.evalEvery);
  get("log_every", h.logEvery);
  get("seed", h.seed);
  get("keep_checkpoints", h.keepCheckpoints);
  get("early_stopping_patience", h.earlyStoppingPatience);
  if (j.contains("save_every")) {
    const nlohmann::json& value = j.at("save_every");
    const std::string where = "hyperparameters.save_every";
    if (value.is_string()) {
      parseSaveEvery(value.get<std::string>(), where, h);
    } else {
      h.saveEverySteps = jsonNumber<int64_t>(value, where);
      h.saveEverySeconds = 0;
    }
  }
  h.validate();
  return h;
}

void Hyperparameters::validate() const {
  const auto require = [](bool ok, const char* what) {
    if (!ok) throw Error(std::string("hyperparameters: ") + what);
  };
  require(epochs >= 1, "epochs must be at least 1");
  require(batchSize >= 1, "batch_size must be at least 1");
  require(learningRate > 0 && std::isfinite(learningRate), "learning_rate must be positive");
  require(weightDecay >= 0, "weight_decay must be non-negative");
  require(warmupRatio >= 0 && warmupRatio < 1, "warmup_ratio must be in [0, 1)");
  require(maxGradNorm >= 0, "max_grad_norm must be non-negative");
  require(evalEvery >= 0 && logEvery >= 1, "eval_every >= 0 and log_every >= 1");
  require(keepCheckpoints >= 1, "keep_checkpoints must be at least 1");
  require(earlyStoppingPatience >= 0, "early_stopping_patience must be non-negative");
  require(saveEverySteps >= 0 && saveEverySeconds >= 0 && std::isfinite(saveEverySeconds),
          "save_every must be a non-negative step count or time");
}

// --- control ------------------------------------------------------------------------------

void TrainerControl::pause() {
  paused_ = true;
}

void TrainerControl::resume() {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  wake_.notify_all();
}

void TrainerControl::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

void TrainerControl::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancel_ = true;
  }
  wake_.notify_all();
}

void TrainerControl::waitWhilePaused() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !paused_ || stop_ || cancel_; });
}

// --- the trainer --------------------------------------------------------------------------

struct Trainer::Impl {
  TrainingInputs in;
  Hyperparameters hp;
  RunDirectory dir;
  nlohmann::json runConfig;
  EventChannel& events;
  TrainerControl& control;
  std::shared_ptr<GradientSynchronizer> sync = std::make_shared<GradientSynchronizer>();

  std::unique_ptr<FusedAdamW> optimizer;
  std::vector<double> baseLearningRates;
  std::vector<at::Tensor> parameters;

  // Position and history, all saved in each checkpoint.
  int64_t step = 0;
  int epoch = 0;
  int64_t batchInEpoch = 0;
  double bestAccuracy = -1;
  int64_t bestStep = -1;
  int evalsWithoutImprovement = 0;
  double elapsedBefore = 0;
  // The best evaluation whose checkpoint is on disk.
  double checkpointedBestAccuracy = -1;
  int64_t checkpointedBestStep = -1;
  // False while the run is set up or resumed: a failure then leaves state.json as it was. True
  // once training goes on: from then on a failure is noted in state.json.
  bool committed = false;
  Clock::time_point sessionStart = Clock::now();
  std::deque<std::pair<Clock::time_point, int64_t>> recent;  // for throughput
  double sentencesPerSecond = 0;                             // the latest throughput
  // RUN/events.out.tfevents.*: the metrics again, for TensorBoard. Buffered, and written with
  // each training log record, after each checkpoint and at the end.
  TensorBoardWriter tensorboard;

  Impl(TrainingInputs inputs, Hyperparameters h, std::string path, nlohmann::json config,
       EventChannel& e, TrainerControl& c)
      : in(std::move(inputs)),
        hp(h),
        dir(std::move(path)),
        runConfig(std::move(config)),
        events(e),
        control(c) {}

  double elapsed() const {
    return elapsedBefore + std::chrono::duration<double>(Clock::now() - sessionStart).count();
  }

  // Data parallelism (see GradientSynchronizer): rank 0 leads.
  bool leader() const { return sync->rank() == 0; }
  bool parallel() const { return sync->worldSize() > 1; }

  // This rank's contiguous share of a global batch.
  std::vector<size_t> shareOf(const std::vector<size_t>& global) const {
    const size_t ranks = static_cast<size_t>(sync->worldSize());
    const size_t r = static_cast<size_t>(sync->rank());
    return {global.begin() + static_cast<std::ptrdiff_t>(global.size() * r / ranks),
            global.begin() + static_cast<std::ptrdiff_t>(global.size() * (r + 1) / ranks)};
  }

  // Makes every rank start where rank 0 does (new or resumed): its position, parameters and
  // optimizer state. Returns whether rank 0 resumed.
  bool shareTrainingState(bool resumed) {
    std::vector<at::Tensor> position{
        at::tensor(std::vector<int64_t>{resumed ? 1 : 0, step, epoch, batchInEpoch}, at::kLong)};
    sync->broadcast(position);
    const auto p = position[0].accessor<int64_t, 1>();
    resumed = p[0] != 0;
    step = p[1];
    epoch = static_cast<int>(p[2]);
    batchInEpoch = p[3];
    std::vector<at::Tensor> weights;
    for (const auto& item : in.model->named_parameters()) weights.push_back(item.value());
    sync->broadcast(weights);
    // AdamW's state: each parameter's step count (-1: none yet), then its two moments.
    auto& state = optimizer->state();
    std::vector<int64_t> steps;
    for (const at::Tensor& parameter : parameters) {
      const auto found = state.find(torch_compat::optimizerStateKey(parameter));
      steps.push_back(found == state.end()
                          ? -1
                          : static_cast<torch::optim::AdamWParamState&>(*found->second).step());
    }
    std::vector<at::Tensor> stepTensor{at::tensor(steps, at::kLong)};
    sync->broadcast(stepTensor);
    std::vector<at::Tensor> moments;
    for (size_t i = 0; i < parameters.size(); ++i) {
      const int64_t s = stepTensor[0][static_cast<int64_t>(i)].item<int64_t>();
      const auto key = torch_compat::optimizerStateKey(parameters[i]);
      if (s < 0) {
        state.erase(key);
        continue;
      }
      auto& slot = state[key];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->exp_avg(at::zeros_like(parameters[i], at::MemoryFormat::Preserve));
        fresh->exp_avg_sq(at::zeros_like(parameters[i], at::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& adam = static_cast<torch::optim::AdamWParamState&>(*slot);
      adam.step(s);
      moments.push_back(adam.exp_avg());
      moments.push_back(adam.exp_avg_sq());
    }
    sync->broadcast(moments);
    return resumed;
  }

  // Stop and cancel as every rank sees them: with data parallelism, as the ranks agreed.
  bool agreedStop = false, agreedCancel = false;
  bool stopping() const { return parallel() ? agreedStop : control.stopRequested(); }
  bool cancelling() const { return parallel() ? agreedCancel : control.cancelRequested(); }

  // Data-parallel: sums the loss over the ranks and agrees on stopping (any rank's stop or
  // cancel ends every rank at this step). Returns false to stop.
  bool agreeOnStep(double& lossValue) {
    at::Tensor agreed =
        at::tensor(std::vector<double>{lossValue, control.stopRequested() ? 1.0 : 0.0,
                                       control.cancelRequested() ? 1.0 : 0.0},
                   at::kDouble);
    sync->allReduceSum(agreed);
    const auto a = agreed.accessor<double, 1>();
    lossValue = a[0];
    // Decided by the sums alone: a stop that reaches this rank after it sent its flags waits
    // for the next step's agreement, so every rank leaves at the same step.
    agreedCancel = a[2] > 0;
    agreedStop = a[1] > 0 || agreedCancel;
    return !agreedStop;
  }

  void message(MessageEvent::Level level, const std::string& text) {
    events.publish(MessageEvent{level, text});
  }

  // TensorBoard is a second view of metrics.jsonl: a failed write there (a full disk) warns
  // once and ends the TensorBoard log, never the run.
  void flushTensorBoard() {
    try {
      tensorboard.flush();
    } catch (const Error& e) {
      // The writer closed itself: what follows is not logged there.
      message(MessageEvent::Level::Warning,
              std::string(e.what()) + "; TensorBoard logging stops (metrics.jsonl goes on)");
    }
  }

  void openTensorBoard(bool resumed) {
    try {
      tensorboard.open(dir.path());
    } catch (const Error& e) {
      message(MessageEvent::Level::Warning, std::string(e.what()) + "; no TensorBoard log");
      return;
    }
    const double now = TensorBoardWriter::now();
    // A resumed run writes again what followed its checkpoint: TensorBoard drops the old.
    if (resumed) tensorboard.sessionStart(step + 1, now);
    tensorboard.text("configuration", step, "```json\n" + runConfig.dump(2) + "\n```", now);
  }

  // state.json names the best checkpoint on disk (eval, predict and export use it), so it
  // follows the checkpoints, not an evaluation whose checkpoint may yet fail to be written.
  void writeState(RunState state, const std::string& message = {}) {
    if (!leader()) {  // data-parallel: rank 0 alone writes the run
      events.publish(StateEvent{state, message});
      return;
    }
    if (state != RunState::Running) flushTensorBoard();
    // total_steps lets a process that follows the run (the studio's multi-process runs) show
    // progress; world_size is how many data-parallel ranks this session trains on, which the
    // studio's Resume continues with.
    nlohmann::json record{{"state", toString(state)},
                          {"message", message},
                          {"step", step},
                          {"epoch", epoch},
                          {"best_step", checkpointedBestStep},
                          {"best_accuracy", checkpointedBestAccuracy},
                          {"elapsed_seconds", elapsed()},
                          {"world_size", sync->worldSize()}};
    if (stepsPerEpoch > 0) record["total_steps"] = stepsPerEpoch * hp.epochs;
    dir.writeState(record);
    events.publish(StateEvent{state, message});
  }

  void buildOptimizer() {
    std::vector<at::Tensor> decay, noDecay, dam;
    for (const auto& item : in.model->named_parameters()) {
      if (!item.value().requires_grad()) continue;
      if (SequenceClassifier::isDamParameter(item.key())) {
        dam.push_back(item.value());
      } else if (excludedFromWeightDecay(item.key())) {
        noDecay.push_back(item.value());
      } else {
        decay.push_back(item.value());
      }
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    const auto addGroup = [&](std::vector<at::Tensor> params, double lr, double wd) {
      auto options = std::make_unique<torch::optim::AdamWOptions>(lr);
      options->weight_decay(wd).eps(1e-8).betas({0.9, 0.999});
      parameters.insert(parameters.end(), params.begin(), params.end());
      groups.emplace_back(std::move(params), std::move(options));
      baseLearningRates.push_back(lr);
    };
    addGroup(decay, hp.learningRate, hp.weightDecay);
    addGroup(noDecay, hp.learningRate, 0.0);
    if (!dam.empty()) addGroup(dam, in.model->policy().dam().learningRate, 0.0);
    optimizer = std::make_unique<FusedAdamW>(std::move(groups),
                                             torch::optim::AdamWOptions(hp.learningRate));
  }

  // optimizer.pt always holds CPU tensors, so a checkpoint loads on any device.
  void saveOptimizer(std::ostream& out) {
    if (in.device.is_cpu()) {
      torch::save(*optimizer, out);
      return;
    }
    std::vector<at::Tensor> onDevice;
    forEachOptimizerTensor(*optimizer, [&](const at::Tensor& t) {
      onDevice.push_back(t);
      return t.cpu();
    });
    size_t next = 0;
    const auto putBack = [&] {
      forEachOptimizerTensor(*optimizer, [&](const at::Tensor&) { return onDevice.at(next++); });
    };
    try {
      torch::save(*optimizer, out);
    } catch (...) {
      putBack();
      throw;
    }
    putBack();
  }

  void setLearningRateFactor(double factor) {
    auto& groups = optimizer->param_groups();
    for (size_t g = 0; g < groups.size(); ++g) {
      static_cast<torch::optim::AdamWOptions&>(groups[g].options())
          .lr(baseLearningRates[g] * factor);
    }
  }

  // Linear warm-up to the base rate, then linear decay to zero at the last step.
  double scheduleFactor(int64_t s, int64_t total) const {
    const int64_t warmup = static_cast<int64_t>(std::ceil(hp.warmupRatio * total));
    if (s < warmup) return static_cast<double>(s + 1) / static_cast<double>(warmup);
    return std::max(0.0, static_cast<double>(total - s) /
                             static_cast<double>(std::max<int64_t>(1, total - warmup)));
  }

  // Writes a checkpoint, then state.json naming it, then prunes: state.json never names a
  // checkpoint that is gone. A failed write (a full disk) leaves no partial checkpoint behind.
  void saveCheckpoint(RunState state, const std::string& stateMessage = {}) {
    const std::string staging = dir.stageCheckpoint(step);
    try {
      std::vector<std::pair<std::string, at::Tensor>> tensors;
      for (const auto& item : in.model->named_parameters())
        tensors.emplace_back(item.key(), item.value());
      writeSafeTensors(staging + "/model.safetensors", tensors, {{"format", "pt"}});
      writeFileAtomically(staging + "/optimizer.pt",
                          [&](std::ostream& out) { saveOptimizer(out); });
      std::vector<std::pair<std::string, at::Tensor>> generators = {
          {"cpu_generator", at::detail::getDefaultCPUGenerator().get_state()}};
      if (in.device.is_cuda()) {  // dropout on the GPU draws from the device's generator
        generators.emplace_back("cuda_generator",
                                torch_compat::defaultGenerator(in.device).get_state());
      }
      writeSafeTensors(staging + "/rng.safetensors", generators);
      // What makes the checkpoint a Hugging Face directory too (from_pretrained loads it).
      writeHuggingFaceConfig(*in.model, staging, in.labelNames);
      if (in.tokenizer) {
        writeHuggingFaceTokenizer(*in.tokenizer, staging, in.collate.maxLength,
                                  huggingFaceTokenizerClass(in.model->config().architecture));
      }
      const nlohmann::json position = {{"step", step},
                                       {"epoch", epoch},
                                       {"batch_in_epoch", batchInEpoch},
                                       {"best_accuracy", bestAccuracy},
                                       {"best_step", bestStep},
                                       {"evals_without_improvement", evalsWithoutImprovement},
                                       {"metrics_size", dir.metricsSize()},
                                       {"elapsed_seconds", elapsed()},
                                       {"policy", in.model->policy().toString()}};
      // Written last: its presence is what marks a checkpoint complete.
      writeFileAtomically(staging + "/trainer_state.json", position.dump(2) + "\n");
      dir.commitCheckpoint(step, staging);
    } catch (...) {
      std::error_code ignored;
      fs::remove_all(staging, ignored);  // also gives a full disk its space back
      throw;
    }
    checkpointedBestAccuracy = bestAccuracy;
    checkpointedBestStep = bestStep;
    writeState(state, stateMessage);
    if (leader()) flushTensorBoard();
    dir.pruneCheckpoints(hp.keepCheckpoints, {bestStep});
  }

  // Loads a checkpoint into the model, the optimizer, the random generator and the trainer's
  // position; returns the metrics.jsonl size it recorded. Errors name the file at fault. A
  // failure may leave the model and optimizer half loaded: the caller then loads another
  // checkpoint over them completely, or gives up.
  uint64_t restoreCheckpoint(const std::string& path) {
    const std::string stateFile = path + "/trainer_state.json";
    nlohmann::json position;
    try {
      position = nlohmann::json::parse(readWholeFile(stateFile));
      for (const char* key : {"step", "epoch", "batch_in_epoch", "best_accuracy", "best_step",
                              "evals_without_improvement", "elapsed_seconds", "metrics_size"}) {
        position.at(key).get<double>();
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(stateFile + ": unreadable: " + e.what());
    }
    const SafeTensors weights = readSafeTensors(path + "/model.safetensors");
    const SafeTensors rng = readSafeTensors(path + "/rng.safetensors");
    if (rng.tensors.empty()) throw Error(path + "/rng.safetensors: no generator state");
    try {
      torch::load(*optimizer, path + "/optimizer.pt");  // CPU tensors (saveOptimizer)
      if (!in.device.is_cpu()) {
        forEachOptimizerTensor(*optimizer, [&](const at::Tensor& t) { return t.to(in.device); });
      }
    } catch (const c10::Error& e) {
      throw Error(path + "/optimizer.pt: unreadable: " + e.what_without_backtrace());
    }
    const LoadReport report =
        loadStateDict(*in.model, weights.tensors, path + "/model.safetensors");
    if (!report.missing.empty() || !report.unexpected.empty()) {
      throw Error(path + ": checkpoint does not match the model: " + report.describe("the model"));
    }
    at::Generator cpuGenerator = at::detail::getDefaultCPUGenerator();
    bool restoredCpu = false;
    for (const auto& [name, state] : rng.tensors) {
      if (name == "cpu_generator") {
        cpuGenerator.set_state(state);
        restoredCpu = true;
      } else if (name == "cuda_generator" && in.device.is_cuda()) {
        // A checkpoint from the CPU has none: the device's generator keeps the run's seed.
        torch_compat::defaultGenerator(in.device).set_state(state);
      }
    }
    if (!restoredCpu) cpuGenerator.set_state(rng.tensors.at(0).second);
    step = position.at("step");
    epoch = position.at("epoch");
    batchInEpoch = position.at("batch_in_epoch");
    bestAccuracy = checkpointedBestAccuracy = position.at("best_accuracy");
    bestStep = checkpointedBestStep = position.at("best_step");
    evalsWithoutImprovement = position.at("evals_without_improvement");
    elapsedBefore = position.at("elapsed_seconds");
    sessionStart = Clock::now();
    return position.at("metrics_size");
  }

  // Resuming is a transaction: checkpoints are read and checked, newest first, before any run
  // file changes, so a resume that cannot go on leaves the run (and its best checkpoint, which
  // eval, predict and export use) as it was. Returns false when there is no checkpoint at all.
  bool resumeFromCheckpoint() {
    const std::vector<int64_t> steps = dir.checkpointSteps();
    if (steps.empty()) return false;
    std::vector<std::pair<int64_t, std::string>> skipped;  // step, why
    for (auto newest = steps.rbegin(); newest != steps.rend(); ++newest) {
      const std::string path = dir.checkpointPath(*newest);
      uint64_t recordedMetricsSize = 0;
      try {
        recordedMetricsSize = restoreCheckpoint(path);
      } catch (const std::exception& e) {
        skipped.emplace_back(*newest, firstLine(e.what()));
        continue;
      }
      for (const auto& [damagedStep, why] : skipped) {
        const std::string damaged = dir.checkpointPath(damagedStep);
        const std::string aside = dir.setCheckpointAside(damagedStep);
        message(MessageEvent::Level::Warning, "skipped checkpoint " + damaged + " (" + why +
                                                  "), set aside as " + aside + "; resuming from " +
                                                  path);
      }
      const uint64_t kept = dir.truncateMetrics(recordedMetricsSize);
      if (kept < recordedMetricsSize) {
        message(MessageEvent::Level::Warning,
                dir.path() + "/metrics.jsonl: cut back to its last whole record (" +
                    std::to_string(kept) + " bytes; the checkpoint recorded " +
                    std::to_string(recordedMetricsSize) + "): the records in between are lost");
      }
      message(MessageEvent::Level::Info, "resumed from " + path);
      return true;
    }
    std::string reasons;
    for (const auto& [damagedStep, why] : skipped) reasons += "; " + why;
    throw Error(dir.path() + ": no checkpoint can be resumed from" + reasons);
  }

  // Which tensors a pretrained checkpoint did not provide (a new head) or provided unused, as
  // transformers says it (config.json's load_report): once, when the run starts.
  void reportModelLoad() {
    const std::string report = loadReportOf(runConfig);
    if (!report.empty()) message(MessageEvent::Level::Info, report);
  }

  // No checkpoint: training starts at step 0, so metrics from an earlier attempt would repeat
  // its steps. They are set aside, never deleted.
  void startFreshMetrics() {
    const std::string aside = dir.setMetricsAside();
    if (!aside.empty()) {
      message(MessageEvent::Level::Warning,
              dir.path() +
                  " has no checkpoint: training starts again from step 0; the earlier "
                  "metrics.jsonl was kept as " +
                  aside);
    }
  }

  void snapshotProbes() {
    at::NoGradGuard noGrad;
    in.model->eval();  // no dropout in what the studio shows
    ForwardOptions capture;
    capture.captureAttention = true;
    std::vector<double> keptFraction;
    for (const ProbeSentence& probe : in.probes) {
      std::vector<int64_t> ids(probe.ids.begin(), probe.ids.end());
      const int64_t length = static_cast<int64_t>(ids.size());
      const at::Tensor input = at::tensor(ids, at::kLong).view({1, length}).to(in.device);
      const ClassifierOutput out = in.model->forward(input, at::ones_like(input), capture);
      AttentionSnapshot snapshot;
      snapshot.step = step;
      snapshot.sentence = probe.text;
      snapshot.tokens = probe.tokens;
      const at::Tensor probs = at::softmax(out.logits[0], -1).cpu().contiguous();
      snapshot.probabilities.assign(probs.data_ptr<float>(),
                                    probs.data_ptr<float>() + probs.numel());
      for (const LayerAttention& layer : out.attention) {
        snapshot.before.push_back(layer.before[0].cpu().contiguous());
        snapshot.after.push_back(layer.after[0].cpu().contiguous());
      }
      // The fraction of keys the policy keeps, per layer, over the probe sentences.
      for (size_t layer = 0; layer < out.attention.size(); ++layer) {
        if (keptFraction.size() <= layer) keptFraction.push_back(0.0);
        keptFraction[layer] += out.attention[layer].keep.to(at::kDouble).mean().item<double>() /
                               static_cast<double>(in.probes.size());
      }
      snapshot.damKeep = damKeepProbabilities(*in.model, length);
      for (at::Tensor& keep : snapshot.damKeep) keep = keep.cpu();
      events.publish(std::move(snapshot));
    }
    const double now = TensorBoardWriter::now();
    for (size_t layer = 0; layer < keptFraction.size(); ++layer) {
      tensorboard.scalar("attention/kept_fraction/layer_" + std::to_string(layer), step,
                         keptFraction[layer], now);
    }
  }

  // Returns true when early stopping says to finish.
  bool evaluateAndRecord(const data::BatchLoader& devLoader) {
    std::vector<int64_t> predictions;
    const EvaluationMetrics m = Trainer::evaluate(
        *in.model, devLoader, static_cast<int>(in.labelNames.size()), &predictions);
    const bool best = m.accuracy > bestAccuracy;
    if (best) {
      bestAccuracy = m.accuracy;
      bestStep = step;
      evalsWithoutImprovement = 0;
    } else {
      ++evalsWithoutImprovement;
    }
    const double epochProgress =
        epoch + static_cast<double>(batchInEpoch) / std::max<int64_t>(1, stepsPerEpoch);
    nlohmann::json record = metricsJson(m);
    record["type"] = "eval";
    record["step"] = step;
    record["epoch"] = epochProgress;
    record["best"] = best;
    record["time"] = elapsed();
    dir.appendMetric(record);
    const double now = TensorBoardWriter::now();
    tensorboard.scalar("eval/accuracy", step, m.accuracy, now);
    tensorboard.scalar("eval/loss", step, m.loss, now);
    tensorboard.scalar("eval/macro_f1", step, m.macroF1, now);
    dir.writePredictions(
        step, {{"step", step}, {"labels", in.dev->labels}, {"predictions", predictions}});
    events.publish(EvaluationEvent{step, epochProgress, elapsed(), m, best});
    snapshotProbes();
    return hp.earlyStoppingPatience > 0 && evalsWithoutImprovement >= hp.earlyStoppingPatience;
  }

  void publishProgress(int64_t totalSteps, int64_t sentences) {
    const auto now = Clock::now();
    recent.emplace_back(now, sentences);
    while (recent.size() > 20) recent.pop_front();
    double rate = 0, eta = 0;
    if (recent.size() >= 2) {
      const double seconds =
          std::chrono::duration<double>(recent.back().first - recent.front().first).count();
      int64_t count = 0;
      for (size_t i = 1; i < recent.size(); ++i) count += recent[i].second;
      rate = seconds > 0 ? count / seconds : 0;
      const double stepSeconds = seconds / static_cast<double>(recent.size() - 1);
      eta = stepSeconds * static_cast<double>(totalSteps - step);
    }
    sentencesPerSecond = rate;
    events.publish(ProgressEvent{step, totalSteps, rate, eta});
  }

  int64_t stepsPerEpoch = 0;

  RunState train() {
    hp.validate();
    keepFreedTensorMemory();
    if (!in.model || !in.train || !in.dev || in.labelNames.empty()) {
      throw Error("trainer: model, train and dev data and label names are required");
    }
    at::manual_seed(hp.seed);                          // and every CUDA device's generator
    if (!in.device.is_cpu()) in.model->to(in.device);  // before the optimizer takes its tensors
    // Data-parallel: rank 0 alone reads and writes the run directory; the others take its
    // position, parameters and optimizer state (shareTrainingState).
    std::optional<RunLock> lock;  // until training ends, however it ends
    if (leader()) {
      dir.create();
      lock.emplace(dir.path());
      if (dir.hasConfig()) {
        const nlohmann::json recorded = dir.readConfig();
        const nlohmann::json key = runConfig.value("resume_key", nlohmann::json());
        requireResumableWith(dir.path(), recorded, key);
        // Inputs that moved (same content) are recorded where they are now.
        const nlohmann::json updated = withCurrentInputPaths(recorded, key);
        if (updated != recorded) dir.writeConfig(updated);
      } else {
        dir.writeConfig(runConfig);
      }
    }
    buildOptimizer();
    bool resumed = leader() && resumeFromCheckpoint();
    if (leader() && !resumed) {
      startFreshMetrics();
      reportModelLoad();
    }
    sync->useDevice(in.device);
    if (parallel()) resumed = shareTrainingState(resumed);
    sync->prepare(parameters);
    committed = true;
    const auto trainLoader =
        data::BatchLoader::training(in.train, hp.batchSize, hp.seed, in.collate);
    const auto devLoader = data::BatchLoader::evaluation(in.dev, hp.batchSize, in.collate);
    stepsPerEpoch = static_cast<int64_t>(trainLoader.plan(0).size());
    const int64_t totalSteps = stepsPerEpoch * hp.epochs;
    if (resumed && step >= totalSteps) {
      writeState(RunState::Finished, "already finished");
      return RunState::Finished;
    }
    if (leader()) openTensorBoard(resumed);
    writeState(RunState::Running);

    // Threads crisp chose itself follow the load; those the user chose stay as they are.
    std::optional<ThreadGovernor> governor;
    if (const std::optional<ThreadChoice> threads = configuredThreads();
        threads && threads->automatic() && threads->count > 1) {
      setCurrentThreadCount(threads->count);  // OpenMP's count is per thread: this one's
      governor.emplace(threads->count, threads->cpus.usableCpus(), std::chrono::seconds(2));
    }
    auto lastSave = Clock::now();
    int64_t lastSaveStep = step;

    bool finishedEarly = false;
    for (; epoch < hp.epochs && !finishedEarly; ++epoch, batchInEpoch = 0) {
      const data::BatchPlan plan = trainLoader.plan(static_cast<uint64_t>(epoch));
      for (; batchInEpoch < static_cast<int64_t>(plan.size());) {
        if (control.paused()) {
          writeState(RunState::Paused);
          control.waitWhilePaused();
          if (!control.stopRequested()) writeState(RunState::Running);
        }
        if (!parallel() && control.stopRequested()) break;  // ranks agree below

        in.model->train();
        // Data-parallel dropout masks follow (seed, step, rank), so a resumed run needs no
        // other rank's generator state.
        if (parallel()) at::manual_seed(mixSeed(hp.seed, step, sync->rank()));
        setLearningRateFactor(scheduleFactor(step, totalSteps));
        const std::vector<size_t>& global = plan[static_cast<size_t>(batchInEpoch)];
        const std::vector<size_t> local = parallel() ? shareOf(global) : global;
        // Each rank's loss is its share of the global batch's mean: summed gradients equal one
        // process's on the whole batch (uneven shares included).
        const double share = static_cast<double>(local.size()) / static_cast<double>(global.size());
        at::Tensor loss;
        if (!local.empty()) {
          data::Batch batch = trainLoader.batch(local);
          if (!in.device.is_cpu()) batch = batch.to(in.device);
          const torch_compat::AutocastScope precision(in.device, in.computeType);
          const ClassifierOutput out = in.model->forward(batch.inputIds, batch.attentionMask);
          loss = parallel()
                     ? at::cross_entropy_loss(out.logits, batch.labels, {}, at::Reduction::Sum) /
                           static_cast<double>(global.size())
                     : at::cross_entropy_loss(out.logits, batch.labels);
          if (out.regularizer.defined())
            loss = loss + (parallel() ? out.regularizer * share : out.regularizer);
          if (step == hp.injectNanAtStep) loss = loss * std::numeric_limits<double>::quiet_NaN();
        }
        double lossValue = loss.defined() ? loss.item<double>() : 0.0;
        if (parallel() && !agreeOnStep(lossValue)) break;
        if (!std::isfinite(lossValue)) {
          const std::vector<int64_t> kept =
              leader() ? dir.checkpointSteps() : std::vector<int64_t>{};
          const std::string text =
              "non-finite training loss (" + std::to_string(lossValue) + ") at step " +
              std::to_string(step + 1) + ", epoch " + std::to_string(epoch + 1) +
              "; training stopped. " +
              (kept.empty() ? std::string("No checkpoint was written before it.")
                            : "The last good checkpoint is " + dir.checkpointPath(kept.back()));
          message(MessageEvent::Level::Error, text);
          if (leader())
            dir.appendMetric({{"type", "error"}, {"step", step + 1}, {"message", text}});
          writeState(RunState::Failed, text);
          return RunState::Failed;
        }
        optimizer->releaseGradients();
        if (loss.defined()) loss.backward();
        sync->synchronize(parameters);
        // Clipping is folded into the optimizer's pass over each gradient (FusedAdamW: one
        // loop on the CPU, ATen's fused multi-tensor kernel on a GPU).
        const GradientClip clip =
            hp.maxGradNorm > 0 ? gradientClip(parameters, hp.maxGradNorm) : GradientClip{};
        const double gradNorm = clip.norm;
        optimizer->step(clip.scale);
        ++step;
        ++batchInEpoch;

        const double lr = baseLearningRates[0] * scheduleFactor(step - 1, totalSteps);
        const double epochProgress = epoch + static_cast<double>(batchInEpoch) / stepsPerEpoch;
        if (leader()) {
          events.publish(StepEvent{step, epochProgress, lossValue, lr, gradNorm, elapsed()});
          publishProgress(totalSteps, static_cast<int64_t>(global.size()));
        }
        if (leader() && step % hp.logEvery == 0) {
          dir.appendMetric({{"type", "train"},
                            {"step", step},
                            {"epoch", epochProgress},
                            {"loss", lossValue},
                            {"learning_rate", lr},
                            {"grad_norm", gradNorm},
                            {"time", elapsed()}});
          const double now = TensorBoardWriter::now();
          tensorboard.scalar("train/loss", step, lossValue, now);
          tensorboard.scalar("train/learning_rate", step, lr, now);
          tensorboard.scalar("train/grad_norm", step, gradNorm, now);
          if (sentencesPerSecond > 0) {
            tensorboard.scalar("train/sentences_per_second", step, sentencesPerSecond, now);
          }
          flushTensorBoard();
        }
        const bool epochEnd = batchInEpoch == static_cast<int64_t>(plan.size());
        if ((hp.evalEvery > 0 && step % hp.evalEvery == 0) || epochEnd) {
          if (epochEnd) {  // the checkpoint's position: the start of the next epoch
            ++epoch;
            batchInEpoch = 0;
          }
          if (leader()) {
            finishedEarly = evaluateAndRecord(devLoader);
            saveCheckpoint(RunState::Running);
            lastSave = Clock::now();
            lastSaveStep = step;
          }
          if (parallel()) {  // rank 0's early-stopping decision
            std::vector<at::Tensor> decision{at::tensor({finishedEarly ? 1 : 0}, at::kLong)};
            sync->broadcast(decision);
            finishedEarly = decision[0].item<int64_t>() != 0;
          }
          if (epochEnd) {
            --epoch;  // the for-loop increments it again
            batchInEpoch = static_cast<int64_t>(plan.size());
          }
          if (finishedEarly) {
            message(MessageEvent::Level::Info, "early stopping: no improvement in " +
                                                   std::to_string(hp.earlyStoppingPatience) +
                                                   " evaluations");
            break;
          }
        }
        const bool saveDue = step != lastSaveStep &&
                             ((hp.saveEverySteps > 0 && step - lastSaveStep >= hp.saveEverySteps) ||
                              (hp.saveEverySeconds > 0 &&
                               std::chrono::duration<double>(Clock::now() - lastSave).count() >=
                                   hp.saveEverySeconds));
        // Rank 0 alone writes checkpoints, with no collective: its own clock may decide.
        if (saveDue && leader()) {
          saveCheckpoint(RunState::Running);
          lastSave = Clock::now();
          lastSaveStep = step;
        }
        if (governor) {
          if (const std::optional<int> threads = governor->poll()) {
            std::ostringstream text;
            text << "intra-op threads now " << *threads << " of " << configuredThreads()->count
                 << " (other processes used " << std::fixed << std::setprecision(1)
                 << governor->othersCpus() << " CPUs of these)";
            message(MessageEvent::Level::Info, text.str());
            if (leader())
              dir.appendMetric({{"type", "threads"},
                                {"step", step},
                                {"threads", *threads},
                                {"other_processes_cpus", governor->othersCpus()}});
          }
        }
      }
      if (stopping()) break;
    }

    if (cancelling()) {
      writeState(RunState::Cancelled, "cancelled at step " + std::to_string(step));
      return RunState::Cancelled;
    }
    if (stopping()) {
      if (batchInEpoch >= stepsPerEpoch) {
        ++epoch;
        batchInEpoch = 0;
      }
      if (leader())
        saveCheckpoint(RunState::Stopped, "stopped at step " + std::to_string(step));
      else
        writeState(RunState::Stopped, "stopped at step " + std::to_string(step));
      return RunState::Stopped;
    }
    writeState(RunState::Finished, "best dev accuracy " + std::to_string(bestAccuracy) +
                                       " at step " + std::to_string(bestStep));
    return RunState::Finished;
  }
};

Trainer::Trainer(TrainingInputs inputs, Hyperparameters hyper, std::string runDirectory,
                 nlohmann::json runConfig)
    : impl_(std::make_unique<Impl>(std::move(inputs), hyper, std::move(runDirectory),
                                   std::move(runConfig), events_, control_)) {}

Trainer::~Trainer() = default;

void Trainer::setGradientSynchronizer(std::shared_ptr<GradientSynchronizer> sync) {
  impl_->sync = std::move(sync);
}

RunState Trainer::run() {
  // Grad mode is per thread: a caller's NoGradGuard (inference code on the same thread) must
  // not turn training into forward passes with nothing to differentiate.
  const at::AutoGradMode gradients(true);
  try {
    return impl_->train();
  } catch (const std::exception& e) {
    const std::string text = firstLine(e.what());
    impl_->message(MessageEvent::Level::Error, text);
    if (!impl_->committed) {
      // Setting up or resuming failed: the run's files stay as they were.
      impl_->events.publish(StateEvent{RunState::Failed, text});
      return RunState::Failed;
    }
    try {
      impl_->writeState(RunState::Failed, text);
    } catch (const std::exception&) {
      // The run directory itself is unwritable; the event above still reaches the user.
    }
    return RunState::Failed;
  }
}

EvaluationMetrics Trainer::evaluate(SequenceClassifier& model, const data::BatchLoader& loader,
                                    int numLabels, std::vector<int64_t>* predictions,
                                    std::vector<float>* probabilities) {
  at::NoGradGuard noGrad;
  const bool wasTraining = model.is_training();
  model.eval();
  EvaluationMetrics m;
  m.confusion.assign(numLabels, std::vector<int64_t>(numLabels, 0));
  double lossSum = 0;
  const auto parameters = model.parameters();
  const c10::Device device = parameters.empty() ? c10::Device(c10::kCPU) : parameters[0].device();
  for (const auto& indices : loader.plan(0)) {
    const data::Batch batch = loader.batch(indices);
    at::Tensor logits;
    if (device.is_cpu()) {
      logits = model.forward(batch.inputIds, batch.attentionMask).logits;
      lossSum +=
          at::cross_entropy_loss(logits, batch.labels, {}, at::Reduction::Sum).item<double>();
    } else {  // the model's device computes; the counting below reads CPU tensors
      const data::Batch onDevice = batch.to(device);
      logits = model.forward(onDevice.inputIds, onDevice.attentionMask).logits;
      lossSum +=
          at::cross_entropy_loss(logits, onDevice.labels, {}, at::Reduction::Sum).item<double>();
      logits = logits.cpu();
    }
    const at::Tensor predicted = logits.argmax(-1);
    if (probabilities) {
      const at::Tensor p = at::softmax(logits, -1).to(at::kFloat).contiguous();
      probabilities->insert(probabilities->end(), p.data_ptr<float>(),
                            p.data_ptr<float>() + p.numel());
    }
    const auto p = predicted.accessor<int64_t, 1>();
    const auto t = batch.labels.accessor<int64_t, 1>();
    for (int64_t i = 0; i < predicted.size(0); ++i) {
      if (t[i] < 0 || t[i] >= numLabels) throw Error("evaluation: label out of range");
      ++m.confusion[t[i]][p[i]];
      if (predictions) predictions->push_back(p[i]);
    }
    m.examples += predicted.size(0);
  }
  if (wasTraining) model.train();
  int64_t correct = 0;
  double f1Sum = 0;
  for (int c = 0; c < numLabels; ++c) {
    correct += m.confusion[c][c];
    int64_t predictedC = 0, actualC = 0;
    for (int k = 0; k < numLabels; ++k) {
      predictedC += m.confusion[k][c];
      actualC += m.confusion[c][k];
    }
    const double denom = static_cast<double>(predictedC + actualC);
    f1Sum += denom > 0 ? 2.0 * m.confusion[c][c] / denom : 0.0;
  }
  m.accuracy = m.examples ? static_cast<double>(correct) / m.examples : 0.0;
  m.macroF1 = numLabels ? f1Sum / numLabels : 0.0;
  m.loss = m.examples ? lossSum / m.examples : 0.0;
  return m;
}

}  // namespace crisp
