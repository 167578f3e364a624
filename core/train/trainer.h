#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/data/batching.h"
#include "core/model/classifier.h"
#include "core/train/events.h"

namespace crisp {
class Tokenizer;
}

namespace crisp {

// Hyperparameters of one fine-tuning run. Defaults are assumptions (the Crisp Attention paper
// publishes none); docs/RESULTS.md says which values each reported run used.
struct Hyperparameters {
  int epochs = 3;
  int batchSize = 32;
  double learningRate = 5e-5;
  double weightDecay = 0.01;  // AdamW; never on biases or LayerNorm
  double warmupRatio = 0.1;   // linear warm-up over this fraction of steps, then linear decay
  double maxGradNorm = 1.0;   // 0 = no clipping
  int64_t evalEvery = 0;      // steps; 0 = only at each epoch end
  int64_t logEvery = 10;      // steps between metrics.jsonl training records
  uint64_t seed = 42;
  int keepCheckpoints = 2;        // the last N, plus the best
  int earlyStoppingPatience = 0;  // evaluations without improvement; 0 = off
  int64_t injectNanAtStep = -1;   // fault injection for tests: the loss at this step is NaN
  // Checkpoints between evaluations, so that a job killed on a cluster loses minutes rather than
  // an epoch: every N steps and/or every S seconds of training; 0 = only at evaluations. They
  // change no result. Written to JSON only when set ("save_every": 500 or "10m").
  int64_t saveEverySteps = 0;
  double saveEverySeconds = 0;

  nlohmann::json toJson() const;
  static Hyperparameters fromJson(const nlohmann::json& json);
  void validate() const;
};

// Sets hyper's save interval from "500" (steps), "90s", "10m" or "2h" (time); "0" turns it
// off. Throws crisp::Error naming `where` (a flag or a JSON key) for anything else.
void parseSaveEvery(const std::string& text, const std::string& where, Hyperparameters& hyper);

struct ProbeSentence {
  std::string text;
  std::vector<std::string> tokens;
  std::vector<int32_t> ids;
};

// Everything a run trains on; built by the caller (see experiment.h), owned by the trainer.
struct TrainingInputs {
  std::shared_ptr<SequenceClassifier> model;
  std::shared_ptr<const data::EncodedDataset> train, dev;
  data::CollateOptions collate;
  std::vector<std::string> labelNames;
  std::vector<ProbeSentence> probes;
  // The run's tokenizer: each checkpoint directory carries it (with config.json) so that
  // transformers' from_pretrained loads the checkpoint as it is. None: checkpoints hold weights
  // and state only.
  std::shared_ptr<const Tokenizer> tokenizer;
  // Where the model, its batches, the optimizer's state and DAM masks live while training
  // (resolveDevice in core/sys/device.h). Checkpoints are written from CPU copies either way.
  c10::Device device{c10::kCPU};
  // What the training forward pass computes matrix products in: kFloat, or kBFloat16 for
  // mixed precision on CUDA (computeType in core/sys/device.h).
  at::ScalarType computeType = at::kFloat;
};

// Thread-safe run control: any thread may call these while run() works on another.
class TrainerControl {
 public:
  void pause();
  void resume();
  void stop();    // finish the current step, write a final checkpoint, state "stopped"
  void cancel();  // finish the current step, write nothing more, state "cancelled"
  bool paused() const { return paused_; }
  bool stopRequested() const { return stop_ || cancel_; }
  bool cancelRequested() const { return cancel_; }
  // Blocks while paused (returns early on stop/cancel).
  void waitWhilePaused();

 private:
  std::atomic<bool> paused_{false}, stop_{false}, cancel_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
};

// Data-parallel training's collectives (core/dist implements them on c10d/Gloo); the
// single-process trainer uses this identity. With worldSize() > 1 the trainer splits each
// global batch over the ranks (rank r takes the r-th contiguous share), scales each rank's
// loss by its share so that summed gradients equal one process's, agrees on [loss, stop,
// cancel] once per step, and lets rank 0 alone write the run, evaluate and report progress.
class GradientSynchronizer {
 public:
  virtual ~GradientSynchronizer() = default;
  virtual int rank() const { return 0; }
  virtual int worldSize() const { return 1; }
  // This rank's index among the ranks on its machine (torchrun's LOCAL_RANK): with one process
  // per GPU, the rank trains on cuda:localRank().
  virtual int localRank() const { return 0; }
  // Called once, before any collective, with the device the model trains on: the collectives
  // run there (c10d: Gloo on the CPU, NCCL on CUDA).
  virtual void useDevice(const c10::Device& /*device*/) {}
  // Called once, before training, with the parameters later passed to synchronize (e.g. to
  // start reducing gradients during backward through autograd hooks).
  virtual void prepare(const std::vector<at::Tensor>& /*parameters*/) {}
  // Sums each parameter's gradient over the ranks, in place. Called after backward, before
  // clipping.
  virtual void synchronize(std::vector<at::Tensor>& /*parameters*/) {}
  // Makes every rank's tensors equal rank 0's, in place (shapes must agree).
  virtual void broadcast(std::vector<at::Tensor>& /*tensors*/) {}
  // Sums a small tensor over the ranks, in place.
  virtual void allReduceSum(at::Tensor& /*values*/) {}
};

// Fine-tunes a classifier into a run directory that survives kill -9 and a full disk:
// metrics.jsonl is appended and flushed per record, checkpoints are written atomically, and
// run() on an existing directory resumes from its newest intact checkpoint and reproduces the
// uninterrupted run (without any checkpoint it starts again from step 0).
class Trainer {
 public:
  Trainer(TrainingInputs inputs, Hyperparameters hyper, std::string runDirectory,
          nlohmann::json runConfig);
  ~Trainer();

  // Trains to the end (or until stopped); returns the final state. Never throws for training
  // failures: they end the run as Failed with the message (in events, and in state.json once
  // training has started; a failed set-up or resume changes no file of the run).
  RunState run();

  EventChannel& events() { return events_; }
  TrainerControl& control() { return control_; }
  void setGradientSynchronizer(std::shared_ptr<GradientSynchronizer> sync);

  // Evaluates a model on a dataset (no dropout, policy as in evaluation). predictions and
  // probabilities (numLabels per row, row-major) follow the loader's order.
  static EvaluationMetrics evaluate(SequenceClassifier& model, const data::BatchLoader& loader,
                                    int numLabels, std::vector<int64_t>* predictions = nullptr,
                                    std::vector<float>* probabilities = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  EventChannel events_;
  TrainerControl control_;
};

}  // namespace crisp
