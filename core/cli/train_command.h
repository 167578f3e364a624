#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "core/train/experiment.h"

namespace crisp::cli {

struct TrainOptions {
  std::string runDirectory;
  std::string experimentFile;  // JSON; flags given on the command line override it
  // The flags' values (resolveExperiment turns them into the experiment to train).
  ExperimentConfig experiment = ExperimentConfig::defaultsFor(false);
  std::string deviceSource = "--device";  // names the device's origin in a refusal
  bool json = false;
  // Data-parallel training: this process's rank (core/dist, set up by the caller); null for
  // one process. Rank 0 reports as one process would; the other ranks print only errors.
  std::shared_ptr<GradientSynchronizer> synchronizer;
};

// The experiment `crisp train` trains: the experiment file, or without one the defaults for the
// data (the demo's for the demo corpus: ExperimentConfig::defaultsFor), then the flags for which
// `given` is true (e.g. "--epochs"). Without --name, a run is named after its data, model and
// policy (defaultRunName: sst2-distilbert-base-uncased-crisp0.8); an experiment file's name gets
// a non-dense --attention appended (NAME-crisp:0.8), so runs of different policies are not taken
// for seeds of one configuration. Throws crisp::Error for an unreadable experiment file.
void resolveExperiment(TrainOptions& options, const std::function<bool(const std::string&)>& given);

// `crisp train`: trains into a run directory on a worker thread, showing progress (a bar on a
// terminal, log lines otherwise); Ctrl-C stops with a final checkpoint. Exit codes: 0 finished
// or stopped, 1 failed, 2 bad configuration, 128 + N stopped by signal N (130 Ctrl-C, 143
// SIGTERM, 129 SIGHUP) after writing a checkpoint.
int runTrain(const TrainOptions& options, std::ostream& out, std::ostream& err);

// Trains `experiment` into `runDirectory`, resuming from its last checkpoint if it has one (the
// path of `crisp train` and `crisp resume`, also used by `crisp sweep`). Same exit codes.
int trainIntoRunDirectory(const std::string& runDirectory, const ExperimentConfig& experiment,
                          bool json, std::ostream& out, std::ostream& err,
                          std::shared_ptr<GradientSynchronizer> synchronizer = nullptr);

// What `crisp resume` may change of a run's recorded experiment; empty fields keep it.
struct ResumeOverrides {
  std::string device;     // cpu, cuda, cuda:N, auto: checkpoints load on any device
  std::string precision;  // fp32, bf16
  // Inputs found at another path (a moved checkout, another node's mount). The run continues
  // only when it recorded their content fingerprints and the files there have them.
  std::string model, trainData, devData;
};

// `crisp resume DIR`: continues a run from its last checkpoint with its recorded config, but
// for what `overrides` gives.
int runResume(const std::string& runDirectory, bool json, std::ostream& out, std::ostream& err,
              const ResumeOverrides& overrides = {},
              std::shared_ptr<GradientSynchronizer> synchronizer = nullptr);

}  // namespace crisp::cli
