#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/train/events.h"

namespace crisp {

// Follows a run directory that another process trains (`crisp train --nproc N`, which the
// studio starts for a multi-process run): each poll() returns what the trainer wrote since the
// previous one as the trainer's own events, so that whoever follows it shows the run as it
// shows one trained in process:
//   metrics.jsonl "train" records -> StepEvent, then a ProgressEvent once state.json names the
//   run's total steps (rate and ETA from the recent records); "eval" records -> EvaluationEvent;
//   each change of state.json -> StateEvent, after the records read with it; a new run's
//   config.json load report -> an informational MessageEvent, as the trainer publishes it.
// metrics.jsonl is read incrementally; a partial last line waits for the next poll. A file cut
// back or replaced meanwhile (a resume cutting records after its checkpoint, or setting the
// metrics aside) is read again from its start: receivers replace points of a repeated step.
class RunFollower {
 public:
  // What the directory holds when the follower is made (a resumed run's records and
  // state.json) is not reported.
  explicit RunFollower(std::string runDirectory);

  std::vector<TrainingEvent> poll();
  // The state of the last state.json reported; nullopt before any.
  std::optional<RunState> lastState() const { return lastState_; }
  const std::string& lastMessage() const { return lastMessage_; }

 private:
  std::vector<nlohmann::json> newRecords();
  void recordProgress(std::vector<TrainingEvent>& events, int64_t step, double seconds);

  std::string path_;
  uint64_t offset_ = 0;   // the end of the last whole line read from metrics.jsonl
  std::string lastLine_;  // that line, to notice a file rewritten under the same size
  nlohmann::json state_;  // state.json as last read
  std::optional<RunState> lastState_;
  std::string lastMessage_;
  int64_t totalSteps_ = 0, batchSize_ = 0;
  bool configRead_ = false;  // config.json seen (its load report given, or there before)
  std::deque<std::pair<int64_t, double>> recent_;  // (step, seconds) of recent train records
};

}  // namespace crisp
