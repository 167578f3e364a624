#pragma once

// Statistics over a sweep of runs (configurations x seeds): per-configuration mean and sample
// standard deviation, and paired comparisons of each configuration with a baseline on the dev
// predictions of matched seeds (exact McNemar test, paired bootstrap CI of the accuracy
// difference). Reads run directories only; no LibTorch, no Qt.

#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

// --- building blocks ---------------------------------------------------------------------

struct MeanSd {
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); NaN when n < 2
  int n = 0;
};
MeanSd meanAndSampleSd(const std::vector<double>& values);

// Two-sided exact McNemar test: b and c are the discordant pairs (b: only the baseline right,
// c: only the candidate right). p = min(1, 2 P(X <= min(b, c))), X ~ Binomial(b + c, 1/2),
// computed in log space so that b + c in the millions stays finite. b + c = 0 gives 1.
double mcnemarExactPValue(int64_t b, int64_t c);

struct BootstrapInterval {
  double observed = 0;  // candidate accuracy - baseline accuracy on all examples
  double low = 0, high = 0;
};

// Paired percentile bootstrap of the accuracy difference (candidate - baseline): each resample
// draws the same example indices for both models. Deterministic from `seed`. The three vectors
// must have the same length (crisp::Error otherwise).
BootstrapInterval pairedBootstrapAccuracyDifference(const std::vector<int64_t>& labels,
                                                    const std::vector<int64_t>& baseline,
                                                    const std::vector<int64_t>& candidate,
                                                    int resamples, uint64_t seed,
                                                    double level = 0.95);

// --- one run, read from its directory ----------------------------------------------------

struct RunResult {
  std::string path;
  std::string configuration;  // config.json experiment.name
  std::string policy;         // config.json policy (canonical form)
  std::string state;          // state.json state ("finished", "stopped", ...)
  uint64_t seed = 0;
  int64_t bestStep = -1;      // -1: never evaluated
  double bestAccuracy = -1;   // dev accuracy at bestStep
  double devLossAtBest = -1;  // dev loss of the evaluation at bestStep (-1 if not recorded)
  // Dev labels and predictions of the best evaluation (predictions/step-N.json); empty if absent.
  std::vector<int64_t> labels, predictions;
};

// Throws crisp::Error naming the file at fault when config.json or state.json is unreadable.
RunResult readRunResult(const std::string& runDirectory);

// Every run directory (one with a config.json) directly under root, sorted by path.
std::vector<std::string> runDirectoriesUnder(const std::string& root);

// --- a sweep -----------------------------------------------------------------------------

struct StatisticsOptions {
  // The configuration the others are compared with; empty: "dense" if present, else the first
  // configuration met in the list of runs.
  std::string baseline;
  int bootstrapResamples = 10000;
  uint64_t bootstrapSeed = 20250808;
  double confidenceLevel = 0.95;
  bool onlyFinishedRuns = true;  // runs in any other state are left out (and named in warnings)
};

struct ConfigurationSummary {
  std::string name, policy;
  std::vector<uint64_t> seeds;  // of the runs counted, ascending
  MeanSd bestAccuracy;          // best dev accuracy, fraction in [0, 1]
  MeanSd devLossAtBest;
};

struct SeedComparison {
  uint64_t seed = 0;
  int64_t examples = 0;
  int64_t b = 0, c = 0;  // b: only the baseline right; c: only the candidate right
  double pValue = 1;     // exact McNemar
  BootstrapInterval accuracyDifference;
};

struct Comparison {
  std::string configuration, baseline;
  std::vector<SeedComparison> perSeed;  // matched seeds, ascending
  // McNemar on the paired predictions of all matched seeds concatenated.
  int64_t pooledB = 0, pooledC = 0;
  double pooledPValue = 1;
  // Means over matched seeds of the per-seed observed difference and CI bounds.
  double meanDifference = 0, meanLow = 0, meanHigh = 0;
};

struct SweepStatistics {
  std::string baseline;
  double confidenceLevel = 0.95;
  int bootstrapResamples = 0;
  std::vector<ConfigurationSummary> configurations;  // in order of first appearance
  std::vector<Comparison> comparisons;  // every configuration but the baseline, same order
  std::vector<std::string> warnings;    // runs left out, unmatched seeds, missing predictions
};

// Reads each run directory and computes the table. Unreadable runs become warnings, not errors;
// throws crisp::Error only when an explicitly named baseline has no runs.
SweepStatistics computeSweepStatistics(const std::vector<std::string>& runDirectories,
                                       const StatisticsOptions& options = {});

// Accuracies in percent, differences in percentage points.
std::string toMarkdown(const SweepStatistics& statistics);
std::string toCsv(const SweepStatistics& statistics);    // one row per configuration
std::string toLatex(const SweepStatistics& statistics);  // booktabs table

}  // namespace crisp
