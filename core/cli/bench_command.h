#pragma once

#include <iosfwd>
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
  std::string optimizer = "fused";  // fused (crisp::FusedAdamW, the trainer's) | libtorch
  bool json = false;
  std::string device = "cpu";      // cpu, cuda, cuda:N, auto
  std::string precision = "fp32";  // fp32 or bf16 (CUDA)
};

// `crisp bench train-step`: times forward + backward + AdamW steps of a preset classifier
// (vocabulary 30522) on random full-length rows, and reports the median and minimum step time
// and the peak RSS. Returns the exit code; errors go to err.
int runTrainStepBench(const TrainStepOptions& options, std::ostream& out, std::ostream& err);

struct ThroughputOptions {
  std::string preset = "tiny";
  std::string model;      // a pretrained checkpoint to fine-tune instead of the preset
  std::string trainData;  // GLUE TSV (sentence, label), e.g. ../shared/data/sst2/train.tsv
  std::string tokenizer;  // a directory with vocab.txt (default with model: the model's own)
  int sentences = 4096;   // the first N rows of trainData
  int batch = 32;
  int maxLength = 64;
  std::string attention = "dense";
  int warmupSteps = 5;     // steps left out of the rate (at least 1)
  std::string batchesOut;  // JSON Lines of the exact batches, for the PyTorch peer
  bool json = false;
  std::string device = "cpu";      // cpu, cuda, cuda:N, auto (the experiment's device key)
  std::string precision = "fp32";  // fp32 or bf16 (CUDA; the experiment's precision key)
};

// `crisp bench train-throughput`: one epoch of the real Trainer (bucketed batches, AdamW,
// schedule, clipping, metrics.jsonl) over the first N sentences of a GLUE TSV, in a temporary
// run directory; reports sentences/s over the steps after the warm-up (the end-of-epoch
// evaluation and checkpoint are not counted) and the peak RSS.
int runThroughputBench(const ThroughputOptions& options, std::ostream& out, std::ostream& err);

struct FlopsOptions {
  std::string preset = "distilbert-base";
  int batch = 1;
  int seq = 128;
  std::vector<std::string> policies = {"dense", "crisp:0.6", "crisp:0.7", "crisp:0.8"};
  bool json = false;
};

// `crisp bench flops`: the FLOPs table (core/analysis/flops.h) as Markdown, or as JSON.
int runFlopsTable(const FlopsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
