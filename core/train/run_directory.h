#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crisp {

// The files of one run:
//   config.json            the fully resolved configuration (versions, git revision)
//   state.json             run state, step, best evaluation (rewritten atomically)
//   metrics.jsonl          one JSON record per line, appended and flushed per record
//   predictions/step-N.json  dev predictions of each evaluation (for paired tests)
//   checkpoints/step-N/    model.safetensors, optimizer.pt, rng.safetensors,
//                          trainer_state.json; each directory appears atomically (rename)
class RunDirectory {
 public:
  explicit RunDirectory(std::string path);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& path() const { return path_; }
  // Creates the directory and its subdirectories (writeConfig does it; reading never does).
  void create() const;
  bool hasConfig() const;
  nlohmann::json readConfig() const;
  void writeConfig(const nlohmann::json& config) const;
  nlohmann::json readState() const;  // {} when absent
  void writeState(const nlohmann::json& state) const;

  // Appends one record and flushes it to the kernel.
  void appendMetric(const nlohmann::json& record);
  // Size of metrics.jsonl, and truncation back to a size recorded in a checkpoint.
  uint64_t metricsSize() const;
  void truncateMetrics(uint64_t size);
  std::vector<nlohmann::json> readMetrics() const;  // skips a torn last line

  void writePredictions(int64_t step, const nlohmann::json& predictions) const;
  // {"step", "labels", "predictions"} of the evaluation at `step`; {} when that file is absent.
  nlohmann::json readPredictions(int64_t step) const;
  std::string predictionsPath(int64_t step) const;

  std::string checkpointPath(int64_t step) const;
  // A fresh staging directory for a checkpoint; commitCheckpoint renames it into place.
  std::string stageCheckpoint(int64_t step) const;
  void commitCheckpoint(int64_t step, const std::string& staging) const;
  std::vector<int64_t> checkpointSteps() const;  // complete checkpoints, ascending
  // Deletes all but the newest `keep` checkpoints and those in `alsoKeep`.
  void pruneCheckpoints(int keep, const std::vector<int64_t>& alsoKeep) const;

 private:
  std::string path_;
  std::FILE* metrics_ = nullptr;
};

// One row of the runs table, read from a run directory's files.
struct RunSummary {
  std::string path, name, policy, state;
  uint64_t seed = 0;
  double bestAccuracy = -1, lastDevLoss = -1, epoch = 0, elapsedSeconds = 0;
  int64_t step = 0;
};

// Summarises a run directory; throws crisp::Error if it has no readable config.json.
RunSummary summarizeRun(const std::string& path);
// Every run directory directly under root, newest first by name; unreadable ones are skipped.
std::vector<RunSummary> listRuns(const std::string& root);

}  // namespace crisp
