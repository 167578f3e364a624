#pragma once

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace crisp {

struct StepEvent {
  int64_t step = 0;
  double epoch = 0;  // fractional
  double loss = 0, learningRate = 0, gradNorm = 0;
  double elapsedSeconds = 0;
};

struct ProgressEvent {
  int64_t step = 0, totalSteps = 0;
  double sentencesPerSecond = 0;
  double etaSeconds = 0;
};

struct EvaluationMetrics {
  double loss = 0, accuracy = 0, macroF1 = 0;
  std::vector<std::vector<int64_t>> confusion;  // [true][predicted]
  int64_t examples = 0;
};

struct EvaluationEvent {
  int64_t step = 0;
  double epoch = 0;
  double elapsedSeconds = 0;
  EvaluationMetrics metrics;
  bool best = false;
};

// The attention of one probe sentence at an evaluation: what the studio's heatmaps follow.
struct AttentionSnapshot {
  int64_t step = 0;
  std::string sentence;
  std::vector<std::string> tokens;
  std::vector<float> probabilities;       // the prediction
  std::vector<at::Tensor> before, after;  // per layer [H, T, T], float CPU
  std::vector<at::Tensor> damKeep;        // per layer [H, T, T] DAM sigma(alpha); empty: no DAM
};

struct MessageEvent {
  enum class Level { Info, Warning, Error } level = Level::Info;
  std::string text;
};

enum class RunState { Created, Running, Paused, Finished, Stopped, Cancelled, Failed };
std::string toString(RunState state);
RunState runStateFromString(const std::string& text);

struct StateEvent {
  RunState state = RunState::Created;
  std::string message;
};

using TrainingEvent = std::variant<StepEvent, ProgressEvent, EvaluationEvent, AttentionSnapshot,
                                   MessageEvent, StateEvent>;

// A bounded, thread-safe queue from the trainer to its observers. A slow consumer never
// stalls training: when full, the oldest step/progress event is dropped (they are superseded
// by newer ones); evaluations, snapshots, messages and state changes are never dropped.
class EventChannel {
 public:
  explicit EventChannel(size_t capacity = 1024) : capacity_(capacity) {}

  void publish(TrainingEvent event);
  // Everything pending, oldest first (non-blocking).
  std::vector<TrainingEvent> drain();
  // Called after each publish, outside the lock (e.g. to wake a GUI thread). Keep it cheap.
  void setNotifier(std::function<void()> notifier);
  size_t dropped() const;

 private:
  mutable std::mutex mutex_;
  std::deque<TrainingEvent> events_;
  size_t capacity_;
  size_t dropped_ = 0;
  std::function<void()> notifier_;
};

}  // namespace crisp
