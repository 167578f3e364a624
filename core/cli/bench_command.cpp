#include "core/cli/bench_command.h"

#include <ATen/ATen.h>
#include <sys/resource.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/analysis/flops.h"
#include "core/model/classifier.h"
#include "core/sys/error.h"
#include "core/sys/threads.h"

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
      throw Error("--batch, --seq and --steps must be positive, --warmup non-negative");
    }
    if (options.threads) configureThreads(options.threads, std::nullopt);
    const ModelConfig config = ModelConfig::preset(options.preset, kVocabSize);
    if (options.seq > config.maxPositions) {
      throw Error("--seq " + std::to_string(options.seq) + " exceeds the model's " +
                  std::to_string(config.maxPositions) + " positions");
    }
    const AttentionPolicySpec policy = AttentionPolicySpec::parse(options.attention);

    at::manual_seed(20251);
    std::shared_ptr<SequenceClassifier> model = makeClassifier(config);
    model->setPolicy(policy);
    model->train();
    // Full-length rows of random non-padding ids; every key is real.
    const at::Tensor ids = at::randint(1, kVocabSize, {options.batch, options.seq}, at::kLong);
    const at::Tensor mask = at::ones({options.batch, options.seq}, at::kLong);
    const at::Tensor labels = at::randint(0, config.numLabels, {options.batch}, at::kLong);
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(2e-5));

    const auto step = [&] {
      optimizer.zero_grad();
      const ClassifierOutput result = model->forward(ids, mask);
      at::Tensor loss = at::cross_entropy_loss(result.logits, labels);
      if (result.regularizer.defined()) loss = loss + result.regularizer;
      loss.backward();
      optimizer.step();
    };
    for (int i = 0; i < options.warmup; ++i) step();
    std::vector<double> times;
    for (int i = 0; i < options.steps; ++i) {
      const auto start = std::chrono::steady_clock::now();
      step();
      times.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
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
    j["step_ms"] = times;
    j["process_cpu_ms"] = processCpuMs();
    if (options.json) {
      out << j.dump() << "\n";
    } else {
      out << "train step  " << options.preset << ", batch " << options.batch << " x " << options.seq
          << " tokens, attention " << policy.toString() << ", " << currentThreadCount()
          << " threads\n"
          << "median      " << j["step_ms_median"].get<double>() << " ms over " << options.steps
          << " steps (" << options.warmup << " warm-up)\n"
          << "min         " << j["step_ms_min"].get<double>() << " ms\n"
          << "peak RSS    " << j["peak_rss_mb"].get<double>() << " MB\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::string message = e.what();
    err << "crisp bench train-step: error: " << message.substr(0, message.find('\n')) << "\n";
    return 1;
  }
}

int runFlopsTable(const FlopsOptions& options, std::ostream& out, std::ostream& err) {
  try {
    const ModelConfig config = ModelConfig::preset(options.preset, kVocabSize);
    out << flopsTable(config, options.seq, options.batch, options.policies);
    return 0;
  } catch (const std::exception& e) {
    std::string message = e.what();
    err << "crisp bench flops: error: " << message.substr(0, message.find('\n')) << "\n";
    return 1;
  }
}

}  // namespace crisp::cli
