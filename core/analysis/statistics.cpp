#include "core/analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/io/csv.h"
#include "core/io/latex.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/train/experiment.h"
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

// The number of sentences every seed has; crisp::Error for no seeds, no sentences or seeds of
// different lengths.
size_t checkSharedSentences(const std::vector<std::vector<int8_t>>& differences,
                            const std::string& what) {
  if (differences.empty()) throw Error(what + ": no seeds");
  const size_t n = differences.front().size();
  if (n == 0) throw Error(what + ": no sentences");
  for (const std::vector<int8_t>& d : differences)
    if (d.size() != n) throw Error(what + ": the seeds do not have the same sentences");
  return n;
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

// --- what a run was trained on --------------------------------------------------------------

// The last path component of a path ("" for none), ignoring a trailing separator.
struct Identity {
  std::string data, dataLabel, model, modelLabel;
  // The same by content (config.json's input_fingerprints) where the run recorded the content
  // of every file `data` or `model` names; empty otherwise (runs from before fingerprints).
  std::string dataContent, modelContent;
  // Every other setting that changes a result (policy, hyperparameters, length, dropout, ...),
  // "key=value" by dotted key; runs differing here are different configurations.
  std::map<std::string, std::string> settings;
};

// The experiment's settings outside its name, seed, data and model, flattened to dotted keys;
// settings that change no result (where it trains, logging, checkpoint cadence) are left out.
std::map<std::string, std::string> resultSettings(const nlohmann::json& experiment) {
  static const std::set<std::string> ignored = {"name",
                                                "device",
                                                "probes",
                                                "train_data",
                                                "dev_data",
                                                "demo_train_size",
                                                "demo_dev_size",
                                                "model",
                                                "tokenizer",
                                                "train_sentencepiece",
                                                "hyperparameters.seed",
                                                "hyperparameters.log_every",
                                                "hyperparameters.keep_checkpoints",
                                                "hyperparameters.save_every"};
  std::map<std::string, std::string> settings;
  const auto flatten = [&](const auto& self, const nlohmann::json& object,
                           const std::string& prefix) -> void {
    for (const auto& [key, value] : object.items()) {
      const std::string path = prefix + key;
      if (ignored.count(path) != 0) continue;
      if (value.is_object())
        self(self, value, path + ".");
      else
        settings[path] = value.dump();
    }
  };
  flatten(flatten, experiment, "");
  return settings;
}

// From config.json's experiment; a missing field takes ExperimentConfig's default, as
// ExperimentConfig::fromJson does (the demo corpus of 8000 / 500 sentences, preset:tiny).
Identity identityOf(const nlohmann::json& config) {
  const nlohmann::json experiment = config.value("experiment", nlohmann::json::object());
  const auto text = [&](const char* field, const std::string& fallback) {
    const auto it = experiment.find(field);
    return it != experiment.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  const auto number = [&](const char* field, const std::string& fallback) {
    const auto it = experiment.find(field);
    return it != experiment.end() && it->is_number_integer() ? std::to_string(it->get<int64_t>())
                                                             : fallback;
  };
  Identity id;
  const nlohmann::json recorded = config.value("input_fingerprints", nlohmann::json());
  // The recorded content of each named file, "" when any named file's is missing.
  const auto content = [&](std::initializer_list<const char*> fields) {
    std::string joined;
    for (const char* field : fields) {
      const auto path = experiment.find(field);
      if (path == experiment.end() || !path->is_string() || path->get<std::string>().empty())
        continue;
      if (field == std::string("model") && startsWith(path->get<std::string>(), "preset:")) {
        joined += std::string(field) + "=" + path->dump() + " ";
        continue;
      }
      const auto it = recorded.is_object() ? recorded.find(field) : recorded.end();
      if (!recorded.is_object() || it == recorded.end() || it->is_null()) return std::string();
      joined += std::string(field) + "=" + it->dump() + " ";
    }
    return joined;
  };
  const std::string train = text("train_data", ""), dev = text("dev_data", "");
  if (train.empty()) {
    id.data = "demo (train " + number("demo_train_size", "8000") + ", dev " +
              number("demo_dev_size", "500") + ")";
    id.dataLabel = "demo";
  } else {
    id.data = "train: " + train + ", dev: " + dev;
    id.dataLabel = dataLabel(train, dev);
  }
  const std::string model = text("model", "preset:tiny");
  id.model = model;
  id.modelLabel = modelLabel(model);
  const std::string tokenizer = text("tokenizer", "");
  if (!tokenizer.empty()) {
    id.model += ", tokenizer: " + tokenizer;
    id.modelLabel += " + " + lastPathComponent(tokenizer);
  }
  const auto sentencePiece = experiment.find("train_sentencepiece");
  if (sentencePiece != experiment.end() && sentencePiece->is_object()) {
    const std::string spm = "sentencepiece " + sentencePiece->value("model_type", "unigram") + " " +
                            std::to_string(sentencePiece->value("vocab_size", 0));
    id.model += ", " + spm;
    id.modelLabel += " + " + spm;
  }
  if (!train.empty()) id.dataContent = content({"train_data", "dev_data"});
  id.modelContent = content({"model", "tokenizer"});
  if (!id.modelContent.empty() && sentencePiece != experiment.end() && sentencePiece->is_object())
    id.modelContent += sentencePiece->dump();
  id.settings = resultSettings(experiment);
  return id;
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

// Whether every (data, model) has a baseline of the same name (s.baseline).
bool sameBaselineName(const SweepStatistics& s) {
  for (const ConfigurationSummary& c : s.configurations)
    if (c.isBaseline && c.configuration != s.baseline) return false;
  return true;
}

// What the Δ columns are against: the baseline's name when one name serves every (data, model).
std::string deltaTarget(const SweepStatistics& s) {
  return sameBaselineName(s) && !s.baseline.empty() ? s.baseline : std::string("the baseline");
}

std::string seedList(const std::vector<uint64_t>& seeds) {
  std::string s;
  for (uint64_t seed : seeds) s += (s.empty() ? "" : " ") + std::to_string(seed);
  return s;
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

std::vector<int8_t> pairedDifferences(const std::vector<int64_t>& labels,
                                      const std::vector<int64_t>& baseline,
                                      const std::vector<int64_t>& candidate) {
  if (baseline.size() != labels.size() || candidate.size() != labels.size())
    throw Error("paired predictions: labels and both prediction lists must have the same length");
  std::vector<int8_t> delta(labels.size());
  for (size_t i = 0; i < labels.size(); ++i)
    delta[i] = static_cast<int8_t>((candidate[i] == labels[i]) - (baseline[i] == labels[i]));
  return delta;
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
  const std::vector<int8_t> delta = pairedDifferences(labels, baseline, candidate);
  int64_t observed = 0;
  for (int8_t d : delta) observed += d;
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

// --- over seeds on shared sentences ----------------------------------------------------------

StratifiedTest seedStratifiedTest(const std::vector<std::vector<int8_t>>& differences,
                                  double exactWorkLimit) {
  const size_t n = checkSharedSentences(differences, "stratified test");
  StratifiedTest t;
  t.seeds = static_cast<int>(differences.size());
  t.sentences = static_cast<int64_t>(n);
  // d_i = sum over seeds; count the sentences per magnitude |d_i| = 1..S.
  const size_t maxMagnitude = differences.size();
  std::vector<int64_t> perMagnitude(maxMagnitude + 1, 0);
  int64_t positive = 0, negative = 0;  // sentences with d_i > 0 / < 0
  for (size_t i = 0; i < n; ++i) {
    int64_t d = 0;
    for (const std::vector<int8_t>& seed : differences) {
      if (seed[i] < -1 || seed[i] > 1)
        throw Error("stratified test: a paired difference must be -1, 0 or 1");
      d += seed[i];
      t.b += seed[i] < 0;
      t.c += seed[i] > 0;
    }
    t.statistic += d;
    t.variance += static_cast<double>(d * d);
    if (d != 0) {
      ++t.clusters;
      ++perMagnitude[static_cast<size_t>(std::llabs(d))];
      (d > 0 ? positive : negative) += 1;
    }
  }
  const int64_t observed = std::llabs(t.statistic);
  if (observed > 1) {
    const double excess = static_cast<double>(observed - 1);
    t.chiSquare = excess * excess / t.variance;
  }
  if (t.clusters == 0 || observed == 0) {
    t.pValue = 1;
    return t;
  }
  size_t magnitudes = 0;
  for (size_t k = 1; k <= maxMagnitude; ++k) magnitudes += perMagnitude[k] > 0;
  if (magnitudes == 1) {
    // T* = k (2X - n) with X ~ Binomial(n, 1/2): the exact McNemar test of the net counts.
    t.pValue = mcnemarExactPValue(negative, positive);
    return t;
  }
  // The work of convolving the magnitudes' binomials: sum_k (support so far) x (n_k + 1).
  double work = 0, support = 1;
  for (size_t k = 1; k <= maxMagnitude; ++k) {
    if (perMagnitude[k] == 0) continue;
    work += support * static_cast<double>(perMagnitude[k] + 1);
    support += static_cast<double>(k) * static_cast<double>(perMagnitude[k]);
  }
  if (work > exactWorkLimit) {
    t.exact = false;
    t.pValue = std::erfc(std::sqrt(t.chiSquare / 2));  // chi-square, 1 df
    return t;
  }
  // U = sum_k k X_k, X_k ~ Binomial(n_k, 1/2) independent; T* = 2U - M, M = sum_k k n_k.
  std::vector<double> pmf{1.0};
  int64_t total = 0;  // M so far
  for (size_t k = 1; k <= maxMagnitude; ++k) {
    const int64_t count = perMagnitude[k];
    if (count == 0) continue;
    std::vector<double> binomial(static_cast<size_t>(count + 1));
    for (int64_t j = 0; j <= count; ++j) {
      binomial[static_cast<size_t>(j)] = static_cast<double>(
          std::exp(logBinomial(count, j) - static_cast<long double>(count) * std::log(2.0L)));
    }
    const int64_t step = static_cast<int64_t>(k);
    std::vector<double> next(pmf.size() + static_cast<size_t>(step * count), 0.0);
    for (size_t u = 0; u < pmf.size(); ++u) {
      if (pmf[u] == 0) continue;
      for (int64_t j = 0; j <= count; ++j)
        next[u + static_cast<size_t>(step * j)] += pmf[u] * binomial[static_cast<size_t>(j)];
    }
    pmf.swap(next);
    total += step * count;
  }
  // |T| and M have the same parity, so T* >= |T| is U >= (M + |T|) / 2 exactly; T* is
  // symmetric about 0, so P(|T*| >= |T|) = 2 P(T* >= |T|) for |T| > 0.
  long double tail = 0;
  for (size_t u = static_cast<size_t>((total + observed) / 2); u < pmf.size(); ++u) tail += pmf[u];
  t.pValue = static_cast<double>(std::min<long double>(1.0L, 2.0L * tail));
  return t;
}

BootstrapInterval hierarchicalBootstrapMeanDifference(
    const std::vector<std::vector<int8_t>>& differences, int resamples, uint64_t seed,
    double level) {
  const size_t n = checkSharedSentences(differences, "hierarchical bootstrap");
  if (resamples < 1) throw Error("hierarchical bootstrap: need at least one resample");
  if (!(level > 0 && level < 1))
    throw Error("hierarchical bootstrap: the confidence level must be in (0, 1)");
  const size_t seeds = differences.size();
  const double cells = static_cast<double>(seeds) * static_cast<double>(n);
  int64_t observed = 0;
  for (const std::vector<int8_t>& d : differences)
    for (int8_t x : d) observed += x;

  std::mt19937_64 rng(seed);
  std::vector<int64_t> drawn(seeds, 0);  // how often each seed is drawn
  std::vector<int32_t> combined(n, 0);   // per sentence: sum over the drawn seeds
  if (seeds == 1)
    for (size_t i = 0; i < n; ++i) combined[i] = differences[0][i];
  std::vector<double> means(static_cast<size_t>(resamples));
  for (double& mean : means) {
    if (seeds > 1) {
      // Level 1: the seeds. Level 2: one set of sentence indices for all of them.
      std::fill(drawn.begin(), drawn.end(), 0);
      for (size_t j = 0; j < seeds; ++j) ++drawn[uniformIndex(rng, seeds)];
      std::fill(combined.begin(), combined.end(), 0);
      for (size_t s = 0; s < seeds; ++s) {
        if (drawn[s] == 0) continue;
        const int32_t times = static_cast<int32_t>(drawn[s]);
        const std::vector<int8_t>& d = differences[s];
        for (size_t i = 0; i < n; ++i) combined[i] += times * d[i];
      }
    }
    int64_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum += combined[uniformIndex(rng, n)];
    mean = static_cast<double>(sum) / cells;
  }
  std::sort(means.begin(), means.end());
  BootstrapInterval interval;
  interval.observed = static_cast<double>(observed) / cells;
  interval.low = quantile(means, (1 - level) / 2);
  interval.high = quantile(means, 1 - (1 - level) / 2);
  return interval;
}

// --- runs ------------------------------------------------------------------------------------

namespace {

RunResult readRun(const std::string& runDirectory, Identity& id) {
  const RunSummary summary = summarizeRun(runDirectory);
  RunResult r;
  r.path = runDirectory;
  r.configuration = summary.name;
  r.policy = summary.policy;
  r.seed = summary.seed;
  r.state = summary.state;
  r.bestAccuracy = summary.bestAccuracy;
  RunDirectory run(runDirectory);
  id = identityOf(run.readConfig());
  r.data = id.data;
  r.model = id.model;
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

}  // namespace

RunResult readRunResult(const std::string& runDirectory) {
  Identity id;
  return readRun(runDirectory, id);
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

namespace {

// The runs of one (configuration, data, model).
// A setting's JSON value as a table shows it: numbers in the shortest form (1, 0.0002, 2e-05).
std::string shortValue(const std::string& json) {
  const nlohmann::json value = nlohmann::json::parse(json, nullptr, false);
  if (!value.is_number_float()) return json;
  std::ostringstream out;
  out << std::setprecision(6) << value.get<double>();
  return out.str();
}

struct Group {
  std::string configuration, data, model, policy;
  std::map<std::string, std::string> settings;  // Identity::settings
  std::map<uint64_t, RunResult> bySeed;
  size_t summary = 0;  // index into SweepStatistics::configurations
};

// A table label per identity: the short one, or the full identity where two identities would
// share a short label.
std::map<std::string, std::string> uniqueLabels(
    const std::vector<std::pair<std::string, std::string>>& identityAndLabel) {
  std::map<std::string, std::set<std::string>> identitiesPerLabel;
  for (const auto& [identity, label] : identityAndLabel) identitiesPerLabel[label].insert(identity);
  std::map<std::string, std::string> labels;
  for (const auto& [identity, label] : identityAndLabel)
    labels[identity] = identitiesPerLabel[label].size() > 1 ? identity : label;
  return labels;
}

// Pairs the candidate's seeds with the baseline's and fills the comparison; warnings for what is
// left out.
Comparison compare(const Group& candidate, const std::string& candidateName, const Group& baseline,
                   const std::string& baselineName, const StatisticsOptions& options,
                   std::vector<std::string>& warnings) {
  Comparison comparison;
  comparison.configuration = candidateName;
  comparison.baseline = baselineName;
  std::vector<std::vector<int8_t>> differences;
  const std::vector<int64_t>* sharedLabels = nullptr;
  bool shared = true;
  for (const auto& [seed, run] : candidate.bySeed) {
    const std::string which = candidateName + " seed " + std::to_string(seed);
    const auto base = baseline.bySeed.find(seed);
    if (base == baseline.bySeed.end()) {
      warnings.push_back(which + ": the baseline " + baselineName +
                         " has no run with this seed; not compared");
      continue;
    }
    const RunResult& b = base->second;
    if (run.predictions.empty() || b.predictions.empty()) {
      warnings.push_back(which + ": no dev predictions at the best step of " +
                         (run.predictions.empty() ? run.path : b.path) + "; not compared");
      continue;
    }
    if (run.labels != b.labels) {
      warnings.push_back(which + ": dev labels differ from " + b.path +
                         " (not the same dev set); not compared");
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
    if (sharedLabels == nullptr) sharedLabels = &run.labels;
    shared = shared && run.labels == *sharedLabels;
    differences.push_back(pairedDifferences(run.labels, b.predictions, run.predictions));
  }
  const double nan = std::nan("");
  comparison.meanDifference = {nan, nan, nan};
  comparison.meanPerSeedLow = comparison.meanPerSeedHigh = nan;
  comparison.stratified.pValue = comparison.stratified.chiSquare = nan;
  if (comparison.perSeed.empty()) return comparison;

  const double k = static_cast<double>(comparison.perSeed.size());
  comparison.meanPerSeedLow = comparison.meanPerSeedHigh = 0;
  double mean = 0;
  for (const SeedComparison& sc : comparison.perSeed) {
    mean += sc.accuracyDifference.observed / k;
    comparison.meanPerSeedLow += sc.accuracyDifference.low / k;
    comparison.meanPerSeedHigh += sc.accuracyDifference.high / k;
  }
  comparison.meanDifference.observed = mean;
  if (!shared) {
    // Not the same sentences under every seed: nothing ties the seeds' pairs together.
    warnings.push_back(candidateName +
                       ": the matched seeds were not evaluated on the same dev "
                       "sentences; no stratified test or CI over seeds");
    return comparison;
  }
  comparison.stratified = seedStratifiedTest(differences);
  comparison.meanDifference = hierarchicalBootstrapMeanDifference(
      differences, options.bootstrapResamples, options.bootstrapSeed, options.confidenceLevel);
  return comparison;
}

}  // namespace

namespace {

// Gives every run the `identity` of the first run connected to it: two runs are connected when
// their identities are equal or their recorded contents are (and known), and connection is
// transitive (a run from before fingerprints joins a newer one at the same path, which joins
// one at another path with the same content). Also sets the RunResult's field to it.
void sameByPathOrContent(std::vector<std::pair<RunResult, Identity>>& runs,
                         std::string Identity::*identity, std::string Identity::*content,
                         std::string RunResult::*field) {
  // Union-find over the identities and contents met, each a node.
  std::map<std::string, size_t> nodes;
  std::vector<size_t> parent;
  const auto node = [&](const std::string& name) {
    const auto [it, added] = nodes.emplace(name, parent.size());
    if (added) parent.push_back(parent.size());
    return it->second;
  };
  const auto root = [&](size_t n) {
    while (parent[n] != n) n = parent[n] = parent[parent[n]];
    return n;
  };
  for (const auto& [r, id] : runs) {
    const size_t a = root(node("identity " + id.*identity));
    if (!(id.*content).empty()) {
      const size_t b = root(node("content " + id.*content));
      parent[std::max(a, b)] = std::min(a, b);
    }
  }
  std::map<size_t, std::string> first;  // root -> the identity of its first run
  for (auto& [r, id] : runs) {
    const size_t n = root(node("identity " + id.*identity));
    const std::string& canonical = first.emplace(n, id.*identity).first->second;
    id.*identity = canonical;
    r.*field = canonical;
  }
}

}  // namespace

SweepStatistics computeSweepStatistics(const std::vector<std::string>& runDirectories,
                                       const StatisticsOptions& options) {
  SweepStatistics s;
  s.confidenceLevel = options.confidenceLevel;
  s.bootstrapResamples = options.bootstrapResamples;

  // (configuration, data, model, settings) -> its runs by seed, in order of first appearance.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::vector<Key> order;
  std::map<Key, Group> groups;
  std::vector<std::pair<std::string, std::string>> dataLabels, modelLabels;
  std::vector<std::pair<RunResult, Identity>> runs;
  for (const std::string& path : runDirectories) {
    RunResult r;
    Identity id;
    try {
      r = readRun(path, id);
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
    runs.emplace_back(std::move(r), std::move(id));
  }
  // Runs whose files lay at other paths (another checkout, another node's mount) but held the
  // same content are on the same data and model.
  sameByPathOrContent(runs, &Identity::data, &Identity::dataContent, &RunResult::data);
  sameByPathOrContent(runs, &Identity::model, &Identity::modelContent, &RunResult::model);
  for (auto& [r, id] : runs) {
    const std::string path = r.path;
    dataLabels.emplace_back(id.data, id.dataLabel);
    modelLabels.emplace_back(id.model, id.modelLabel);
    std::string settings;
    for (const auto& [key, value] : id.settings) settings += key + "=" + value + "\n";
    const Key key{r.configuration, r.data, r.model, settings};
    Group& group = groups[key];
    if (group.bySeed.empty()) {
      order.push_back(key);
      group.configuration = r.configuration;
      group.data = r.data;
      group.model = r.model;
      group.settings = id.settings;
    }
    // Only an exact repeat (same name, data, model, settings and seed) is left out; a run that
    // differs in any setting is a configuration of its own.
    if (group.bySeed.count(r.seed)) {
      s.warnings.push_back("left out: " + path + " repeats seed " + std::to_string(r.seed) +
                           " of " + r.configuration + " with the same settings (kept " +
                           group.bySeed[r.seed].path + ")");
      continue;
    }
    group.policy = r.policy;
    group.bySeed.emplace(r.seed, std::move(r));
  }

  // (data, model) in order of first appearance; the table names say which when there are more.
  std::vector<std::pair<std::string, std::string>> strata;
  std::map<std::string, std::vector<const Group*>> namesakes;  // configuration -> its groups
  for (const Key& key : order) {
    const Group& g = groups.at(key);
    const std::pair<std::string, std::string> stratum{g.data, g.model};
    if (std::find(strata.begin(), strata.end(), stratum) == strata.end()) strata.push_back(stratum);
    namesakes[g.configuration].push_back(&g);
  }
  const std::map<std::string, std::string> dataLabel = uniqueLabels(dataLabels);
  const std::map<std::string, std::string> modelLabel = uniqueLabels(modelLabels);
  // Namesakes on one (data, model) that differ in settings are told apart by those settings.
  std::map<std::tuple<std::string, std::string, std::string>, std::set<std::string>> differing;
  for (const Key& key : order) {
    const Group& g = groups.at(key);
    for (const Key& other : order) {
      const Group& o = groups.at(other);
      if (&o == &g || o.configuration != g.configuration || o.data != g.data || o.model != g.model)
        continue;
      std::set<std::string>& keys = differing[{g.configuration, g.data, g.model}];
      for (const auto& [setting, value] : g.settings) {
        const auto it = o.settings.find(setting);
        if (it == o.settings.end() || it->second != value) keys.insert(setting);
      }
      for (const auto& [setting, value] : o.settings)
        if (g.settings.count(setting) == 0) keys.insert(setting);
    }
  }
  const auto displayName = [&](const Group& g) {
    std::string name = g.configuration;
    const auto it = differing.find({g.configuration, g.data, g.model});
    if (it != differing.end()) {
      std::string values;
      for (const std::string& setting : it->second) {
        const auto value = g.settings.find(setting);
        values += (values.empty() ? "" : ", ") + setting.substr(setting.rfind('.') + 1) + " " +
                  (value == g.settings.end() ? std::string("unset") : shortValue(value->second));
      }
      name += " {" + values + "}";
    }
    if (strata.size() < 2) return name;
    return name + " [" + dataLabel.at(g.data) + " / " + modelLabel.at(g.model) + "]";
  };

  for (const Key& key : order) {
    Group& g = groups.at(key);
    ConfigurationSummary summary;
    summary.name = displayName(g);
    summary.configuration = g.configuration;
    summary.policy = g.policy;
    summary.data = g.data;
    summary.model = g.model;
    std::vector<double> accuracies, losses;
    for (const auto& [seed, run] : g.bySeed) {
      summary.seeds.push_back(seed);
      accuracies.push_back(run.bestAccuracy);
      if (run.devLossAtBest >= 0) losses.push_back(run.devLossAtBest);
    }
    summary.bestAccuracy = meanAndSampleSd(accuracies);
    summary.devLossAtBest = meanAndSampleSd(losses);
    g.summary = s.configurations.size();
    s.configurations.push_back(std::move(summary));
  }
  for (const auto& [configuration, same] : namesakes) {
    if (same.size() < 2) continue;
    std::string names;
    for (const Group* g : same)
      names += (names.empty() ? "\"" : ", \"") + s.configurations[g->summary].name + "\"";
    s.warnings.push_back("configuration " + configuration + " has runs with " +
                         std::to_string(same.size()) +
                         " different data, models or settings; not taken for seeds of one "
                         "configuration: " +
                         names + ", each compared with the baseline on its own data and model");
  }

  // A baseline is named by its configuration, or by its table name when namesakes differ.
  const auto isChosenBaseline = [&](const Group& g) {
    return g.configuration == options.baseline ||
           s.configurations[g.summary].name == options.baseline;
  };
  if (!options.baseline.empty() && std::none_of(order.begin(), order.end(), [&](const Key& key) {
        return isChosenBaseline(groups.at(key));
      }))
    throw Error("baseline \"" + options.baseline + "\" has no usable runs");

  for (const auto& [data, model] : strata) {
    std::vector<Group*> members;
    for (const Key& key : order) {
      Group& g = groups.at(key);
      if (g.data == data && g.model == model) members.push_back(&g);
    }
    const auto pick = [&](const auto& matches) -> Group* {
      for (Group* g : members)
        if (matches(*g)) return g;
      return nullptr;
    };
    Group* baseline = nullptr;
    if (!options.baseline.empty()) {
      baseline = pick(isChosenBaseline);
    } else {
      // By policy, never by name alone: the dense configuration; when several are dense, the
      // one named "dense", else the one with the most seeds (the first met of those). Without
      // one, nothing on this data and model is compared.
      baseline =
          pick([](const Group& g) { return g.policy == "dense" && g.configuration == "dense"; });
      for (Group* g : members) {
        if (baseline != nullptr && baseline->configuration == "dense") break;
        if (g->policy == "dense" &&
            (baseline == nullptr || g->bySeed.size() > baseline->bySeed.size()))
          baseline = g;
      }
    }
    if (baseline == nullptr && options.baseline.empty()) {
      std::string names;
      for (const Group* g : members)
        names += (names.empty() ? "" : ", ") + s.configurations[g->summary].name;
      s.warnings.push_back("no configuration with the dense policy on " + dataLabel.at(data) +
                           " / " + modelLabel.at(model) + ": " + names +
                           " not compared (choose a baseline)");
      continue;
    }
    if (baseline == nullptr) {
      std::string names;
      for (const Group* g : members)
        names += (names.empty() ? "" : ", ") + s.configurations[g->summary].name;
      s.warnings.push_back("no runs of the baseline " + options.baseline + " on " +
                           dataLabel.at(data) + " / " + modelLabel.at(model) + ": " + names +
                           " not compared");
      continue;
    }
    if (s.baseline.empty()) s.baseline = baseline->configuration;
    s.configurations[baseline->summary].isBaseline = true;
  }
  if (!options.baseline.empty()) s.baseline = options.baseline;

  for (const Key& key : order) {
    const Group& g = groups.at(key);
    if (s.configurations[g.summary].isBaseline) continue;
    const Group* baseline = nullptr;
    for (const Key& other : order) {
      const Group& b = groups.at(other);
      if (b.data == g.data && b.model == g.model && s.configurations[b.summary].isBaseline)
        baseline = &b;
    }
    if (baseline == nullptr) continue;  // said above
    s.comparisons.push_back(compare(g, s.configurations[g.summary].name, *baseline,
                                    s.configurations[baseline->summary].name, options, s.warnings));
  }
  // Tables read from the baseline down: each (data, model)'s baseline first, then the others
  // in order of first appearance (`crisp stats ROOT` meets the runs in alphabetical order).
  const auto rank = [&](const ConfigurationSummary& c) {
    const auto stratum = std::find(strata.begin(), strata.end(), std::make_pair(c.data, c.model));
    return std::make_pair(stratum - strata.begin(), c.isBaseline ? 0 : 1);
  };
  std::stable_sort(s.configurations.begin(), s.configurations.end(),
                   [&](const ConfigurationSummary& a, const ConfigurationSummary& b) {
                     return rank(a) < rank(b);
                   });
  return s;
}

// --- output ----------------------------------------------------------------------------------

std::string toMarkdown(const SweepStatistics& s) {
  const std::string level = percentLevel(s.confidenceLevel);
  std::ostringstream out;
  out << "| Configuration | Policy | Seeds | Best dev accuracy (%) | Dev loss at best | Δ vs "
      << deltaTarget(s) << " (pp) | " << level << "% CI (pp) | Σb / Σc | Stratified p |\n"
      << "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ConfigurationSummary& c : s.configurations) {
    out << "| " << c.name << (c.isBaseline ? " (baseline)" : "") << " | `" << c.policy << "` | "
        << c.bestAccuracy.n << " | " << meanSd(c.bestAccuracy, 100, 2, " ± ") << " | "
        << meanSd(c.devLossAtBest, 1, 4, " ± ") << " | ";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (cmp == nullptr || cmp->perSeed.empty()) {
      out << "– | – | – | – |\n";
      continue;
    }
    const BootstrapInterval& d = cmp->meanDifference;
    out << signedFixed(100 * d.observed, 2) << " | ";
    if (std::isfinite(d.low))
      out << "[" << signedFixed(100 * d.low, 2) << ", " << signedFixed(100 * d.high, 2) << "]";
    else
      out << "–";
    out << " | " << cmp->pooledB << " / " << cmp->pooledC << " | " << pValue(cmp->stratified.pValue)
        << (cmp->stratified.exact ? "" : " (χ²)") << " |\n";
  }
  out << "\nMean ± sample sd over seeds. Δ: candidate − baseline dev accuracy, mean over matched "
         "seeds; CI: hierarchical percentile bootstrap ("
      << s.bootstrapResamples
      << " resamples: seeds with replacement, then one draw of the dev sentences shared by all "
         "drawn seeds). Σb / Σc: dev sentences only the baseline / only the candidate got right, "
         "summed over seeds (each sentence counts once per seed). Stratified p: two-sided test "
         "for pairs matched within each seed, with the sentence as the independent unit (exact "
         "sign-flip distribution of Σ(c − b) over sentences; (χ²): its chi-square "
         "approximation); with one seed it is the exact McNemar test. No test on the pooled "
         "Σb / Σc: the seeds share their dev sentences, so pooling them overstates the "
         "evidence.\n";
  if (!sameBaselineName(s)) {
    out << "\nBaselines (one per data and model):";
    for (const ConfigurationSummary& c : s.configurations)
      if (c.isBaseline) out << " " << c.name << ";";
    out << "\n";
  }

  bool anyPerSeed = false;
  for (const Comparison& cmp : s.comparisons) anyPerSeed |= !cmp.perSeed.empty();
  if (anyPerSeed) {
    out << "\nPer seed (paired bootstrap CI, exact McNemar test):\n\n"
        << "| Configuration | Seed | Dev sentences | Δ (pp) | " << level
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
  // The columns of earlier versions first, in their order (but mcnemar_p_pooled: no longer
  // computed, see statistics.h), then the statistics over seeds and what each row is of.
  out << "configuration,policy,baseline,seeds,n,best_accuracy_mean,best_accuracy_sd,"
         "dev_loss_mean,dev_loss_sd,delta_mean,ci_low_mean,ci_high_mean,ci_level,"
         "pooled_b,pooled_c,stratified_p,stratified_p_method,ci_low_hierarchical,"
         "ci_high_hierarchical,compared_with,configuration_name,data,model\n";
  const auto number = [](double v) {
    if (!std::isfinite(v)) return std::string();
    std::ostringstream o;
    o << std::setprecision(10) << v;
    return o.str();
  };
  for (const ConfigurationSummary& c : s.configurations) {
    out << csvField(c.name) << "," << csvField(c.policy) << "," << (c.isBaseline ? 1 : 0) << ","
        << csvField(seedList(c.seeds)) << "," << c.bestAccuracy.n << ","
        << number(c.bestAccuracy.mean) << "," << number(c.bestAccuracy.sd) << ","
        << number(c.devLossAtBest.mean) << "," << number(c.devLossAtBest.sd) << ",";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (cmp == nullptr || cmp->perSeed.empty()) {
      out << ",,,,,,,,,,,";
    } else {
      const bool overSeeds = std::isfinite(cmp->stratified.pValue);
      out << number(cmp->meanDifference.observed) << "," << number(cmp->meanPerSeedLow) << ","
          << number(cmp->meanPerSeedHigh) << "," << number(s.confidenceLevel) << "," << cmp->pooledB
          << "," << cmp->pooledC << "," << number(cmp->stratified.pValue) << ","
          << (!overSeeds              ? ""
              : cmp->stratified.exact ? "exact"
                                      : "chi2")
          << "," << number(cmp->meanDifference.low) << "," << number(cmp->meanDifference.high)
          << "," << csvField(cmp->baseline) << ",";
    }
    out << csvField(c.configuration) << "," << csvField(c.data) << "," << csvField(c.model) << "\n";
  }
  return out.str();
}

std::string toLatex(const SweepStatistics& s) {
  const std::string level = percentLevel(s.confidenceLevel);
  std::ostringstream out;
  bool approximate = false;
  out << "% Requires \\usepackage{booktabs}.\n"
      << "\\begin{table}[t]\n\\centering\n\\begin{tabular}{llrrrrrr}\n\\toprule\n"
      << "Configuration & Policy & $n$ & Dev acc.\\ (\\%) & Dev loss & $\\Delta$ (pp) & " << level
      << "\\% CI (pp) & Stratified $p$ \\\\\n\\midrule\n";
  for (const ConfigurationSummary& c : s.configurations) {
    out << latexEscape(c.name) << " & \\texttt{" << latexEscape(c.policy) << "} & "
        << c.bestAccuracy.n << " & $" << meanSd(c.bestAccuracy, 100, 2, " \\pm ") << "$ & $"
        << meanSd(c.devLossAtBest, 1, 4, " \\pm ") << "$ & ";
    const Comparison* cmp = comparisonFor(s, c.name);
    if (c.isBaseline) {
      out << "\\multicolumn{3}{c}{baseline} \\\\\n";
    } else if (cmp == nullptr || cmp->perSeed.empty()) {
      out << "-- & -- & -- \\\\\n";
    } else {
      const BootstrapInterval& d = cmp->meanDifference;
      out << "$" << signedFixed(100 * d.observed, 2) << "$ & ";
      if (std::isfinite(d.low))
        out << "$[" << signedFixed(100 * d.low, 2) << ", " << signedFixed(100 * d.high, 2) << "]$";
      else
        out << "--";
      out << " & "
          << (std::isfinite(cmp->stratified.pValue) ? pValue(cmp->stratified.pValue) : "--");
      if (std::isfinite(cmp->stratified.pValue) && !cmp->stratified.exact) {
        out << "$^\\dagger$";
        approximate = true;
      }
      out << " \\\\\n";
    }
  }
  out << "\\bottomrule\n\\end{tabular}\n\\caption{Best dev accuracy and dev loss at the best "
         "evaluation, mean $\\pm$ sample sd over seeds. $\\Delta$: accuracy difference to "
      << latexEscape(deltaTarget(s))
      << " on the same data and model, mean over matched seeds; CI: hierarchical percentile "
         "bootstrap ("
      << s.bootstrapResamples
      << " resamples of the seeds, then of the dev sentences they share); $p$: two-sided "
         "seed-stratified test for matched pairs with the sentence as the unit (exact "
         "sign-flip distribution"
      << (approximate ? "; $^\\dagger$ chi-square approximation" : "") << ").}\n\\end{table}\n";
  return out.str();
}

namespace {

// NaN and infinities (an sd of one seed, a CI that could not be computed) as null.
nlohmann::ordered_json number(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json toJson(const MeanSd& m) {
  return {{"mean", number(m.mean)}, {"sd", number(m.sd)}, {"n", m.n}};
}

nlohmann::ordered_json toJson(const BootstrapInterval& b) {
  return {{"observed", number(b.observed)}, {"low", number(b.low)}, {"high", number(b.high)}};
}

}  // namespace

nlohmann::ordered_json toJson(const SweepStatistics& s) {
  nlohmann::ordered_json configurations = nlohmann::ordered_json::array();
  for (const ConfigurationSummary& c : s.configurations) {
    configurations.push_back({{"name", c.name},
                              {"configuration", c.configuration},
                              {"policy", c.policy},
                              {"data", c.data},
                              {"model", c.model},
                              {"baseline", c.isBaseline},
                              {"seeds", c.seeds},
                              {"best_accuracy", toJson(c.bestAccuracy)},
                              {"dev_loss_at_best", toJson(c.devLossAtBest)}});
  }
  nlohmann::ordered_json comparisons = nlohmann::ordered_json::array();
  for (const Comparison& c : s.comparisons) {
    nlohmann::ordered_json perSeed = nlohmann::ordered_json::array();
    for (const SeedComparison& seed : c.perSeed) {
      perSeed.push_back({{"seed", seed.seed},
                         {"examples", seed.examples},
                         {"b", seed.b},
                         {"c", seed.c},
                         {"mcnemar_p", number(seed.pValue)},
                         {"accuracy_difference", toJson(seed.accuracyDifference)}});
    }
    comparisons.push_back({{"configuration", c.configuration},
                           {"baseline", c.baseline},
                           {"mean_difference", toJson(c.meanDifference)},
                           {"stratified_p", number(c.stratified.pValue)},
                           {"stratified_exact", c.stratified.exact},
                           {"pooled_b", c.pooledB},
                           {"pooled_c", c.pooledC},
                           {"per_seed", std::move(perSeed)}});
  }
  return {{"baseline", s.baseline},
          {"confidence_level", s.confidenceLevel},
          {"bootstrap_resamples", s.bootstrapResamples},
          {"configurations", std::move(configurations)},
          {"comparisons", std::move(comparisons)},
          {"warnings", s.warnings}};
}

}  // namespace crisp
