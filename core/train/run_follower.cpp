#include "core/train/run_follower.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/train/run_directory.h"

namespace crisp {

namespace fs = std::filesystem;

RunFollower::RunFollower(std::string runDirectory) : path_(std::move(runDirectory)) {
  newRecords();  // skipped: they were there before
  state_ = RunDirectory(path_).readState();
  configRead_ = RunDirectory(path_).hasConfig();  // a resumed run: its load was reported before
}

std::vector<nlohmann::json> RunFollower::newRecords() {
  std::vector<nlohmann::json> records;
  std::ifstream in(fs::path(path_) / "metrics.jsonl", std::ios::binary);
  if (!in) {  // not written yet, or set aside
    offset_ = 0;
    lastLine_.clear();
    return records;
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(in.tellg());
  bool rewritten = size < offset_;
  if (!rewritten && !lastLine_.empty()) {
    std::string seen(lastLine_.size(), '\0');
    in.seekg(static_cast<std::streamoff>(offset_ - lastLine_.size()));
    in.read(seen.data(), static_cast<std::streamsize>(seen.size()));
    rewritten = !in || seen != lastLine_;
  }
  if (rewritten) {
    offset_ = 0;
    lastLine_.clear();
  }
  if (size == offset_) return records;
  std::string text(size - offset_, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset_));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  size_t begin = 0;
  for (size_t end = text.find('\n'); end != std::string::npos;
       begin = end + 1, end = text.find('\n', begin)) {
    const std::string line = text.substr(begin, end - begin);
    lastLine_ = line + '\n';
    if (line.empty()) continue;
    try {
      records.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      // Whole lines are whole records (appendMetric); a damaged one is skipped.
    }
  }
  offset_ += begin;  // a partial last line is read again, whole, at a later poll
  return records;
}

void RunFollower::recordProgress(std::vector<TrainingEvent>& events, int64_t step, double seconds) {
  if (!recent_.empty() && (step <= recent_.back().first || seconds < recent_.back().second)) {
    recent_.clear();  // a repeated stretch: the rate starts again
  }
  recent_.emplace_back(step, seconds);
  while (recent_.size() > 20) recent_.pop_front();
  if (totalSteps_ <= 0) return;
  ProgressEvent progress{step, totalSteps_, 0, 0};
  const auto& [firstStep, firstSeconds] = recent_.front();
  if (step > firstStep && seconds > firstSeconds) {
    const double secondsPerStep = (seconds - firstSeconds) / static_cast<double>(step - firstStep);
    progress.sentencesPerSecond = static_cast<double>(batchSize_) / secondsPerStep;
    progress.etaSeconds =
        secondsPerStep * static_cast<double>(std::max<int64_t>(0, totalSteps_ - step));
  }
  events.emplace_back(progress);
}

std::vector<TrainingEvent> RunFollower::poll() {
  std::vector<TrainingEvent> events;
  RunDirectory run(path_);
  const nlohmann::json state = run.readState();
  totalSteps_ = state.value("total_steps", totalSteps_);
  if ((batchSize_ == 0 || !configRead_) && run.hasConfig()) {
    try {
      const nlohmann::json config = run.readConfig();
      batchSize_ = config.value("experiment", nlohmann::json::object())
                       .value("hyperparameters", nlohmann::json::object())
                       .value("batch_size", int64_t{0});
      if (!configRead_) {
        configRead_ = true;
        const std::string report = loadReportOf(config);
        if (!report.empty()) events.emplace_back(MessageEvent{MessageEvent::Level::Info, report});
      }
    } catch (const std::exception&) {
      // Being written: read at a later poll.
    }
  }
  for (const nlohmann::json& record : newRecords()) {
    const std::string type = record.value("type", "");
    if (type == "train") {
      StepEvent step;
      step.step = record.value("step", int64_t{0});
      step.epoch = record.value("epoch", 0.0);
      step.loss = record.value("loss", 0.0);
      step.learningRate = record.value("learning_rate", 0.0);
      step.gradNorm = record.value("grad_norm", 0.0);
      step.elapsedSeconds = record.value("time", 0.0);
      events.emplace_back(step);
      recordProgress(events, step.step, step.elapsedSeconds);
    } else if (type == "eval") {
      EvaluationEvent eval;
      eval.step = record.value("step", int64_t{0});
      eval.epoch = record.value("epoch", 0.0);
      eval.elapsedSeconds = record.value("time", 0.0);
      eval.metrics.loss = record.value("loss", 0.0);
      eval.metrics.accuracy = record.value("accuracy", 0.0);
      eval.metrics.macroF1 = record.value("macro_f1", 0.0);
      eval.metrics.examples = record.value("examples", int64_t{0});
      if (record.contains("confusion") && record["confusion"].is_array()) {
        eval.metrics.confusion = record["confusion"].get<std::vector<std::vector<int64_t>>>();
      }
      eval.best = record.value("best", false);
      events.emplace_back(std::move(eval));
    }
  }
  if (state != state_ && state.contains("state")) {
    state_ = state;
    try {
      lastState_ = runStateFromString(state.value("state", ""));
      lastMessage_ = state.value("message", "");
      events.emplace_back(StateEvent{*lastState_, lastMessage_});
    } catch (const std::exception&) {
      // A state this build does not know: not reported.
    }
  }
  return events;
}

}  // namespace crisp
