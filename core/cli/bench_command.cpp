#include "core/cli/bench_command.h"

#include <ATen/ATen.h>
#include <sys/resource.h>
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/analysis/flops.h"
#include "core/cli/command_support.h"
#include "core/model/classifier.h"
#include "core/sys/allocator.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/threads.h"
#include "core/sys/torch_compat.h"
#include "core/train/experiment.h"
#include "core/train/fused_adamw.h"
#include "core/train/run_directory.h"

namespace crisp::cli {
namespace {

// BERT's uncased WordPiece vocabulary, so that the embedding table (and its AdamW update) has
// the size it has in a real fine-tuning run.
constexpr int kVocabSize = 30522;

double peakRssMb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// User + system CPU time of the whole process so far: with the machine's busy time over the
// same interval, it tells how much CPU other processes took (bench/compare_train_step.sh).
double processCpuMs() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

int runTrainStepBench(const TrainStepOptions& options, std::ostream& out, std::ostream& err) {
  try {
    if (options.batch < 1 || options.seq < 1 || options.steps < 1 || options.warmup < 0) {
      throw InputError("--batch, --seq and --steps must be positive, --warmup non-negative");
    }
    const ModelConfig config =
        readingInput([&] { return ModelConfig::preset(options.preset, kVocabSize); });
    if (options.seq > config.maxPositions) {
      throw InputError("--seq " + std::to_string(options.seq) + " exceeds the model's " +
                       std::to_string(config.maxPositions) + " positions");
    }
    const AttentionPolicySpec policy =
        readingInput([&] { return AttentionPolicySpec::parse(options.attention); });
    const c10::Device device = resolveDevice(options.device, "--device");
    const at::ScalarType computeType = crisp::computeType(
        normalizePrecision(options.precision, "--precision"), device, "--precision");
    keepFreedTensorMemory();  // as the trainer does

    at::manual_seed(20251);
    std::shared_ptr<SequenceClassifier> model = makeClassifier(config);
    model->setPolicy(policy);
    model->train();
    model->to(device);
    // Full-length rows of random non-padding ids; every key is real.
    const at::Tensor ids =
        at::randint(1, kVocabSize, {options.batch, options.seq}, at::kLong).to(device);
    const at::Tensor mask = at::ones({options.batch, options.seq}, at::kLong).to(device);
    const at::Tensor labels =
        at::randint(0, config.numLabels, {options.batch}, at::kLong).to(device);
    if (options.optimizer != "fused" && options.optimizer != "libtorch") {
      throw InputError("--optimizer must be fused or libtorch, not \"" + options.optimizer + "\"");
    }
    const bool fused = options.optimizer == "fused";
    FusedAdamW optimizer(model->parameters(), torch::optim::AdamWOptions(2e-5));

    // One step; fills the milliseconds of its phases: zero_grad + forward + loss, backward,
    // optimizer.
    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    const auto now = [&device] {  // on a GPU, a phase ends when its queue is done
      if (device.is_cuda()) torch::cuda::synchronize(device.index());
      return Clock::now();
    };
    const auto step = [&](double phases[3]) {
      const auto start = now();
      if (fused) {
        optimizer.releaseGradients();
      } else {
        optimizer.zero_grad();
      }
      at::Tensor loss;
      {
        const torch_compat::AutocastScope precision(device, computeType);  // as the trainer
        const ClassifierOutput result = model->forward(ids, mask);
        loss = at::cross_entropy_loss(result.logits, labels);
        if (result.regularizer.defined()) loss = loss + result.regularizer;
      }
      const auto forwardDone = now();
      loss.backward();
      const auto backwardDone = now();
      if (fused) {
        optimizer.step(1.0F);
      } else {
        optimizer.torch::optim::AdamW::step();  // LibTorch's own update, for comparison
      }
      const auto end = now();
      phases[0] = ms(start, forwardDone);
      phases[1] = ms(forwardDone, backwardDone);
      phases[2] = ms(backwardDone, end);
    };
    double phases[3];
    for (int i = 0; i < options.warmup; ++i) step(phases);
    std::vector<double> times, forwardMs, backwardMs, optimizerMs;
    for (int i = 0; i < options.steps; ++i) {
      step(phases);
      times.push_back(phases[0] + phases[1] + phases[2]);
      forwardMs.push_back(phases[0]);
      backwardMs.push_back(phases[1]);
      optimizerMs.push_back(phases[2]);
    }

    nlohmann::ordered_json j;
    j["step_ms_median"] = median(times);
    j["step_ms_min"] = *std::min_element(times.begin(), times.end());
    j["peak_rss_mb"] = peakRssMb();
    j["preset"] = options.preset;
    j["attention"] = policy.toString();
    j["threads"] = currentThreadCount();
    j["batch"] = options.batch;
    j["seq"] = options.seq;
    j["steps"] = options.steps;
    j["warmup"] = options.warmup;
    j["implementation"] = "crisp (LibTorch)";
    j["optimizer"] = fused ? "fused" : "libtorch";
    j["device"] = device.str();
    j["precision"] = normalizePrecision(options.precision, "--precision");
    j["forward_ms_median"] = median(forwardMs);
    j["backward_ms_median"] = median(backwardMs);
    j["optimizer_ms_median"] = median(optimizerMs);
    j["step_ms"] = times;
    j["process_cpu_ms"] = processCpuMs();
    if (options.json) {
      out << j.dump() << "\n";
    } else {
      out << "train step  " << options.preset << ", batch " << options.batch << " x " << options.seq
          << " tokens, attention " << policy.toString() << ", " << currentThreadCount()
          << " threads, " << options.optimizer << " AdamW\n"
          << "median      " << j["step_ms_median"].get<double>() << " ms over " << options.steps
          << " steps (" << options.warmup << " warm-up)\n"
          << "min         " << j["step_ms_min"].get<double>() << " ms\n"
          << "phases      forward " << j["forward_ms_median"].get<double>() << " ms, backward "
          << j["backward_ms_median"].get<double>() << " ms, optimizer "
          << j["optimizer_ms_median"].get<double>() << " ms (medians)\n"
          << "peak RSS    " << j["peak_rss_mb"].get<double>() << " MB\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("bench train-step", e, err);  // 2 for a device there is not
  }
}

namespace {

// A private scratch directory, removed with everything in it when the bench ends.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "crisp-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw Error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Copies the header and the first `rows` data rows of a GLUE TSV.
void copyHead(const std::string& from, const std::string& to, int rows) {
  std::ifstream in(from);
  if (!in) throw InputError(from + ": cannot open");
  std::ofstream out(to);
  std::string line;
  for (int i = 0; i <= rows && std::getline(in, line); ++i) out << line << "\n";
  if (!out) throw Error(to + ": cannot write");
}

std::vector<int64_t> tensorValues(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

}  // namespace

int runThroughputBench(const ThroughputOptions& options, std::ostream& out, std::ostream& err) {
  try {
    if (options.trainData.empty() || (options.tokenizer.empty() && options.model.empty())) {
      throw InputError("--train and --tokenizer (or --model) are required");
    }
    if (options.sentences < 1 || options.batch < 1 || options.warmupSteps < 1) {
      // The rate starts at the end of a step: the trainer's clock also counts its set-up.
      throw InputError("--sentences, --batch and --warmup-steps must be positive");
    }
    // Resolved first, so that a device there is not exits 2 before any data is read.
    const c10::Device device = resolveDevice(options.device, "--device");
    const std::string precision = normalizePrecision(options.precision, "--precision");
    computeType(precision, device, "--precision");
    const ScratchDirectory scratch;
    ExperimentConfig experiment;
    experiment.device = device.str();
    experiment.precision = precision;
    experiment.name = "throughput";
    experiment.model = options.model.empty() ? "preset:" + options.preset : options.model;
    experiment.tokenizer = options.tokenizer;
    experiment.trainData = scratch.path() + "/train.tsv";
    experiment.devData = scratch.path() + "/dev.tsv";
    copyHead(options.trainData, experiment.trainData, options.sentences);
    copyHead(options.trainData, experiment.devData, 64);  // the evaluation is not timed
    experiment.policy = options.attention;
    experiment.maxLength = options.maxLength;
    experiment.hyper.epochs = 1;
    experiment.hyper.batchSize = options.batch;
    experiment.hyper.learningRate = 2e-5;
    experiment.hyper.logEvery = 1;  // a metrics.jsonl record (step, time) for every step
    experiment.hyper.keepCheckpoints = 1;

    // As for crisp train: what cannot be prepared (data, tokenizer, model, policy) is bad input.
    PreparedExperiment prepared = readingInput([&] { return prepareExperiment(experiment); });
    const auto trainSet = prepared.inputs.train;
    // The trainer's own plan for epoch 0 (same data, batch size, seed and collation).
    const auto loader = data::BatchLoader::training(trainSet, static_cast<size_t>(options.batch),
                                                    experiment.hyper.seed, prepared.inputs.collate);
    const data::BatchPlan plan = loader.plan(0);
    const int64_t steps = static_cast<int64_t>(plan.size());
    if (steps <= options.warmupSteps + 1) {
      throw Error("only " + std::to_string(steps) + " steps: give more --sentences than " +
                  std::to_string((options.warmupSteps + 2) * options.batch));
    }
    const std::string runPath = scratch.path() + "/run";
    Trainer trainer(std::move(prepared.inputs), experiment.hyper, runPath, prepared.runConfig);
    const RunState state = trainer.run();
    if (state != RunState::Finished) {
      throw Error("the training run ended " + toString(state) + ": " +
                  RunDirectory(runPath).readState().value("message", std::string()));
    }

    std::vector<double> stepTime(static_cast<size_t>(steps) + 1, -1.0);
    for (const nlohmann::json& record : RunDirectory(runPath).readMetrics()) {
      if (record.value("type", "") != "train") continue;
      const int64_t step = record.value("step", int64_t{0});
      if (step >= 1 && step <= steps) stepTime[static_cast<size_t>(step)] = record["time"];
    }
    const size_t first = static_cast<size_t>(options.warmupSteps) + 1;
    if (stepTime[first - 1] < 0 || stepTime.back() < 0) {
      throw Error("metrics.jsonl lacks the step records the rate needs");
    }
    // Steps first..steps are timed; they ran plan[first-1 .. steps-1].
    int64_t sentences = 0, paddedTokens = 0;
    for (size_t i = first - 1; i < plan.size(); ++i) {
      size_t longest = 0;  // what collation pads the batch to
      for (size_t index : plan[i]) {
        longest = std::max(
            longest, data::truncatedLength(trainSet->ids[index].size(), loader.options().collate));
      }
      sentences += static_cast<int64_t>(plan[i].size());
      paddedTokens += static_cast<int64_t>(plan[i].size() * longest);
    }
    const double seconds = stepTime.back() - stepTime[first - 1];

    if (!options.batchesOut.empty()) {
      std::ofstream dump(options.batchesOut);
      if (!dump) throw Error(options.batchesOut + ": cannot write");
      for (const auto& indices : plan) {
        const data::Batch batch = loader.batch(indices);
        const int64_t rows = batch.inputIds.size(0), length = batch.inputIds.size(1);
        const std::vector<int64_t> ids = tensorValues(batch.inputIds);
        const std::vector<int64_t> mask = tensorValues(batch.attentionMask);
        nlohmann::json line = {{"rows", rows},
                               {"length", length},
                               {"ids", ids},
                               {"mask", mask},
                               {"labels", tensorValues(batch.labels)}};
        dump << line.dump() << "\n";
      }
      if (!dump) throw Error(options.batchesOut + ": cannot write");
    }

    nlohmann::ordered_json j;
    j["sentences_per_second"] = static_cast<double>(sentences) / seconds;
    j["peak_rss_mb"] = peakRssMb();
    const std::string modelName = options.model.empty() ? options.preset : options.model;
    j["preset"] = options.model.empty() ? options.preset : std::string();
    j["model"] = modelName;
    j["attention"] = options.attention;
    j["threads"] = currentThreadCount();
    j["batch"] = options.batch;
    j["steps"] = steps;
    j["timed_steps"] = steps - static_cast<int64_t>(first) + 1;
    j["timed_sentences"] = sentences;
    j["timed_seconds"] = seconds;
    j["mean_padded_length"] = static_cast<double>(paddedTokens) / static_cast<double>(sentences);
    j["device"] = experiment.device;
    j["precision"] = experiment.precision;
    j["implementation"] = "crisp Trainer (LibTorch)";
    j["process_cpu_ms"] = processCpuMs();
    if (options.json) {
      out << j.dump() << "\n";
    } else {
      out << "train throughput  " << modelName << ", " << options.attention << ", batch "
          << options.batch << ", " << currentThreadCount() << " threads\n"
          << "rate              " << j["sentences_per_second"].get<double>() << " sentences/s over "
          << j["timed_steps"].get<int64_t>() << " steps (" << sentences
          << " sentences, mean padded length " << j["mean_padded_length"].get<double>() << ")\n"
          << "peak RSS          " << j["peak_rss_mb"].get<double>() << " MB\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("bench train-throughput", e, err);
  }
}

int runFlopsTable(const FlopsOptions& options, std::ostream& out, std::ostream& err) {
  try {
    const ModelConfig config =
        readingInput([&] { return ModelConfig::preset(options.preset, kVocabSize); });
    // Everything here follows from the flags: a failure is a policy or size they got wrong.
    out << readingInput([&] {
      return options.json
                 ? flopsJson(config, options.seq, options.batch, options.policies).dump(2) + "\n"
                 : flopsTable(config, options.seq, options.batch, options.policies);
    });
    return 0;
  } catch (const std::exception& e) {
    return reportError("bench flops", e, err);
  }
}

}  // namespace crisp::cli
