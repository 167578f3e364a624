#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace crisp::cli {

struct TrainStepOptions {
  std::string preset = "distilbert-base";
  int batch = 32;
  int seq = 64;
  std::string attention = "dense";
  int steps = 8;
  int warmup = 2;
  std::optional<int> threads;  // default: what crisp's --threads / CRISP_THREADS chose
  bool json = false;
};

// `crisp bench train-step`: times forward + backward + AdamW steps of a preset classifier
// (vocabulary 30522) on random full-length rows, and reports the median and minimum step time
// and the peak RSS. Returns the exit code; errors go to err.
int runTrainStepBench(const TrainStepOptions& options, std::ostream& out, std::ostream& err);

struct FlopsOptions {
  std::string preset = "distilbert-base";
  int batch = 1;
  int seq = 128;
  std::vector<std::string> policies = {"dense", "crisp:0.6", "crisp:0.7", "crisp:0.8"};
};

// `crisp bench flops`: the FLOPs table (core/analysis/flops.h) as Markdown.
int runFlopsTable(const FlopsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
