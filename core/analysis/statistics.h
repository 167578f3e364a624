#pragma once

// Statistics over a sweep of runs (configurations x seeds): per-configuration mean and sample
// standard deviation, and paired comparisons of each configuration with a baseline on the dev
// predictions of matched seeds. Reads run directories only; no LibTorch, no Qt.
//
// The design: every seed of every configuration is evaluated on the same dev sentences, and a
// candidate's seed s is paired with the baseline's seed s. So a sweep of S seeds on N sentences
// is N independent sentences, each measured S times (once per seed pair), not S x N independent
// pairs. Pooling the seeds into one McNemar table counts every sentence S times: a sentence one
// configuration gets right and the other wrong under every seed (the usual case: the difference
// is a property of the sentence) adds S "independent" discordant pairs, so the pooled test
// understates the variance up to S-fold and overstates the evidence. What is reported instead:
//   - per seed: the exact McNemar test and a paired bootstrap CI (valid: one pair of models,
//     sentences as the sample);
//   - over seeds: seedStratifiedTest() (pairs matched within each seed, the sentence as the
//     independent unit) and hierarchicalBootstrapMeanDifference() (resample seeds, then
//     sentences) for the CI of the mean difference over seeds.
// Runs are grouped by (configuration name, data, model, settings): runs of different data or
// models are never taken for seeds of one configuration, and are compared only with a baseline
// on the same data and model; runs of one name that differ in a setting (policy, learning rate,
// epochs, ...) are configurations of their own, named "NAME {setting value, ...}". Only an exact
// repeat (all of that and the seed) is left out.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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

// Per example of one seed: +1 only the candidate right, -1 only the baseline right, else 0. The
// three vectors must have the same length (crisp::Error otherwise).
std::vector<int8_t> pairedDifferences(const std::vector<int64_t>& labels,
                                      const std::vector<int64_t>& baseline,
                                      const std::vector<int64_t>& candidate);

// Paired percentile bootstrap of the accuracy difference (candidate - baseline): each resample
// draws the same example indices for both models. Deterministic from `seed`. The three vectors
// must have the same length (crisp::Error otherwise).
BootstrapInterval pairedBootstrapAccuracyDifference(const std::vector<int64_t>& labels,
                                                    const std::vector<int64_t>& baseline,
                                                    const std::vector<int64_t>& candidate,
                                                    int resamples, uint64_t seed,
                                                    double level = 0.95);

// --- over seeds on shared sentences ------------------------------------------------------
//
// differences[s][i]: pairedDifferences() of seed s (the candidate's seed s against the
// baseline's seed s) on dev sentence i; every seed has the same sentences in the same order.

// Seed-stratified test for matched pairs on sentences shared by the seeds.
//
// Why not the Cochran-Mantel-Haenszel statistic on the per-seed McNemar tables: with each
// seed's discordant pairs (b_s, c_s) as a stratum and "each discordant pair is c with
// probability 1/2" as the null in every stratum, the MH statistic is
//   (|sum c_s - sum (b_s + c_s)/2| - 1/2)^2 / sum (b_s + c_s)/4 = (|C - B| - 1)^2 / (B + C)
// with B = sum b_s, C = sum c_s: the continuity-corrected McNemar test of the pooled table, and
// its exact version, C ~ Binomial(B + C, 1/2), is the pooled exact McNemar test. Stratifying by
// seed cannot change it, because the null fixes the same 1/2 in every stratum; it still counts
// a sentence S times. (The textbook CMH on the per-seed tables of model x right/wrong instead
// tests a common odds ratio of two independent samples: it ignores the pairing altogether.)
//
// What is computed: the Mantel-Haenszel-type test for clustered matched pairs (Durkalski,
// Palesch, Lipsitz and Rust, Stat. Med. 22:2417, 2003), with the sentence as the cluster and its
// S seed pairs, each matched within its seed, as the members. Per sentence,
//   d_i = sum_s differences[s][i] = c_i - b_i   (in -S..S),
// and the statistic is T = sum_i d_i = C - B.
//   Null hypothesis: given the trained models, a dev sentence drawn from the population is as
//   likely to favour the baseline as the candidate summed over the seeds: d_i is symmetric about
//   0 (for the chi-square version: E d_i = 0). The sentences are independent draws; the seeds of
//   one sentence are not assumed independent of each other.
//   Exact two-sided p: the sign-flip (randomisation) distribution of T given |d_1|..|d_N|,
//   p = P(|T*| >= |T|) with T* = sum_i +-|d_i|, computed by convolving one Binomial(n_k, 1/2) per
//   magnitude k = 1..S (n_k sentences with |d_i| = k). With one seed, or whenever every nonzero
//   |d_i| is the same, it is exactly mcnemarExactPValue(B, C) of the net counts.
//   Large samples (when the convolution would cost more than exactWorkLimit multiply-adds): the
//   chi-square approximation chi2 = (|T| - 1)^2 / sum_i d_i^2 on 1 df, whose denominator is the
//   sign-flip variance of T; with one seed it is the continuity-corrected McNemar statistic.
// It is a test about these S pairs of trained models on the sentence population; it does not
// generalise over training seeds (with S = 3 to 5 seeds nothing can say much about that: the
// exact sign-flip test over seeds has a smallest p of 2 / 2^S). The seed-to-seed spread enters
// the CI of hierarchicalBootstrapMeanDifference(), which resamples seeds as well.
struct StratifiedTest {
  int seeds = 0;
  int64_t sentences = 0;  // per seed
  int64_t b = 0, c = 0;   // discordant pairs summed over seeds (descriptive)
  int64_t clusters = 0;   // sentences with d_i != 0
  int64_t statistic = 0;  // T = sum_i d_i = c - b
  double variance = 0;    // sum_i d_i^2, the sign-flip variance of T
  double chiSquare = 0;   // (|T| - 1)^2 / variance (0 when |T| <= 1)
  double pValue = 1;      // two-sided
  bool exact = true;      // p from the exact sign-flip distribution, else chi-square
};
constexpr double kExactWorkLimit = 2e8;
StratifiedTest seedStratifiedTest(const std::vector<std::vector<int8_t>>& differences,
                                  double exactWorkLimit = kExactWorkLimit);

// Hierarchical percentile bootstrap of the mean over seeds of the accuracy difference
// (candidate - baseline). Each resample draws S seeds with replacement, then ONE set of N
// sentence indices with replacement that every drawn seed uses: the seeds share the dev
// sentences, so the sentence sample is drawn once per resample (drawing it afresh per seed would
// treat the seeds' sentences as independent samples and understate the sentence-level
// variance, the very error of the pooled test). The statistic of a resample is the mean
// difference over the drawn seeds and sentences. observed: the mean over seeds of the per-seed
// differences. Deterministic from `seed`; with one seed no seed is drawn and the result equals
// pairedBootstrapAccuracyDifference() with the same seed. crisp::Error for no seeds, no
// sentences or seeds of different lengths.
BootstrapInterval hierarchicalBootstrapMeanDifference(
    const std::vector<std::vector<int8_t>>& differences, int resamples, uint64_t seed,
    double level = 0.95);

// --- one run, read from its directory ----------------------------------------------------

struct RunResult {
  std::string path;
  std::string configuration;  // config.json experiment.name
  std::string policy;         // config.json policy (canonical form)
  std::string state;          // state.json state ("finished", "stopped", ...)
  // What the run was trained and evaluated on, from config.json's experiment: "demo (train N,
  // dev M)" or "train: PATH, dev: PATH"; and its model: "preset:NAME" or the model directory,
  // with ", tokenizer: ..." / ", sentencepiece: ..." when it names its own tokenizer. Missing
  // fields take ExperimentConfig's defaults (the demo, preset:tiny).
  std::string data, model;
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
  // The configuration the others are compared with, on each (data, model) separately; empty:
  // per (data, model), the configuration whose policy is dense (the one named "dense" when
  // several are; e.g. "tiny-dense"); without one, that (data, model) is not compared (a
  // warning says so).
  std::string baseline;
  int bootstrapResamples = 10000;
  uint64_t bootstrapSeed = 20250808;
  double confidenceLevel = 0.95;
  bool onlyFinishedRuns = true;  // runs in any other state are left out (and named in warnings)
};

// The runs of one (configuration, data, model): its seeds.
struct ConfigurationSummary {
  // Unique in the table: the configuration name, or, when the runs are on more than one (data,
  // model), "NAME [DATA / MODEL]" with short labels (the dev set's folder, the preset or model
  // folder; the full identity where those would collide).
  std::string name;
  std::string configuration;  // config.json experiment.name
  std::string policy;
  std::string data, model;      // RunResult::data, RunResult::model
  bool isBaseline = false;      // the baseline of its (data, model)
  std::vector<uint64_t> seeds;  // of the runs counted, ascending
  MeanSd bestAccuracy;          // best dev accuracy, fraction in [0, 1]
  MeanSd devLossAtBest;
};

struct SeedComparison {
  uint64_t seed = 0;
  int64_t examples = 0;
  int64_t b = 0, c = 0;                  // b: only the baseline right; c: only the candidate right
  double pValue = 1;                     // exact McNemar on this seed's pairs
  BootstrapInterval accuracyDifference;  // paired bootstrap on this seed's pairs
};

struct Comparison {
  std::string configuration, baseline;  // ConfigurationSummary::name of both
  std::vector<SeedComparison> perSeed;  // matched seeds, ascending
  // b and c summed over the matched seeds: descriptive only (a sentence counts once per seed;
  // see the top of this file for why no test is done on these).
  int64_t pooledB = 0, pooledC = 0;
  // Over the matched seeds (NaN when they do not share their dev sentences; a warning says so):
  StratifiedTest stratified;         // p: stratified.pValue
  BootstrapInterval meanDifference;  // observed mean difference, hierarchical bootstrap CI
  // Means over matched seeds of the per-seed CI bounds: descriptive (a typical per-seed
  // interval), not a CI of the mean difference.
  double meanPerSeedLow = 0, meanPerSeedHigh = 0;
};

struct SweepStatistics {
  // The baseline configuration's name: the one asked for, else that of the first (data, model).
  // Each (data, model) has its own; ConfigurationSummary::isBaseline marks them.
  std::string baseline;
  double confidenceLevel = 0.95;
  int bootstrapResamples = 0;
  std::vector<ConfigurationSummary> configurations;  // per (data, model): its baseline, then the
                                                     // others in order of first appearance
  // Every configuration with a baseline on its (data, model), but the baselines, in order of
  // first appearance.
  std::vector<Comparison> comparisons;
  std::vector<std::string> warnings;  // runs left out, unmatched seeds, missing predictions,
                                      // one name on several (data, model)
};

// Reads each run directory and computes the table. Unreadable runs become warnings, not errors;
// throws crisp::Error only when an explicitly named baseline has no runs at all.
SweepStatistics computeSweepStatistics(const std::vector<std::string>& runDirectories,
                                       const StatisticsOptions& options = {});

// Accuracies in percent, differences in percentage points.
std::string toMarkdown(const SweepStatistics& statistics);
std::string toCsv(const SweepStatistics& statistics);    // one row per configuration
std::string toLatex(const SweepStatistics& statistics);  // booktabs table
// Fractions and differences as fractions, NaN as null (`crisp stats --json`; docs/CLI.md).
nlohmann::ordered_json toJson(const SweepStatistics& statistics);

}  // namespace crisp
