#include "core/train/run_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "core/io/atomic_file.h"
#include "core/io/content_fingerprint.h"
#include "core/io/json_file.h"
#include "core/io/model_location.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

std::string stepName(int64_t step) {
  std::ostringstream name;
  name << "step-" << std::setw(8) << std::setfill('0') << step;
  return name.str();
}

std::string utcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// dir/stem+suffix, or dir/stem-2+suffix, ... whichever is free: setting aside never replaces.
fs::path unusedPath(const fs::path& dir, const std::string& stem, const std::string& suffix) {
  fs::path path = dir / (stem + suffix);
  for (int n = 2; fs::exists(path); ++n) path = dir / (stem + "-" + std::to_string(n) + suffix);
  return path;
}

// The end of the last whole line in the first `limit` bytes of `file`; 0 when none ends there.
uint64_t endOfLastWholeLine(const fs::path& file, uint64_t limit) {
  std::ifstream in(file, std::ios::binary);
  constexpr uint64_t kChunk = 1 << 16;
  std::string chunk;
  for (uint64_t end = limit; end > 0;) {
    const uint64_t begin = end > kChunk ? end - kChunk : 0;
    chunk.resize(end - begin);
    in.seekg(static_cast<std::streamoff>(begin));
    if (!in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())))
      throw Error(file.string() + ": cannot read");
    const size_t newline = chunk.rfind('\n');
    if (newline != std::string::npos) return begin + newline + 1;
    end = begin;
  }
  return 0;
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
  closeMetrics();
}

void RunDirectory::closeMetrics() {
  if (metricsFd_ >= 0) ::close(metricsFd_);
  metricsFd_ = -1;
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

namespace {

constexpr const char* kLockFile = "run.lock";

// Describes the lock on `fd` held by another open file description; "" when it is free.
std::string describeLockHolder(int fd) {
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  if (::fcntl(fd, F_OFD_GETLK, &probe) != 0 || probe.l_type == F_UNLCK) return {};
  char text[256] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string holder = n > 0 ? std::string(text, static_cast<size_t>(n)) : std::string();
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  return holder.empty() ? std::string("another process") : holder;
}

std::string trainedElsewhere(const std::string& runDirectory, const std::string& holder) {
  return runDirectory + " is being trained by " + holder +
         "; stop it first or choose another directory";
}

}  // namespace

void RunDirectory::refuseIfLocked() const {
  if (const std::string holder = lockHolder(); !holder.empty()) {
    throw Error(trainedElsewhere(path_, holder));
  }
}

std::string RunDirectory::lockHolder() const {
  const std::string file = (fs::path(path_) / kLockFile).string();
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};  // never trained by this version, or not yet
  std::string holder = describeLockHolder(fd);
  ::close(fd);
  return holder;
}

nlohmann::json RunDirectory::readState() const {
  const fs::path p = fs::path(path_) / "state.json";
  if (!fs::exists(p)) return nlohmann::json::object();
  nlohmann::json state = readJsonFile(p.string());
  if (!state.is_object()) throw Error(p.string() + ": expected a JSON object");
  std::string recorded;
  readJsonField(state, "state", recorded, p.string());
  if ((recorded == "running" || recorded == "paused") && !isLocked()) {
    const std::vector<int64_t> steps = checkpointSteps();
    state["stale"] = true;
    state["recorded_state"] = recorded;
    state["state"] = "stopped";
    state["message"] =
        "interrupted: the process training it ended without recording it (killed?); resume "
        "continues " +
        (steps.empty() ? std::string("from step 0 (no checkpoint was written)")
                       : "from the checkpoint at step " + std::to_string(steps.back()));
  }
  return state;
}

RunLock::RunLock(const std::string& runDirectory) {
  const std::string file = (fs::path(runDirectory) / kLockFile).string();
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(file + ": cannot open: " + std::strerror(errno));
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
    const int error = errno;
    const std::string holder = describeLockHolder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (error == EAGAIN || error == EACCES) {
      throw Error(trainedElsewhere(runDirectory, holder.empty() ? "another process" : holder));
    }
    throw Error(file + ": cannot lock: " + std::strerror(error));
  }
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  const std::string holder =
      "pid " + std::to_string(::getpid()) + " on " + std::string(host) + "\n";
  // Who holds it, for the message above; a failure to write it only loses that detail.
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, holder.data(), holder.size(), 0);
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the description releases the lock
}

void RunDirectory::writeState(const nlohmann::json& state) const {
  writeFileAtomically((fs::path(path_) / "state.json").string(), state.dump(2) + "\n");
}

void RunDirectory::appendMetric(const nlohmann::json& record) {
  const std::string file = (fs::path(path_) / "metrics.jsonl").string();
  if (metricsFd_ < 0) {
    metricsFd_ = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (metricsFd_ < 0) throw Error(file + ": cannot open for appending: " + std::strerror(errno));
  }
  const std::string line = record.dump() + "\n";
  const off_t before = ::lseek(metricsFd_, 0, SEEK_END);
  for (size_t written = 0; written < line.size();) {
    const ssize_t n = ::write(metricsFd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      // Part of a record left behind would glue the next record onto it.
      const bool cutOff = before >= 0 && ::ftruncate(metricsFd_, before) == 0;
      throw Error(file + ": cannot append a record: " + std::strerror(error) +
                  (cutOff ? "" : " (and the partial record could not be removed)"));
    }
    written += static_cast<size_t>(n);
  }
}

uint64_t RunDirectory::metricsSize() const {
  std::error_code ec;
  const auto size = fs::file_size(fs::path(path_) / "metrics.jsonl", ec);
  return ec ? 0 : size;
}

uint64_t RunDirectory::truncateMetrics(uint64_t size) {
  closeMetrics();
  const fs::path file = fs::path(path_) / "metrics.jsonl";
  if (!fs::exists(file)) return 0;
  std::error_code ec;
  const uint64_t keep = endOfLastWholeLine(file, std::min<uint64_t>(size, fs::file_size(file)));
  fs::resize_file(file, keep, ec);
  if (ec) throw Error(file.string() + ": cannot truncate: " + ec.message());
  return keep;
}

std::string RunDirectory::setMetricsAside() {
  closeMetrics();
  if (metricsSize() == 0) return {};
  const fs::path file = fs::path(path_) / "metrics.jsonl";
  const fs::path aside = unusedPath(path_, "metrics.jsonl." + utcTimestamp(), ".bak");
  std::error_code ec;
  fs::rename(file, aside, ec);
  if (ec) throw Error(file.string() + ": cannot rename to " + aside.string() + ": " + ec.message());
  return aside.string();
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
  for (const auto& entry : fs::directory_iterator(staging)) syncToDisk(entry.path().string());
  syncToDisk(staging);
  const fs::path target = checkpointPath(step);
  removeCheckpointDirectory(target);  // a re-run of the same step after resume replaces it
  std::error_code ec;
  fs::rename(staging, target, ec);
  if (ec) throw Error(target.string() + ": cannot commit checkpoint: " + ec.message());
  syncToDisk(target.parent_path().string());
}

// A checkpoint is first renamed out of the step-N names, then deleted: a kill in the middle
// of the deletion leaves a .removing- directory that the next prune finishes, never a
// step-N without its trainer_state.json that no prune would see again.
void RunDirectory::removeCheckpointDirectory(const fs::path& checkpoint) const {
  std::error_code ec;
  if (!fs::exists(checkpoint, ec)) return;
  const fs::path doomed =
      checkpoint.parent_path() / (".removing-" + checkpoint.filename().string());
  fs::remove_all(doomed, ec);
  fs::rename(checkpoint, doomed, ec);
  fs::remove_all(ec ? checkpoint : doomed, ec);
}

std::vector<int64_t> RunDirectory::checkpointSteps() const {
  std::vector<int64_t> steps;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(path_) / "checkpoints", ec)) {
    const std::string name = entry.path().filename().string();
    if (!startsWith(name, "step-") || !fs::exists(entry.path() / "trainer_state.json")) continue;
    try {
      steps.push_back(std::stoll(name.substr(5)));
    } catch (const std::exception&) {
    }
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

std::string RunDirectory::setCheckpointAside(int64_t step) const {
  const std::string checkpoint = checkpointPath(step);
  const fs::path aside =
      unusedPath(fs::path(path_) / "checkpoints", "damaged-" + stepName(step), "");
  std::error_code ec;
  fs::rename(checkpoint, aside, ec);
  if (ec) throw Error(checkpoint + ": cannot rename to " + aside.string() + ": " + ec.message());
  return aside.string();
}

void RunDirectory::pruneCheckpoints(int keep, const std::vector<int64_t>& alsoKeep) const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(path_) / "checkpoints", ec)) {
    if (startsWith(entry.path().filename().string(), ".removing-")) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);  // a deletion a kill interrupted
    }
  }
  const std::vector<int64_t> steps = checkpointSteps();
  for (size_t i = 0; i + static_cast<size_t>(std::max(keep, 1)) < steps.size(); ++i) {
    if (std::find(alsoKeep.begin(), alsoKeep.end(), steps[i]) != alsoKeep.end()) continue;
    removeCheckpointDirectory(checkpointPath(steps[i]));
  }
}

const std::vector<std::string>& inputFieldNames() {
  static const std::vector<std::string> fields = {"model", "tokenizer", "train_data", "dev_data"};
  return fields;
}

nlohmann::json inputFingerprint(const std::string& field, const std::string& value) {
  if (value.empty()) return nullptr;
  if (field == "model") {
    return startsWith(value, "preset:") ? nlohmann::json()
                                        : modelDirectoryFingerprint(resolveModelDirectory(value));
  }
  if (field == "tokenizer") return pathFingerprint(value);
  return fileFingerprint(value);
}

namespace {

// The dotted keys at which two JSON values differ, with both values, at most `limit` of them.
void listDifferences(const nlohmann::json& recorded, const nlohmann::json& current,
                     const std::string& prefix, std::vector<std::string>& out, size_t limit) {
  if (out.size() >= limit) return;
  if (recorded.is_object() && current.is_object()) {
    std::set<std::string> keys;
    for (const auto& item : recorded.items()) keys.insert(item.key());
    for (const auto& item : current.items()) keys.insert(item.key());
    for (const std::string& key : keys) {
      const nlohmann::json none;
      listDifferences(recorded.contains(key) ? recorded.at(key) : none,
                      current.contains(key) ? current.at(key) : none,
                      prefix.empty() ? key : prefix + "." + key, out, limit);
    }
    return;
  }
  if (recorded == current) return;
  const auto shown = [](const nlohmann::json& value) {
    return value.is_null() ? std::string("unset") : value.dump();
  };
  out.push_back((prefix.empty() ? std::string("resume key") : prefix) + ": recorded " +
                shown(recorded) + ", now " + shown(current));
}

}  // namespace

std::string resumeKeyDifference(const nlohmann::json& recordedConfig,
                                const nlohmann::json& currentKey) {
  if (!recordedConfig.is_object() || !recordedConfig.contains("resume_key")) {
    return "the run records no resume key";
  }
  nlohmann::json recorded = recordedConfig.at("resume_key");
  nlohmann::json current = currentKey;
  for (nlohmann::json* key : {&recorded, &current}) {
    if (key->is_object() && key->contains("hyperparameters") &&
        (*key)["hyperparameters"].is_object()) {
      (*key)["hyperparameters"].erase("save_every");
    }
  }
  if (recorded == current) return "";
  if (recorded.is_object() && current.is_object()) {
    const nlohmann::json fingerprints =
        recordedConfig.value("input_fingerprints", nlohmann::json());
    for (const std::string& field : inputFieldNames()) {
      const auto was = recorded.find(field), now = current.find(field);
      if (was == recorded.end() || now == current.end() || *was == *now || !was->is_string() ||
          !now->is_string()) {
        continue;
      }
      const std::string paths = field + ": recorded " + was->dump() + ", now " + now->dump();
      const auto recordedFingerprint =
          fingerprints.is_object() ? fingerprints.find(field) : fingerprints.end();
      if (!fingerprints.is_object() || recordedFingerprint == fingerprints.end()) {
        return paths + " (the run recorded no content fingerprint, so the paths must be equal)";
      }
      nlohmann::json fingerprint;
      try {
        fingerprint = inputFingerprint(field, now->get<std::string>());
      } catch (const std::exception& e) {
        return paths + ", which cannot be read: " + e.what();
      }
      if (fingerprint != *recordedFingerprint) return paths + ", which holds other content";
      recorded.erase(field);
      current.erase(field);
    }
    if (recorded == current) return "";
  }
  std::vector<std::string> differences;
  listDifferences(recorded, current, "", differences, 3);
  std::string text;
  for (const std::string& difference : differences) text += (text.empty() ? "" : "; ") + difference;
  return text;
}

nlohmann::json withCurrentInputPaths(nlohmann::json recordedConfig,
                                     const nlohmann::json& currentKey) {
  if (!currentKey.is_object()) return recordedConfig;
  for (const std::string& field : inputFieldNames()) {
    const auto now = currentKey.find(field);
    if (now == currentKey.end() || !now->is_string()) continue;
    for (const char* section : {"experiment", "resume_key"}) {
      const auto recorded = recordedConfig.find(section);
      if (recorded != recordedConfig.end() && recorded->is_object() && recorded->contains(field)) {
        (*recorded)[field] = *now;
      }
    }
  }
  return recordedConfig;
}

void requireResumableWith(const std::string& runPath, const nlohmann::json& recordedConfig,
                          const nlohmann::json& currentKey) {
  const std::string difference = resumeKeyDifference(recordedConfig, currentKey);
  if (!difference.empty()) {
    throw Error(runPath + " holds a run with a different configuration (" + difference +
                "); choose another directory");
  }
}

std::string loadReportOf(const nlohmann::json& runConfig) {
  const auto report = runConfig.find("load_report");
  if (report == runConfig.end() || !report->is_string()) return "";
  std::string text = report->get<std::string>();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

RunSummary summarizeRun(const std::string& path) {
  RunDirectory run(path);
  const nlohmann::json config = run.readConfig();
  const nlohmann::json state = run.readState();
  RunSummary summary;
  summary.path = path;
  // A field of the wrong type (hand-edited, or another program's file) names its file.
  const std::string configFile = (fs::path(path) / "config.json").string();
  const std::string stateFile = (fs::path(path) / "state.json").string();
  const std::string metricsFile = (fs::path(path) / "metrics.jsonl").string();
  const auto object = [](const nlohmann::json& parent, const char* key, const std::string& where) {
    nlohmann::json child = nlohmann::json::object();
    readJsonField(parent, key, child, where);
    if (!child.is_object()) throw Error(where + ": field \"" + key + "\" is not an object");
    return child;
  };
  const nlohmann::json experiment = object(config, "experiment", configFile);
  summary.name = fs::path(path).filename().string();
  readJsonField(experiment, "name", summary.name, configFile + ": experiment");
  summary.policy = "dense";
  readJsonField(config, "policy", summary.policy, configFile);
  readJsonField(object(experiment, "hyperparameters", configFile + ": experiment"), "seed",
                summary.seed, configFile + ": experiment.hyperparameters");
  summary.state = "created";
  readJsonField(state, "state", summary.state, stateFile);
  readJsonField(state, "best_accuracy", summary.bestAccuracy, stateFile);
  readJsonField(state, "step", summary.step, stateFile);
  readJsonField(state, "elapsed_seconds", summary.elapsedSeconds, stateFile);
  readJsonField(state, "world_size", summary.worldSize, stateFile);
  summary.worldSize = std::max(1, summary.worldSize);
  for (const nlohmann::json& record : run.readMetrics()) {
    readJsonField(record, "epoch", summary.epoch, metricsFile);
    std::string type;
    readJsonField(record, "type", type, metricsFile);
    if (type == "eval") readJsonField(record, "loss", summary.lastDevLoss, metricsFile);
  }
  summary.resumable =
      summary.state != "finished" && !run.checkpointSteps().empty() && !run.isLocked();
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
