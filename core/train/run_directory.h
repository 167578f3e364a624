#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace crisp {

// The files of one run:
//   config.json            the fully resolved configuration (versions, git revision) and
//                          the content fingerprints of its input files
//   state.json             run state, step, best evaluation (rewritten atomically)
//   metrics.jsonl          one JSON record per line, appended and flushed per record; a
//                          record is whole or absent (a failed append is cut off again)
//   metrics.jsonl.<UTC time>.bak  the metrics of an attempt that left no checkpoint, set
//                          aside when training starts again from step 0
//   predictions/step-N.json  dev predictions of each evaluation (for paired tests)
//   checkpoints/step-N/    model.safetensors, optimizer.pt, rng.safetensors,
//                          trainer_state.json, and config.json with the tokenizer's files (and
//                          modeling_crisp.py for a sparse policy) so that transformers'
//                          from_pretrained loads it; each directory appears atomically (rename)
//   events.out.tfevents.*  TensorBoard's view of metrics.jsonl, one file per training session
//   checkpoints/damaged-step-N/  a checkpoint that could not be resumed from, set aside
//   run.lock               locked by the process training the run (see RunLock)
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
  // {} when absent. A state.json that says "running" or "paused" while no process holds the
  // run's lock was left by a process that died (kill -9, power loss): it reads as "stopped",
  // with "stale": true, "recorded_state" and a message saying that resume continues it.
  nlohmann::json readState() const;
  // Whether a live process holds run.lock (it is training this run), and which: "pid N on
  // HOST" ("" when none).
  bool isLocked() const { return !lockHolder().empty(); }
  std::string lockHolder() const;
  // Throws crisp::Error naming the holder when a process holds run.lock (as RunLock would).
  void refuseIfLocked() const;
  void writeState(const nlohmann::json& state) const;

  // Appends one record and hands it to the kernel; on failure (a full disk) nothing of the
  // record stays and the error names the file.
  void appendMetric(const nlohmann::json& record);
  // Size of metrics.jsonl, and truncation back to a size recorded in a checkpoint: to the end
  // of the last whole record at or below `size` (the file may have lost its tail in a crash).
  // Returns the size kept.
  uint64_t metricsSize() const;
  uint64_t truncateMetrics(uint64_t size);
  // Renames a non-empty metrics.jsonl to metrics.jsonl.<UTC time>.bak so that a run starting
  // again from step 0 has fresh metrics; returns the new path ("" when there was nothing).
  std::string setMetricsAside();
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
  // Renames checkpoints/step-N to checkpoints/damaged-step-N (never over an existing one), out
  // of checkpointSteps(); returns the new path.
  std::string setCheckpointAside(int64_t step) const;
  // Deletes all but the newest `keep` checkpoints and those in `alsoKeep`.
  void pruneCheckpoints(int keep, const std::vector<int64_t>& alsoKeep) const;

 private:
  void closeMetrics();
  void removeCheckpointDirectory(const std::filesystem::path& checkpoint) const;

  std::string path_;
  int metricsFd_ = -1;
};

// Held by the process that trains a run, for as long as it does. An open-file-description lock
// on RUN/run.lock: the kernel drops it when the process ends in any way, so no stale lock
// survives a crash, and a second trainer of the same run (another terminal, the studio and the
// command line) is refused instead of interleaving checkpoints.
class RunLock {
 public:
  // Throws crisp::Error naming the directory and the holder's pid and host when it is held.
  explicit RunLock(const std::string& runDirectory);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// The fields of an experiment (and its resume key) that name input files: the model, the
// tokenizer and the data.
const std::vector<std::string>& inputFieldNames();

// The content fingerprint of what `value` names in input field `field` (a model directory or
// hub id, a tokenizer file or directory, a data file); null for a preset or an empty value.
// Throws crisp::Error naming the path when it cannot be read.
nlohmann::json inputFingerprint(const std::string& field, const std::string& value);

// Why a run whose config.json is `recordedConfig` may not continue with the resume key
// `currentKey` (ExperimentConfig::resumeKey()); "" when it may. The keys must be equal, but:
//  - hyperparameters.save_every may differ, since how often a run checkpoints changes none of
//    the numbers it trains to (an interrupted sweep may go on with it added or changed);
//  - an input field's path may differ when the run recorded that input's content fingerprint
//    and the file now at the current path has it (a moved checkout, another node's mount).
// Otherwise it names the first settings that differ, e.g. "train_data: recorded "/a/train.tsv",
// now "/b/train.tsv", which holds other content".
std::string resumeKeyDifference(const nlohmann::json& recordedConfig,
                                const nlohmann::json& currentKey);

// `recordedConfig` with the current paths of the inputs that moved (in "experiment" and
// "resume_key"; their content already checked by resumeKeyDifference): what a resumed run writes
// back, so that the next resume, the runs view and `crisp stats` name the inputs where they are.
nlohmann::json withCurrentInputPaths(nlohmann::json recordedConfig,
                                     const nlohmann::json& currentKey);

// Throws crisp::Error when the run at `runPath`, whose config.json is `recordedConfig`, may not
// continue with `currentKey`: "RUN holds a run with a different configuration (DIFFERENCE);
// choose another directory".
void requireResumableWith(const std::string& runPath, const nlohmann::json& recordedConfig,
                          const nlohmann::json& currentKey);

// A new run's config.json "load_report" (which tensors a pretrained checkpoint did not provide
// or provided unused, as transformers says it) without its trailing newline; "" when none.
std::string loadReportOf(const nlohmann::json& runConfig);

// One row of the runs table, read from a run directory's files.
struct RunSummary {
  std::string path, name, policy, state;
  uint64_t seed = 0;
  double bestAccuracy = -1, lastDevLoss = -1, elapsedSeconds = 0;
  double epoch = 0;  // of the newest record, training or evaluation: how far the run got
  int64_t step = 0;
  // Data-parallel ranks its latest training session ran on (state.json's world_size; 1 for
  // runs from before it was recorded): what the studio's Resume continues it with.
  int worldSize = 1;
  // It has a checkpoint, is not finished and no process trains it: `crisp resume` (or the
  // studio's Resume) continues it.
  bool resumable = false;
};

// Summarises a run directory; throws crisp::Error if it has no readable config.json.
RunSummary summarizeRun(const std::string& path);
// Every run directory directly under root, newest first by name; unreadable ones are skipped.
std::vector<RunSummary> listRuns(const std::string& root);

}  // namespace crisp
