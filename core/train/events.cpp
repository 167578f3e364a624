#include "core/train/events.h"

#include "core/sys/error.h"

namespace crisp {
namespace {

bool droppable(const TrainingEvent& event) {
  return std::holds_alternative<StepEvent>(event) || std::holds_alternative<ProgressEvent>(event);
}

}  // namespace

std::string toString(RunState state) {
  switch (state) {
    case RunState::Created: return "created";
    case RunState::Running: return "running";
    case RunState::Paused: return "paused";
    case RunState::Finished: return "finished";
    case RunState::Stopped: return "stopped";
    case RunState::Cancelled: return "cancelled";
    case RunState::Failed: return "failed";
  }
  return "unknown";
}

RunState runStateFromString(const std::string& text) {
  for (RunState s : {RunState::Created, RunState::Running, RunState::Paused, RunState::Finished,
                     RunState::Stopped, RunState::Cancelled, RunState::Failed}) {
    if (toString(s) == text) return s;
  }
  throw Error("unknown run state \"" + text + "\"");
}

void EventChannel::publish(TrainingEvent event) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mutex_);
    if (events_.size() >= capacity_) {
      for (auto it = events_.begin(); it != events_.end(); ++it) {
        if (droppable(*it)) {
          events_.erase(it);
          ++dropped_;
          break;
        }
      }
    }
    if (events_.size() >= capacity_ && droppable(event)) {
      ++dropped_;
    } else {
      events_.push_back(std::move(event));
    }
    notify = notifier_;
  }
  if (notify) notify();
}

std::vector<TrainingEvent> EventChannel::drain() {
  std::lock_guard lock(mutex_);
  std::vector<TrainingEvent> out(std::make_move_iterator(events_.begin()),
                                 std::make_move_iterator(events_.end()));
  events_.clear();
  return out;
}

void EventChannel::setNotifier(std::function<void()> notifier) {
  std::lock_guard lock(mutex_);
  notifier_ = std::move(notifier);
}

size_t EventChannel::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace crisp
