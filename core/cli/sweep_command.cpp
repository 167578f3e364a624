#include "core/cli/sweep_command.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/analysis/statistics.h"
#include "core/cli/command_support.h"
#include "core/cli/train_command.h"
#include "core/io/atomic_file.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/train/experiment_set.h"
#include "core/train/run_directory.h"

namespace crisp::cli {
namespace {

namespace fs = std::filesystem;

// Where a run directory stands, read without writing anything.
struct RunStatus {
  bool exists = false;
  std::string difference;  // from the experiment the set asks for ("" when the same)
  std::string state = "new";
  double bestAccuracy = -1;
};

RunStatus statusOf(const std::string& path, const ExperimentConfig& experiment) {
  RunStatus status;
  RunDirectory run(path);
  if (!run.hasConfig()) return status;
  status.exists = true;
  const nlohmann::json config = run.readConfig();
  // The trainer refuses to resume a directory whose resume_key differs; say so before training.
  status.difference = resumeKeyDifference(config, experiment.resumeKey());
  const nlohmann::json state = run.readState();
  status.state = state.value("state", std::string("created"));
  status.bestAccuracy = state.value("best_accuracy", -1.0);
  return status;
}

std::string percent(double fraction) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << 100 * fraction << "%";
  return out.str();
}

void writeStatistics(const SweepStatistics& statistics, const std::string& root) {
  writeFileAtomically((fs::path(root) / "statistics.md").string(), toMarkdown(statistics));
  writeFileAtomically((fs::path(root) / "statistics.csv").string(), toCsv(statistics));
  writeFileAtomically((fs::path(root) / "statistics.tex").string(), toLatex(statistics));
}

StatisticsOptions statisticsOptions(const std::string& baseline, int resamples,
                                    const std::optional<uint64_t>& seed) {
  StatisticsOptions options;
  options.baseline = baseline;
  options.bootstrapResamples = resamples;
  if (seed) options.bootstrapSeed = *seed;
  return options;
}

// Computes, writes and prints the statistics of the set's run directories that exist.
int sweepStatistics(const ExperimentSet& set, const SweepOptions& options, std::ostream& out,
                    std::ostream& err) {
  std::vector<std::string> directories;
  for (const ExperimentSetRun& run : set.runs()) {
    const fs::path path = fs::path(options.root) / run.directoryName;
    if (fs::exists(path / "config.json")) directories.push_back(path.string());
  }
  if (directories.empty()) {
    err << "crisp sweep: no runs under " << options.root << " yet; no statistics\n";
    return 0;
  }
  const std::string baseline = options.baseline.empty() ? set.baseline : options.baseline;
  SweepStatistics statistics;
  try {
    statistics = computeSweepStatistics(
        directories,
        statisticsOptions(baseline, options.bootstrapResamples, options.bootstrapSeed));
  } catch (const std::exception& e) {
    err << "crisp sweep: no statistics yet: " << e.what() << "\n";
    return 0;
  }
  writeStatistics(statistics, options.root);
  out << "\n" << toMarkdown(statistics);
  out << "\n(written to " << (fs::path(options.root) / "statistics.{md,csv,tex}").string() << ")\n";
  return 0;
}

}  // namespace

std::pair<int, int> parseShard(const std::string& text) {
  const size_t slash = text.find('/');
  const std::optional<int> index =
      slash == std::string::npos ? std::nullopt : parseNumber<int>(text.substr(0, slash));
  const std::optional<int> count =
      slash == std::string::npos ? std::nullopt : parseNumber<int>(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *index < 0 || *index >= *count) {
    throw Error("--shard " + text +
                ": expected I/N with 0 <= I < N, e.g. 0/4 for the first of four shares "
                "(Slurm: --shard ${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT})");
  }
  return {*index, *count};
}

int runSweep(const SweepOptions& options, std::ostream& out, std::ostream& err) {
  if (options.root.empty()) {
    err << "crisp sweep: error: --out ROOT is required\n";
    return 2;
  }
  ExperimentSet set;
  try {
    set = loadExperimentSet(options.experimentSet);
    for (const std::string& name : options.only) {
      if (!set.find(name)) {
        throw Error("--only " + name + ": not a configuration of " + options.experimentSet);
      }
    }
    if (!options.baseline.empty() && !set.find(options.baseline)) {
      throw Error("--baseline " + options.baseline + ": not a configuration of " +
                  options.experimentSet);
    }
    if (options.epochs && *options.epochs < 1) throw Error("--epochs must be at least 1");
    if (options.bootstrapResamples < 1) throw Error("--resamples must be at least 1");
    if (!options.device.empty()) {
      // Checked before any run starts: asking for CUDA where there is none fails here.
      resolveDevice(normalizeDeviceSpec(options.device, "--device"), "--device");
    }
  } catch (const std::exception& e) {
    err << "crisp sweep: error: " << e.what() << "\n";
    return 2;
  }
  for (ExperimentSetConfiguration& c : set.configurations) {
    if (options.epochs) c.experiment.hyper.epochs = *options.epochs;
    if (!options.device.empty()) {
      c.experiment.device = normalizeDeviceSpec(options.device, "--device");
    }
    if (!options.model.empty())
      c.experiment.model = startsWith(options.model, "preset:")
                               ? options.model
                               : fs::absolute(options.model).lexically_normal().string();
  }

  std::vector<ExperimentSetRun> runs;
  size_t position = 0;
  for (ExperimentSetRun& run : set.runs()) {
    const bool selected = options.only.empty() ||
                          std::find(options.only.begin(), options.only.end(), run.configuration) !=
                              options.only.end();
    if (!selected) continue;
    const bool inShard = !options.shard ||
                         static_cast<int>(position % options.shard->second) == options.shard->first;
    ++position;
    if (inShard) runs.push_back(std::move(run));
  }

  if (options.dryRun) {
    out << set.name << ": " << set.configurations.size() << " configurations x " << set.seeds.size()
        << " seeds; baseline " << set.baseline << "\n";
    size_t nameWidth = 0, policyWidth = 0;  // columns as wide as their longest entry
    for (const ExperimentSetRun& run : runs) {
      nameWidth = std::max(nameWidth, run.directoryName.size());
      policyWidth = std::max(policyWidth, run.experiment.policy.size());
    }
    for (const ExperimentSetRun& run : runs) {
      const std::string path = (fs::path(options.root) / run.directoryName).string();
      RunStatus status;
      try {
        status = statusOf(path, run.experiment);
      } catch (const std::exception& e) {
        status.state = std::string("unreadable: ") + e.what();
      }
      out << "  " << std::left << std::setw(static_cast<int>(nameWidth)) << run.directoryName
          << "  " << std::setw(static_cast<int>(policyWidth)) << run.experiment.policy << "  "
          << (!status.difference.empty()   ? "CONFLICT (" + status.difference + ")"
              : status.state == "finished" ? "finished, best " + percent(status.bestAccuracy)
              : status.exists              ? status.state + " (will resume)"
                                           : std::string("new"))
          << "\n";
    }
    return 0;
  }
  if (options.statsOnly) return sweepStatistics(set, options, out, err);

  try {
    fs::create_directories(options.root);
    writeFileAtomically((fs::path(options.root) / "experiment-set.json").string(),
                        set.toJson().dump(2) + "\n");
  } catch (const std::exception& e) {
    err << "crisp sweep: error: " << options.root << ": " << e.what() << "\n";
    return 2;
  }

  std::vector<std::string> failed;  // "NAME: why", from each failed run's state.json
  for (size_t i = 0; i < runs.size(); ++i) {
    const ExperimentSetRun& run = runs[i];
    const std::string path = (fs::path(options.root) / run.directoryName).string();
    const std::string counter =
        "[" + std::to_string(i + 1) + "/" + std::to_string(runs.size()) + "] ";
    RunStatus status;
    try {
      status = statusOf(path, run.experiment);
    } catch (const std::exception& e) {
      err << "crisp sweep: error: " << e.what() << "\n";
      return 2;
    }
    if (!status.difference.empty()) {
      err << "crisp sweep: error: " << path << " holds a run with a different configuration ("
          << status.difference
          << "; changed experiment file or --epochs/--model?); move it away or use another "
             "--out\n";
      return 2;
    }
    if (status.state == "finished") {
      if (!quiet()) {
        out << counter << run.directoryName << ": finished already (best dev accuracy "
            << percent(status.bestAccuracy) << "), skipped\n";
      }
      continue;
    }
    if (!quiet()) {
      out << counter << run.directoryName << (status.exists ? ": resuming" : ": starting") << "\n";
      out.flush();
    }
    const int code = trainIntoRunDirectory(path, run.experiment, false, out, err);
    if (code > 128) {  // stopped by a signal (128 + its number), with a checkpoint
      err << "crisp sweep: interrupted; run the same command again to continue\n";
      return code;
    }
    if (code == 2) return 2;  // the run's data or model cannot be prepared: the rest would fail too
    if (code != 0) {
      std::string why;
      try {
        why = RunDirectory(path).readState().value("message", std::string());
      } catch (const std::exception& e) {
        why = e.what();
      }
      failed.push_back(run.directoryName + ": " + (why.empty() ? "no message recorded" : why));
      err << "crisp sweep: " << run.directoryName << " failed; going on with the next run\n";
    }
  }
  if (options.shard) {
    // The other shards may still be training: statistics now would be partial.
    out << "shard " << options.shard->first << "/" << options.shard->second << " done. Once "
        << "every shard has finished: crisp sweep " << options.experimentSet << " --out "
        << options.root << " --stats-only (or crisp stats ROOT... over several roots)\n";
  } else {
    sweepStatistics(set, options, out, err);
  }
  if (!failed.empty()) {
    err << "crisp sweep: " << failed.size() << " run(s) failed:\n";
    for (const std::string& line : failed) err << "  " << line << "\n";
    return 1;
  }
  return 0;
}

int runStats(const StatsOptions& options, std::ostream& out, std::ostream& err) {
  if (options.format != "md" && options.format != "csv" && options.format != "tex") {
    err << "crisp stats: error: --format must be md, csv or tex\n";
    return 2;
  }
  SweepStatistics statistics;
  try {
    std::vector<std::string> directories;
    for (const std::string& root : options.roots) {
      const std::vector<std::string> under = runDirectoriesUnder(root);
      if (under.empty()) throw Error(root + ": no run directories (with config.json)");
      directories.insert(directories.end(), under.begin(), under.end());
    }
    if (directories.empty()) throw Error("no run directories given");
    StatisticsOptions statisticsOptions_ =
        statisticsOptions(options.baseline, options.bootstrapResamples, options.bootstrapSeed);
    statisticsOptions_.onlyFinishedRuns = !options.includeUnfinished;
    statistics = computeSweepStatistics(directories, statisticsOptions_);
    if (statistics.configurations.empty()) {
      std::string why;
      for (const std::string& warning : statistics.warnings) why += "\n  " + warning;
      throw Error(
          std::string("no run to count") +
          (options.includeUnfinished ? "" : " (--include-unfinished counts unfinished ones)") +
          ":" + why);
    }
    if (options.write) writeStatistics(statistics, options.roots.front());
  } catch (const std::exception& e) {
    err << "crisp stats: error: " << e.what() << "\n";
    return 2;
  }
  if (options.json) {
    out << toJson(statistics).dump(2) << "\n";
  } else if (options.format == "csv") {
    out << toCsv(statistics);
  } else if (options.format == "tex") {
    out << toLatex(statistics);
  } else {
    out << toMarkdown(statistics);  // which lists the warnings itself
  }
  if (options.json || options.format != "md") {
    for (const std::string& warning : statistics.warnings)
      err << "crisp stats: warning: " << warning << "\n";
  }
  return 0;
}

}  // namespace crisp::cli
