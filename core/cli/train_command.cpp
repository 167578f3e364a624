#include "core/cli/train_command.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "core/cli/command_support.h"
#include "core/io/json_file.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/input_error.h"
#include "core/sys/terminal.h"
#include "core/train/moved_inputs.h"
#include "core/train/run_directory.h"

namespace crisp::cli {
namespace {

// The first stopping signal received (0: none). SIGTERM is what Slurm, Kubernetes and
// systemd send before they kill, SIGHUP what a closed terminal sends: each stops the run as
// Ctrl-C does, with a checkpoint, so that `crisp resume` continues it.
std::atomic<int> gStopSignal{0};

extern "C" void onStopSignal(int signal) {
  int none = 0;
  gStopSignal.compare_exchange_strong(none, signal);
}

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Installs onStopSignal for the stopping signals for its lifetime, then restores what was there.
class StopSignalScope {
 public:
  StopSignalScope() {
    gStopSignal = 0;
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kStopSignals); ++i) {
      sigaction(kStopSignals[i], &action, &previous_[i]);
    }
  }
  ~StopSignalScope() {
    for (size_t i = 0; i < std::size(kStopSignals); ++i) {
      sigaction(kStopSignals[i], &previous_[i], nullptr);
    }
  }
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;

 private:
  struct sigaction previous_[std::size(kStopSignals)]{};
};

std::string signalName(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(signal);
  }
}

// Runs trainer.run() on a worker thread while this one hands its events to `drain` every
// 100 ms; the first stop signal (`onSignal` is told which) stops the run at the next step, with
// a checkpoint. Returns the final state; `stopSignal` is the signal, 0 when none came.
RunState runUntilDoneOrSignalled(Trainer& trainer, const std::function<void()>& drain,
                                 const std::function<void(int)>& onSignal, int& stopSignal) {
  const StopSignalScope stopSignals;
  stopSignal = 0;
  RunState state = RunState::Created;
  std::atomic<bool> done{false};
  std::thread worker([&] {
    state = trainer.run();
    done = true;
  });
  while (!done) {
    if (gStopSignal != 0 && stopSignal == 0) {
      stopSignal = gStopSignal;
      onSignal(stopSignal);
      trainer.control().stop();  // data-parallel ranks agree on the step through their flags
    }
    drain();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  worker.join();
  drain();
  return state;
}

std::string clock(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  std::ostringstream out;
  out << std::setfill('0');
  if (s >= 3600) out << s / 3600 << ":" << std::setw(2);
  out << (s / 60) % 60 << ":" << std::setw(2) << s % 60;
  return out.str();
}

// One redraw of the progress bar, at most `columns` - 1 characters wide: a line as wide as the
// terminal wraps on some terminals, leaving a new line at every redraw. What does not fit is
// dropped, least useful first: the rate, the ETA, then the bar itself.
std::string progressBar(const ProgressEvent& progress, double loss, int columns) {
  const double fraction =
      progress.totalSteps ? static_cast<double>(progress.step) / progress.totalSteps : 0.0;
  std::ostringstream status;
  status << std::setw(3) << static_cast<int>(100 * fraction) << "%  step " << progress.step << "/"
         << progress.totalSteps << "  loss " << std::fixed << std::setprecision(4) << loss;
  std::ostringstream rate;
  rate << "  " << std::fixed << std::setprecision(0) << progress.sentencesPerSecond << " sent/s";
  const std::string eta = "  ETA " + clock(progress.etaSeconds);
  const size_t room = static_cast<size_t>(std::max(columns - 1, 1));
  const size_t minimumBar = 10;  // "[" + 6 cells + "] "
  std::string text = status.str() + rate.str() + eta;
  if (text.size() + minimumBar > room) text = status.str() + eta;
  if (text.size() + minimumBar > room) text = status.str();
  if (text.size() + minimumBar > room) return text.substr(0, room);
  const size_t width = std::min<size_t>(30, room - text.size() - 3);
  const size_t filled = static_cast<size_t>(fraction * static_cast<double>(width));
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + text;
}

// Prints the trainer's events on err: a bar fitted to the terminal's width on a terminal, a
// line every tenth of the run otherwise (every hundredth when verbose); nothing but warnings
// and errors when quiet.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::ostream& err)
      : out_(err), terminal_(isTerminal(STDERR_FILENO)), columns_(terminalColumns(STDERR_FILENO)) {}

  void handle(const TrainingEvent& event) {
    if (const auto* p = std::get_if<ProgressEvent>(&event)) {
      progress_ = *p;
      if (quiet()) return;
      const int64_t parts = verbose() ? 100 : 10;
      if (terminal_) {
        out_ << "\r\033[K" << progressBar(progress_, loss_, columns_);
        barDrawn_ = true;
      } else if (p->totalSteps > 0 && p->step * parts / p->totalSteps != lastPart_) {
        lastPart_ = p->step * parts / p->totalSteps;
        out_ << "step " << p->step << "/" << p->totalSteps << "  loss " << std::fixed
             << std::setprecision(4) << loss_ << "  " << std::setprecision(0)
             << p->sentencesPerSecond << " sentences/s  ETA " << clock(p->etaSeconds) << "\n";
      }
    } else if (const auto* s = std::get_if<StepEvent>(&event)) {
      loss_ = s->loss;
    } else if (const auto* e = std::get_if<EvaluationEvent>(&event)) {
      if (quiet()) return;
      line() << "eval step " << e->step << " (epoch " << std::fixed << std::setprecision(2)
             << e->epoch << "): accuracy " << std::setprecision(2) << 100 * e->metrics.accuracy
             << "%, loss " << std::setprecision(4) << e->metrics.loss << ", macro-F1 "
             << std::setprecision(3) << e->metrics.macroF1 << (e->best ? " (best)" : "") << "\n";
    } else if (const auto* state = std::get_if<StateEvent>(&event)) {
      stateMessage_ = state->message;
    } else if (const auto* m = std::get_if<MessageEvent>(&event)) {
      if (quiet() && m->level == MessageEvent::Level::Info) return;
      line() << (m->level == MessageEvent::Level::Error     ? "error: "
                 : m->level == MessageEvent::Level::Warning ? "warning: "
                                                            : "")
             << m->text << "\n";
    }
    out_.flush();
  }

  void finish() {
    if (barDrawn_) out_ << "\n";
  }

  // The message of the run's last state: state.json's, or why a resume left state.json as it was.
  const std::string& stateMessage() const { return stateMessage_; }

 private:
  std::ostream& line() {
    if (barDrawn_) out_ << "\r\033[K";
    barDrawn_ = false;
    return out_;
  }

  std::ostream& out_;
  bool terminal_;
  int columns_;
  bool barDrawn_ = false;
  ProgressEvent progress_;
  double loss_ = 0;
  int64_t lastPart_ = -1;
  std::string stateMessage_;
};

// With one process per GPU each rank trains on the GPU of its LOCAL_RANK: the experiment's
// "cuda" (or "auto" on a GPU machine) names the kind of device, not one GPU. Nullopt where the
// experiment's own device holds (one process, or the CPU). Throws crisp::InputError for a
// device that names one GPU for several ranks, or more local ranks than GPUs.
std::optional<c10::Device> rankDevice(const ExperimentConfig& experiment,
                                      const GradientSynchronizer* sync) {
  if (sync == nullptr || sync->worldSize() <= 1 || experiment.device == "cpu") return std::nullopt;
  if (!resolveDevice(experiment.device, "--device").is_cuda()) return std::nullopt;
  const std::string ranks = std::to_string(sync->worldSize()) + " ranks";
  if (experiment.device.find(':') != std::string::npos) {
    throw InputError("--device " + experiment.device + " with " + ranks +
                     ": each rank takes the GPU of its LOCAL_RANK (NCCL needs one GPU per "
                     "rank); give --device cuda");
  }
  const int gpus = cudaDeviceCount();
  if (sync->localRank() >= gpus) {
    throw InputError("rank " + std::to_string(sync->rank()) + " has LOCAL_RANK " +
                     std::to_string(sync->localRank()) + " but this machine has " +
                     std::to_string(gpus) + " CUDA device" + (gpus == 1 ? "" : "s") +
                     ": start at most one rank per GPU");
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(sync->localRank()));
}

// Data-parallel ranks other than 0 never write the run: they prepare from the run's stored
// tokenizer when it has one, else from the experiment alone, and print only errors.
int trainAsFollower(const std::string& runDirectory, const ExperimentConfig& experiment,
                    const std::shared_ptr<GradientSynchronizer>& sync,
                    const std::optional<c10::Device>& device, std::ostream& err) {
  const std::string rank = "crisp: rank " + std::to_string(sync->rank()) + ": ";
  PreparedExperiment prepared;
  try {
    const bool existing = RunDirectory(runDirectory).hasConfig();
    if (!existing && experiment.trainSentencePiece.enabled()) {
      throw Error(
          "data-parallel training cannot train a SentencePiece vocabulary for a new "
          "run (each rank would train its own): train it in one process first, or "
          "give it as --tokenizer");
    }
    prepared = prepareExperiment(experiment, existing ? runDirectory : std::string());
  } catch (const std::exception& e) {
    err << rank << "error: " << e.what() << "\n";
    return 2;
  }
  if (device) prepared.inputs.device = *device;
  Trainer trainer(std::move(prepared.inputs), experiment.hyper, runDirectory, prepared.runConfig);
  trainer.setGradientSynchronizer(sync);
  const auto reportErrors = [&] {
    for (const TrainingEvent& event : trainer.events().drain()) {
      if (const auto* m = std::get_if<MessageEvent>(&event)) {
        if (m->level == MessageEvent::Level::Error) err << rank << "error: " << m->text << "\n";
      }
    }
  };
  int stopSignal = 0;
  const RunState state = runUntilDoneOrSignalled(
      trainer, reportErrors, [](int) {}, stopSignal);
  if (state == RunState::Failed) return 1;
  return stopSignal != 0 ? 128 + stopSignal : 0;
}

int trainInto(const std::string& runDirectory, const ExperimentConfig& experiment, bool json,
              std::ostream& out, std::ostream& err,
              const std::shared_ptr<GradientSynchronizer>& sync) {
  // Every rank checks its device before anything is written.
  std::optional<c10::Device> device;
  try {
    device = rankDevice(experiment, sync.get());
  } catch (const std::exception& e) {
    err << "crisp: error: " << e.what() << "\n";
    return 2;
  }
  if (sync && sync->rank() != 0)
    return trainAsFollower(runDirectory, experiment, sync, device, err);
  PreparedExperiment prepared;
  try {
    // Before preparing, which writes RUN/tokenizer: the trainer would refuse it anyway.
    RunDirectory(runDirectory).refuseIfLocked();
    prepared = prepareExperiment(experiment, runDirectory);
  } catch (const std::exception& e) {
    err << "crisp: error: " << e.what() << "\n";
    return 2;
  }
  if (device) prepared.inputs.device = *device;
  Trainer trainer(std::move(prepared.inputs), experiment.hyper, runDirectory, prepared.runConfig);
  if (sync) trainer.setGradientSynchronizer(sync);
  ProgressPrinter printer(err);
  if (!quiet()) {
    err << "training " << experiment.name << " (" << prepared.runConfig["policy"].get<std::string>()
        << ") into " << runDirectory;
    if (sync && sync->worldSize() > 1) err << " on " << sync->worldSize() << " ranks";
    err << "\n";
  }
  if (verbose()) err << "experiment: " << experiment.toJson().dump() << "\n";

  const auto start = std::chrono::steady_clock::now();
  int stopSignal = 0;
  const RunState state = runUntilDoneOrSignalled(
      trainer,
      [&] {
        for (const TrainingEvent& event : trainer.events().drain()) printer.handle(event);
      },
      [&](int signal) {
        err << "\n"
            << signalName(signal) << ": stopping after this step and writing a checkpoint\n";
      },
      stopSignal);
  printer.finish();

  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const nlohmann::json finalState = RunDirectory(runDirectory).readState();
  if (json) {
    out << nlohmann::json{{"run_directory", runDirectory},
                          {"state", toString(state)},
                          {"message", printer.stateMessage()},
                          {"best_accuracy", finalState.value("best_accuracy", -1.0)},
                          {"best_step", finalState.value("best_step", -1)},
                          {"steps", finalState.value("step", 0)},
                          {"wall_seconds", wall}}
               .dump()
        << "\n";
  } else {
    out << toString(state) << ": " << printer.stateMessage() << "  (wall time " << clock(wall)
        << ")\n";
  }
  if (state == RunState::Failed) return 1;
  return stopSignal != 0 ? 128 + stopSignal : 0;
}

}  // namespace

int trainIntoRunDirectory(const std::string& runDirectory, const ExperimentConfig& experiment,
                          bool json, std::ostream& out, std::ostream& err,
                          std::shared_ptr<GradientSynchronizer> synchronizer) {
  return trainInto(runDirectory, experiment, json, out, err, synchronizer);
}

void resolveExperiment(TrainOptions& options,
                       const std::function<bool(const std::string&)>& given) {
  const ExperimentConfig& flags = options.experiment;
  ExperimentConfig resolved;
  bool named = false;  // the experiment file names it
  if (options.experimentFile.empty()) {
    resolved = ExperimentConfig::defaultsFor(flags.usesDemoData());
  } else {
    const nlohmann::json j = readJsonFile(options.experimentFile);
    try {
      resolved = ExperimentConfig::fromJson(j);
    } catch (const std::exception& e) {
      throw Error(options.experimentFile + ": " + e.what());
    }
    named = j.contains("name");
    if (j.contains("device") && !given("--device")) {
      options.deviceSource = options.experimentFile + ": device";
    }
  }
  if (given("--preset") || given("--model")) resolved.model = flags.model;
  // A tokenizer on the command line replaces the file's choice, whichever kind it was.
  if (given("--tokenizer")) {
    resolved.tokenizer = flags.tokenizer;
    resolved.trainSentencePiece = {};
  }
  if (given("--train-sentencepiece")) {
    resolved.tokenizer.clear();
    resolved.trainSentencePiece.vocabSize = flags.trainSentencePiece.vocabSize;
  }
  if (given("--sentencepiece-type"))
    resolved.trainSentencePiece.modelType = flags.trainSentencePiece.modelType;
  if (given("--train")) resolved.trainData = flags.trainData;
  if (given("--dev")) resolved.devData = flags.devData;
  if (given("--attention")) resolved.policy = flags.policy;
  if (given("--epochs")) resolved.hyper.epochs = flags.hyper.epochs;
  if (given("--batch")) resolved.hyper.batchSize = flags.hyper.batchSize;
  if (given("--lr")) resolved.hyper.learningRate = flags.hyper.learningRate;
  if (given("--seed")) resolved.hyper.seed = flags.hyper.seed;
  if (given("--eval-every")) resolved.hyper.evalEvery = flags.hyper.evalEvery;
  if (given("--max-len")) resolved.maxLength = flags.maxLength;
  if (given("--save-every")) {
    resolved.hyper.saveEverySteps = flags.hyper.saveEverySteps;
    resolved.hyper.saveEverySeconds = flags.hyper.saveEverySeconds;
  }
  if (given("--device")) resolved.device = flags.device;
  if (given("--precision")) resolved.precision = flags.precision;
  // Runs that differ in data, model or policy must not share a name: the runs view and
  // `crisp stats` take runs of one name for seeds of one configuration.
  if (given("--name")) {
    resolved.name = flags.name;
  } else if (!named) {
    resolved.name = defaultRunName(resolved);
  } else if (given("--attention") && resolved.policy != "dense") {
    resolved.name += "-" + resolved.policy;
  }
  options.experiment = resolved;
}

int runTrain(const TrainOptions& options, std::ostream& out, std::ostream& err) {
  if (options.runDirectory.empty()) {
    err << "crisp train: error: --out DIR is required\n";
    return 2;
  }
  ExperimentConfig experiment = options.experiment;
  // The run's record names its inputs by absolute paths: `crisp resume` works from anywhere.
  anchorInputPaths(experiment, std::filesystem::current_path());
  try {  // named after the flag or the file's key that asked for it
    experiment.device = normalizeDeviceSpec(experiment.device, options.deviceSource);
    const c10::Device device = resolveDevice(experiment.device, options.deviceSource);
    experiment.precision = normalizePrecision(experiment.precision, "--precision");
    computeType(experiment.precision, device, "--precision");
  } catch (const std::exception& e) {
    err << "crisp train: error: " << e.what() << "\n";
    return 2;
  }
  return trainInto(options.runDirectory, experiment, options.json, out, err, options.synchronizer);
}

int runResume(const std::string& runDirectory, bool json, std::ostream& out, std::ostream& err,
              const ResumeOverrides& overrides,
              std::shared_ptr<GradientSynchronizer> synchronizer) {
  ExperimentConfig experiment;
  try {
    const std::string file = runDirectory + "/config.json";
    experiment = readRunExperiment(runDirectory);
    const std::string& device = overrides.device;
    const std::string source = device.empty() ? file + ": experiment.device" : "--device";
    if (!device.empty()) experiment.device = normalizeDeviceSpec(device, source);
    const c10::Device resolved = resolveDevice(experiment.device, source);
    const std::string& precision = overrides.precision;
    if (!precision.empty()) experiment.precision = normalizePrecision(precision, "--precision");
    computeType(experiment.precision, resolved,
                precision.empty() ? file + ": experiment.precision" : "--precision");
    // The trainer compares them with the recorded ones by content (requireResumableWith).
    ExperimentConfig moved;
    moved.model = overrides.model;
    moved.trainData = overrides.trainData;
    moved.devData = overrides.devData;
    anchorInputPaths(moved, std::filesystem::current_path());
    if (!moved.model.empty()) experiment.model = moved.model;
    if (!moved.trainData.empty()) experiment.trainData = moved.trainData;
    if (!moved.devData.empty()) experiment.devData = moved.devData;
    // An input that is gone has most likely moved with its checkout or mount: say how to go on.
    const std::vector<MissingInput> missing = missingInputs(experiment);
    std::string gone;
    for (const MissingInput& input : missing) {
      gone += (gone.empty() ? "" : "; ") + std::string("the run's ") + input.description + " \"" +
              experiment.*input.field + "\" is gone; if it moved, give its new path with " +
              input.resumeOption;
    }
    if (!gone.empty()) {
      throw Error(file + ": " + gone + " (the run checks " + (missing.size() == 1 ? "it" : "each") +
                  " by the content it recorded)");
    }
  } catch (const std::exception& e) {
    err << "crisp resume: error: " << e.what() << "\n";
    return 2;
  }
  return trainInto(runDirectory, experiment, json, out, err, synchronizer);
}

}  // namespace crisp::cli
