#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/io/csv.h"
#include "core/sys/error.h"
#include "core/train/run_directory.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

// log C(n, k) in long double: lgammal keeps n in the millions exact enough for a p-value.
long double logBinomial(int64_t n, int64_t k) {
  return std::lgammal(static_cast<long double>(n) + 1) -
         std::lgammal(static_cast<long double>(k) + 1) -
         std::lgammal(static_cast<long double>(n - k) + 1);
}

// A uniform index in [0, n) without modulo bias, so that a seed gives the same resamples with
// any standard library (std::uniform_int_distribution is implementation-defined).
uint64_t uniformIndex(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
  uint64_t x;
  do x = rng();
  while (x >= limit);
  return x % n;
}

// Percentile with linear interpolation between order statistics (R's type 7).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
}

std::vector<int64_t> int64Array(const nlohmann::json& j, const std::string& field,
                                const std::string& file) {
  if (!j.contains(field)) return {};
  try {
    return j.at(field).get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception&) {
    throw Error(file + ": \"" + field + "\" is not an array of integers");
  }
}

// Counts b (only baseline right) and c (only candidate right) into the running totals.
void countDiscordant(const std::vector<int64_t>& labels, const std::vector<int64_t>& baseline,
                     const std::vector<int64_t>& candidate, int64_t& b, int64_t& c) {
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool baseRight = baseline[i] == labels[i];
    const bool candRight = candidate[i] == labels[i];
    if (baseRight && !candRight) ++b;
    if (!baseRight && candRight) ++c;
  }
}

// --- formatting ------------------------------------------------------------------------------

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "–";
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

std::string signedFixed(double value, int decimals) {
  const std::string s = fixed(value, decimals);
  return std::isfinite(value) && value >= 0 ? "+" + s : s;
}

// p-values: three significant decimals, scientific below 0.001.
std::string pValue(double p) {
  if (!std::isfinite(p)) return "–";
  std::ostringstream out;
  if (p < 1e-3)
    out << std::scientific << std::setprecision(1) << p;
  else
    out << std::fixed << std::setprecision(3) << p;
  return out.str();
}

std::string meanSd(const MeanSd& m, double scale, int decimals, const std::string& pm) {
  if (m.n == 0) return "–";
  std::string s = fixed(scale * m.mean, decimals);
  if (m.n >= 2) s += pm + fixed(scale * m.sd, decimals);
  return s;
}

const Comparison* comparisonFor(const SweepStatistics& s, const std::string& configuration) {
  for (const Comparison& c : s.comparisons)
    if (c.configuration == configuration) return &c;
  return nullptr;
}

std::string seedList(const std::vector<uint64_t>& seeds) {
  std::string s;
  for (uint64_t seed : seeds) s += (s.empty() ? "" : " ") + std::to_string(seed);
  return s;
}

std::string latexEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '_':
      case '%':
      case '&':
      case '#':
      case '$':
      case '{':
      case '}':
        out += '\\';
        out += ch;
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string percentLevel(double level) {
  return fixed(100 * level, std::fabs(100 * level - std::round(100 * level)) < 1e-9 ? 0 : 1);
}

}  // namespace

// --- building blocks -----------------------------------------------------------------------

MeanSd meanAndSampleSd(const std::vector<double>& values) {
  MeanSd m;
  m.n = static_cast<int>(values.size());
  if (values.empty()) {
    m.mean = m.sd = std::nan("");
    return m;
  }
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / m.n;
  if (m.n < 2) {
    m.sd = std::nan("");
    return m;
  }
  double squares = 0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(squares / (m.n - 1));
  return m;
}

double mcnemarExactPValue(int64_t b, int64_t c) {
  if (b < 0 || c < 0) throw Error("McNemar: discordant counts must not be negative");
  const int64_t n = b + c;
  if (n == 0) return 1.0;
  const int64_t k = std::min(b, c);
  // log P(X <= k) = log sum_i C(n, i) - n log 2, summed with log-sum-exp around the largest
  // term (i = k, since k <= n/2).
  const long double largest = logBinomial(n, k);
  long double sum = 0;
  for (int64_t i = 0; i <= k; ++i) sum += std::exp(logBinomial(n, i) - largest);
  const long double logTail =
      largest + std::log(sum) - static_cast<long double>(n) * std::log(2.0L);
  const long double p = 2.0L * std::exp(logTail);
  return static_cast<double>(std::min<long double>(1.0L, p));
}

BootstrapInterval pairedBootstrapAccuracyDifference(const std::vector<int64_t>& labels,
                                                    const std::vector<int64_t>& baseline,
                                                    const std::vector<int64_t>& candidate,
                                                    int resamples, uint64_t seed, double level) {
  if (baseline.size() != labels.size() || candidate.size() != labels.size())
    throw Error("bootstrap: labels and both prediction lists must have the same length");
  if (labels.empty()) throw Error("bootstrap: no examples");
  if (resamples < 1) throw Error("bootstrap: need at least one resample");
  if (!(level > 0 && level < 1)) throw Error("bootstrap: the confidence level must be in (0, 1)");
  // Per example: +1 only the candidate right, -1 only the baseline right, 0 otherwise; the
  // accuracy difference of a resample is the mean of these over the drawn indices.
  const size_t n = labels.size();
  std::vector<int8_t> delta(n);
  int64_t observed = 0;
  for (size_t i = 0; i < n; ++i) {
    delta[i] = static_cast<int8_t>((candidate[i] == labels[i]) - (baseline[i] == labels[i]));
    observed += delta[i];
  }
  std::mt19937_64 rng(seed);
  std::vector<double> differences(static_cast<size_t>(resamples));
  for (double& d : differences) {
    int64_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum += delta[uniformIndex(rng, n)];
    d = static_cast<double>(sum) / static_cast<double>(n);
  }
  std::sort(differences.begin(), differences.end());
  BootstrapInterval interval;
  interval.observed = static_cast<double>(observed) / static_cast<double>(n);
  interval.low = quantile(differences, (1 - level) / 2);
  interval.high = quantile(differences, 1 - (1 - level) / 2);
  return interval;
}

// --- runs ------------------------------------------------------------------------------------

RunResult readRunResult(const std::string& runDirectory) {
  const RunSummary summary = summarizeRun(runDirectory);
  RunResult r;
  r.path = runDirectory;
  r.configuration = summary.name;
  r.policy = summary.policy;
  r.seed = summary.seed;
  r.state = summary.state;
  r.bestAccuracy = summary.bestAccuracy;
  RunDirectory run(runDirectory);
  try {
    r.bestStep = run.readState().value("best_step", int64_t{-1});
  } catch (const nlohmann::json::exception& e) {
    throw Error(runDirectory + "/state.json: best_step has the wrong type: " + e.what());
  }
  if (r.bestStep < 0) return r;
  for (const nlohmann::json& record : run.readMetrics()) {
    if (record.value("type", "") == "eval" && record.value("step", int64_t{-1}) == r.bestStep)
      r.devLossAtBest = record.value("loss", -1.0);
  }
  const nlohmann::json predictions = run.readPredictions(r.bestStep);
  const std::string file = run.predictionsPath(r.bestStep);
  r.labels = int64Array(predictions, "labels", file);
  r.predictions = int64Array(predictions, "predictions", file);
  if (r.labels.size() != r.predictions.size()) {
    throw Error(file + ": " + std::to_string(r.labels.size()) + " labels but " +
                std::to_string(r.predictions.size()) + " predictions");
  }
  return r;
}

std::vector<std::string> runDirectoriesUnder(const std::string& root) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "config.json"))
      paths.push_back(entry.path().string());
  }
  if (ec) throw Error(root + ": cannot list: " + ec.message());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// --- a sweep -------------------------------------------------------------------------------

SweepStatistics computeSweepStatistics(const std::vector<std::string>& runDirectories,
                                       const StatisticsOptions& options) {
  SweepStatistics s;
  s.confidenceLevel = options.confidenceLevel;
  s.bootstrapResamples = options.bootstrapResamples;

  // configuration -> seed -> run, configurations in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::map<uint64_t, RunResult>> runs;
  for (const std::string& path : runDirectories) {
    RunResult r;
    try {
      r = readRunResult(path);
    } catch (const std::exception& e) {
      s.warnings.push_back(std::string("left out: ") + e.what());
      continue;
    }
    if (options.onlyFinishedRuns && r.state != "finished") {
      s.warnings.push_back("left out: " + path + " is " + r.state + ", not finished");
      continue;
    }
    if (r.bestStep < 0) {
      s.warnings.push_back("left out: " + path + " has no evaluation");
      continue;
    }
    auto& bySeed = runs[r.configuration];
    if (bySeed.empty()) order.push_back(r.configuration);
    if (bySeed.count(r.seed)) {
      s.warnings.push_back("left out: " + path + " repeats seed " + std::to_string(r.seed) +
                           " of " + r.configuration + " (kept " + bySeed[r.seed].path + ")");
      continue;
    }
    bySeed.emplace(r.seed, std::move(r));
  }

  for (const std::string& name : order) {
    ConfigurationSummary summary;
    summary.name = name;
    std::vector<double> accuracies, losses;
    for (const auto& [seed, run] : runs[name]) {
      summary.policy = run.policy;
      summary.seeds.push_back(seed);
      accuracies.push_back(run.bestAccuracy);
      if (run.devLossAtBest >= 0) losses.push_back(run.devLossAtBest);
    }
    summary.bestAccuracy = meanAndSampleSd(accuracies);
    summary.devLossAtBest = meanAndSampleSd(losses);
    s.configurations.push_back(std::move(summary));
  }

  if (!options.baseline.empty()) {
    if (!runs.count(options.baseline))
      throw Error("baseline \"" + options.baseline + "\" has no usable runs");
    s.baseline = options.baseline;
  } else if (runs.count("dense")) {
    s.baseline = "dense";
  } else if (!order.empty()) {
    s.baseline = order.front();
  }
  if (s.baseline.empty()) return s;

  const auto& baseRuns = runs[s.baseline];
  for (const std::string& name : order) {
    if (name == s.baseline) continue;
    Comparison comparison;
    comparison.configuration = name;
    comparison.baseline = s.baseline;
    for (const auto& [seed, run] : runs[name]) {
      const auto base = baseRuns.find(seed);
      if (base == baseRuns.end()) {
        s.warnings.push_back(name + " seed " + std::to_string(seed) + ": the baseline " +
                             s.baseline + " has no run with this seed; not compared");
        continue;
      }
      const RunResult& b = base->second;
      if (run.predictions.empty() || b.predictions.empty()) {
        s.warnings.push_back(name + " seed " + std::to_string(seed) +
                             ": no dev predictions at the best step of " +
                             (run.predictions.empty() ? run.path : b.path) + "; not compared");
        continue;
      }
      if (run.labels != b.labels) {
        s.warnings.push_back(name + " seed " + std::to_string(seed) + ": dev labels differ from " +
                             b.path + " (not the same dev set); not compared");
        continue;
      }
      SeedComparison sc;
      sc.seed = seed;
      sc.examples = static_cast<int64_t>(run.labels.size());
      countDiscordant(run.labels, b.predictions, run.predictions, sc.b, sc.c);
      sc.pValue = mcnemarExactPValue(sc.b, sc.c);
      // Each seed draws its own resamples from a seed derived from the options' seed.
      sc.accuracyDifference = pairedBootstrapAccuracyDifference(
          run.labels, b.predictions, run.predictions, options.bootstrapResamples,
          options.bootstrapSeed + seed, options.confidenceLevel);
      comparison.pooledB += sc.b;
      comparison.pooledC += sc.c;
      comparison.perSeed.push_back(sc);
    }
    if (!comparison.perSeed.empty()) {
      comparison.pooledPValue = mcnemarExactPValue(comparison.pooledB, comparison.pooledC);
      const double k = static_cast<double>(comparison.perSeed.size());
      comparison.meanDifference = comparison.meanLow = comparison.meanHigh = 0;
      for (const SeedComparison& sc : comparison.perSeed) {
        comparison.meanDifference += sc.accuracyDifference.observed / k;
        comparison.meanLow += sc.accuracyDifference.low / k;
        comparison.meanHigh += sc.accuracyDifference.high / k;
      }
    } else {
      comparison.meanDifference = comparison.meanLow = comparison.meanHigh = std::nan("");
    }
    s.comparisons.push_back(std::move(comparison));
  }
  return s;
}

// --- output ----------------------------------------------------------------------------------

std::string toMarkdown(const SweepStatistics& s) {
  const std::string level = percentLevel(s.confidenceLevel);
  std::ostringstream out;
  out << "| Configuration | Policy | Seeds | Best dev accuracy (%) | Dev loss at best | Δ vs "
      << s.baseline << " (pp) | " << level << "% CI (pp) | b / c | McNemar p |\n"
      << "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ConfigurationSummary& c : s.configurations) {
    out << "| " << c.name << (c.name == s.baseline ? " (baseline)" : "") << " | `" << c.policy
        << "` | " << c.bestAccuracy.n << " | " << meanSd(c.bestAccuracy, 100, 2, " ± ") << " | "
        << meanSd(c.devLossAtBest, 1, 4, " ± ") << " | ";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (cmp == nullptr || cmp->perSeed.empty()) {
      out << "– | – | – | – |\n";
      continue;
    }
    out << signedFixed(100 * cmp->meanDifference, 2) << " | [" << signedFixed(100 * cmp->meanLow, 2)
        << ", " << signedFixed(100 * cmp->meanHigh, 2) << "] | " << cmp->pooledB << " / "
        << cmp->pooledC << " | " << pValue(cmp->pooledPValue) << " |\n";
  }
  out << "\nMean ± sample sd over seeds. Δ: candidate − baseline dev accuracy on matched seeds, "
         "mean over seeds; CI: paired percentile bootstrap ("
      << s.bootstrapResamples
      << " resamples of dev sentences) per seed, bounds averaged over seeds. b / c: dev sentences "
         "only the baseline / only the candidate got right, pooled over seeds; p: two-sided exact "
         "McNemar test on the pooled pairs.\n";

  bool anyPerSeed = false;
  for (const Comparison& cmp : s.comparisons) anyPerSeed |= !cmp.perSeed.empty();
  if (anyPerSeed) {
    out << "\n| Configuration | Seed | Dev sentences | Δ (pp) | " << level
        << "% CI (pp) | b / c | McNemar p |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const Comparison& cmp : s.comparisons) {
      for (const SeedComparison& sc : cmp.perSeed) {
        out << "| " << cmp.configuration << " | " << sc.seed << " | " << sc.examples << " | "
            << signedFixed(100 * sc.accuracyDifference.observed, 2) << " | ["
            << signedFixed(100 * sc.accuracyDifference.low, 2) << ", "
            << signedFixed(100 * sc.accuracyDifference.high, 2) << "] | " << sc.b << " / " << sc.c
            << " | " << pValue(sc.pValue) << " |\n";
      }
    }
  }
  if (!s.warnings.empty()) {
    out << "\nWarnings:\n";
    for (const std::string& w : s.warnings) out << "- " << w << "\n";
  }
  return out.str();
}

std::string toCsv(const SweepStatistics& s) {
  std::ostringstream out;
  out << "configuration,policy,baseline,seeds,n,best_accuracy_mean,best_accuracy_sd,"
         "dev_loss_mean,dev_loss_sd,delta_mean,ci_low_mean,ci_high_mean,ci_level,"
         "pooled_b,pooled_c,mcnemar_p_pooled\n";
  out << std::setprecision(10);
  const auto number = [](double v) {
    if (!std::isfinite(v)) return std::string();
    std::ostringstream o;
    o << std::setprecision(10) << v;
    return o.str();
  };
  for (const ConfigurationSummary& c : s.configurations) {
    out << csvField(c.name) << "," << csvField(c.policy) << "," << (c.name == s.baseline ? 1 : 0)
        << "," << csvField(seedList(c.seeds)) << "," << c.bestAccuracy.n << ","
        << number(c.bestAccuracy.mean) << "," << number(c.bestAccuracy.sd) << ","
        << number(c.devLossAtBest.mean) << "," << number(c.devLossAtBest.sd) << ",";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (cmp == nullptr || cmp->perSeed.empty()) {
      out << ",,,,,,\n";
      continue;
    }
    out << number(cmp->meanDifference) << "," << number(cmp->meanLow) << ","
        << number(cmp->meanHigh) << "," << number(s.confidenceLevel) << "," << cmp->pooledB << ","
        << cmp->pooledC << "," << number(cmp->pooledPValue) << "\n";
  }
  return out.str();
}

std::string toLatex(const SweepStatistics& s) {
  const std::string level = percentLevel(s.confidenceLevel);
  std::ostringstream out;
  out << "% Requires \\usepackage{booktabs}.\n"
      << "\\begin{table}[t]\n\\centering\n\\begin{tabular}{llrrrrrr}\n\\toprule\n"
      << "Configuration & Policy & $n$ & Dev acc.\\ (\\%) & Dev loss & $\\Delta$ (pp) & " << level
      << "\\% CI (pp) & McNemar $p$ \\\\\n\\midrule\n";
  for (const ConfigurationSummary& c : s.configurations) {
    out << latexEscape(c.name) << " & \\texttt{" << latexEscape(c.policy) << "} & "
        << c.bestAccuracy.n << " & $" << meanSd(c.bestAccuracy, 100, 2, " \\pm ") << "$ & $"
        << meanSd(c.devLossAtBest, 1, 4, " \\pm ") << "$ & ";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (c.name == s.baseline) {
      out << "\\multicolumn{3}{c}{baseline} \\\\\n";
    } else if (cmp == nullptr || cmp->perSeed.empty()) {
      out << "-- & -- & -- \\\\\n";
    } else {
      out << "$" << signedFixed(100 * cmp->meanDifference, 2) << "$ & $["
          << signedFixed(100 * cmp->meanLow, 2) << ", " << signedFixed(100 * cmp->meanHigh, 2)
          << "]$ & " << pValue(cmp->pooledPValue) << " \\\\\n";
    }
  }
  out << "\\bottomrule\n\\end{tabular}\n\\caption{Best dev accuracy and dev loss at the best "
         "evaluation, mean $\\pm$ sample sd over seeds. $\\Delta$: accuracy difference to "
      << latexEscape(s.baseline) << " on matched seeds; CI: paired percentile bootstrap ("
      << s.bootstrapResamples
      << " resamples) averaged over seeds; $p$: two-sided exact McNemar test on the dev "
         "predictions pooled over seeds.}\n\\end{table}\n";
  return out.str();
}

}  // namespace crisp
