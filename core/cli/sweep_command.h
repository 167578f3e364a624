#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace crisp::cli {

struct SweepOptions {
  std::string experimentSet;      // the experiment set file (see core/train/experiment_set.h)
  std::string root;               // runs go to ROOT/<configuration>-seed<N>/
  bool dryRun = false;            // list the runs and their state; train nothing
  bool statsOnly = false;         // train nothing; compute the statistics of the runs present
  std::vector<std::string> only;  // train only these configurations (statistics cover all)
  // Train only shard `index` of `count` (0 <= index < count): run i of the set's runs (after
  // --only) belongs to shard i mod count, so N jobs (a Slurm array) split a sweep between them.
  std::optional<std::pair<int, int>> shard;
  std::optional<int> epochs;  // overrides every configuration's epochs
  std::string model;          // overrides every configuration's model (relative to the cwd)
  std::string device;         // overrides every configuration's device (cpu, cuda, cuda:N, auto)
  std::string baseline;       // overrides the set's baseline
  int bootstrapResamples = 10000;
  std::optional<uint64_t> bootstrapSeed;
};

// `crisp sweep SET --out ROOT`: trains every configuration x seed of an experiment set in turn
// through the same path as `crisp train`. A finished run is skipped and an interrupted one
// resumed, so the same command continues a sweep after Ctrl-C, kill or a reboot. At the end it
// writes ROOT/statistics.{md,csv,tex} and prints the Markdown. Exit codes: 0 all runs finished,
// 1 a run failed (the others still ran), 2 bad experiment set or options, 128 + N stopped by
// signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP) with a checkpoint.
int runSweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

// "I/N" -> {I, N} with 0 <= I < N; throws crisp::Error naming --shard otherwise.
std::pair<int, int> parseShard(const std::string& text);

struct StatsOptions {
  std::vector<std::string> roots;  // directories of run directories (merged: a sweep's shards)
  std::string baseline;            // default: "dense" if present, else the first configuration
  int bootstrapResamples = 10000;
  std::optional<uint64_t> bootstrapSeed;
  bool includeUnfinished = false;
  std::string format = "md";  // md, csv or tex: what is printed
  bool json = false;          // print statistics as JSON instead (analysis/statistics.h toJson)
  bool write = false;         // also write statistics.{md,csv,tex} into the first root
};

// `crisp stats ROOT...`: the statistics table of the run directories under the roots; warnings
// go to err unless the Markdown table lists them. Exit codes: 0, 2 when the roots hold no runs
// to count or the baseline is unknown.
int runStats(const StatsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
