#include "core/train/run_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/io/json_file.h"
#include "core/sys/error.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

std::string stepName(int64_t step) {
  std::ostringstream name;
  name << "step-" << std::setw(8) << std::setfill('0') << step;
  return name.str();
}

void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {}

void RunDirectory::create() const {
  std::error_code ec;
  fs::create_directories(fs::path(path_) / "checkpoints", ec);
  if (!ec) fs::create_directories(fs::path(path_) / "predictions", ec);
  if (ec) throw Error(path_ + ": cannot create the run directory: " + ec.message());
}

RunDirectory::~RunDirectory() {
  if (metrics_ != nullptr) std::fclose(metrics_);
}

bool RunDirectory::hasConfig() const {
  return fs::exists(fs::path(path_) / "config.json");
}

nlohmann::json RunDirectory::readConfig() const {
  return readJsonFile((fs::path(path_) / "config.json").string());
}

void RunDirectory::writeConfig(const nlohmann::json& config) const {
  create();
  writeFileAtomically((fs::path(path_) / "config.json").string(), config.dump(2) + "\n");
}

nlohmann::json RunDirectory::readState() const {
  const fs::path p = fs::path(path_) / "state.json";
  return fs::exists(p) ? readJsonFile(p.string()) : nlohmann::json::object();
}

void RunDirectory::writeState(const nlohmann::json& state) const {
  writeFileAtomically((fs::path(path_) / "state.json").string(), state.dump(2) + "\n");
}

void RunDirectory::appendMetric(const nlohmann::json& record) {
  if (metrics_ == nullptr) {
    const std::string file = (fs::path(path_) / "metrics.jsonl").string();
    metrics_ = std::fopen(file.c_str(), "ab");
    if (metrics_ == nullptr) throw Error(file + ": cannot open for appending");
  }
  const std::string line = record.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), metrics_) != line.size() ||
      std::fflush(metrics_) != 0) {
    throw Error(path_ + "/metrics.jsonl: write failed (disk full?)");
  }
}

uint64_t RunDirectory::metricsSize() const {
  std::error_code ec;
  const auto size = fs::file_size(fs::path(path_) / "metrics.jsonl", ec);
  return ec ? 0 : size;
}

void RunDirectory::truncateMetrics(uint64_t size) {
  if (metrics_ != nullptr) {
    std::fclose(metrics_);
    metrics_ = nullptr;
  }
  const fs::path file = fs::path(path_) / "metrics.jsonl";
  if (!fs::exists(file)) return;
  std::error_code ec;
  fs::resize_file(file, std::min<uint64_t>(size, fs::file_size(file)), ec);
  if (ec) throw Error(file.string() + ": cannot truncate: " + ec.message());
}

std::vector<nlohmann::json> RunDirectory::readMetrics() const {
  std::vector<nlohmann::json> records;
  std::ifstream in(fs::path(path_) / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      records.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception&) {
      break;  // a torn last line after a kill: everything before it is intact
    }
  }
  return records;
}

void RunDirectory::writePredictions(int64_t step, const nlohmann::json& predictions) const {
  writeFileAtomically(predictionsPath(step), predictions.dump() + "\n");
}

std::string RunDirectory::predictionsPath(int64_t step) const {
  return (fs::path(path_) / "predictions" / (stepName(step) + ".json")).string();
}

nlohmann::json RunDirectory::readPredictions(int64_t step) const {
  const std::string path = predictionsPath(step);
  return fs::exists(path) ? readJsonFile(path) : nlohmann::json::object();
}

std::string RunDirectory::checkpointPath(int64_t step) const {
  return (fs::path(path_) / "checkpoints" / stepName(step)).string();
}

std::string RunDirectory::stageCheckpoint(int64_t step) const {
  const fs::path staging = fs::path(path_) / "checkpoints" / (".staging-" + stepName(step));
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw Error(staging.string() + ": cannot create: " + ec.message());
  return staging.string();
}

void RunDirectory::commitCheckpoint(int64_t step, const std::string& staging) const {
  for (const auto& entry : fs::directory_iterator(staging)) {
    const int fd = ::open(entry.path().c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  syncDirectory(staging);
  const fs::path target = checkpointPath(step);
  std::error_code ec;
  fs::remove_all(target, ec);  // a re-run of the same step after resume replaces it
  fs::rename(staging, target, ec);
  if (ec) throw Error(target.string() + ": cannot commit checkpoint: " + ec.message());
  syncDirectory(target.parent_path());
}

std::vector<int64_t> RunDirectory::checkpointSteps() const {
  std::vector<int64_t> steps;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(path_) / "checkpoints", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) != 0 || !fs::exists(entry.path() / "trainer_state.json")) continue;
    try {
      steps.push_back(std::stoll(name.substr(5)));
    } catch (const std::exception&) {
    }
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

void RunDirectory::pruneCheckpoints(int keep, const std::vector<int64_t>& alsoKeep) const {
  const std::vector<int64_t> steps = checkpointSteps();
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i) {
    if (std::find(alsoKeep.begin(), alsoKeep.end(), steps[i]) != alsoKeep.end()) continue;
    std::error_code ec;
    fs::remove_all(checkpointPath(steps[i]), ec);
  }
}

RunSummary summarizeRun(const std::string& path) {
  RunDirectory run(path);
  const nlohmann::json config = run.readConfig();
  const nlohmann::json state = run.readState();
  RunSummary summary;
  summary.path = path;
  const nlohmann::json experiment = config.value("experiment", nlohmann::json::object());
  summary.name = experiment.value("name", fs::path(path).filename().string());
  summary.policy = config.value("policy", std::string("dense"));
  summary.seed = experiment.value("hyperparameters", nlohmann::json::object()).value("seed", 0ULL);
  summary.state = state.value("state", std::string("created"));
  summary.bestAccuracy = state.value("best_accuracy", -1.0);
  summary.step = state.value("step", int64_t{0});
  summary.elapsedSeconds = state.value("elapsed_seconds", 0.0);
  for (const nlohmann::json& record : run.readMetrics()) {
    if (record.value("type", "") != "eval") continue;
    summary.lastDevLoss = record.value("loss", -1.0);
    summary.epoch = record.value("epoch", 0.0);
  }
  return summary;
}

std::vector<RunSummary> listRuns(const std::string& root) {
  std::vector<RunSummary> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory() || !fs::exists(entry.path() / "config.json")) continue;
    try {
      runs.push_back(summarizeRun(entry.path().string()));
    } catch (const std::exception&) {
      // A damaged run is not listed; opening it directly reports why.
    }
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunSummary& a, const RunSummary& b) { return a.path > b.path; });
  return runs;
}

}  // namespace crisp
