#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/analysis/statistics.h"
#include "core/sys/error.h"
#include "core/train/run_directory.h"

namespace {

constexpr int64_t kDevSize = 50;

std::vector<int64_t> devLabels() {
  std::vector<int64_t> labels(kDevSize);
  for (int64_t i = 0; i < kDevSize; ++i) labels[i] = i % 2;
  return labels;
}

// Predictions equal to the labels except at [wrongFrom, wrongFrom + wrongCount).
std::vector<int64_t> predictionsWrongAt(int64_t wrongFrom, int64_t wrongCount) {
  std::vector<int64_t> p = devLabels();
  for (int64_t i = wrongFrom; i < wrongFrom + wrongCount; ++i) p[i] = 1 - p[i];
  return p;
}

// A run directory as the trainer writes it: the best evaluation at step 20, a worse one at 10
// (whose predictions must not be used).
// `experiment` adds fields to config.json's experiment (data, model); `suffix` to the directory
// name, for runs of one configuration and seed on other data or models.
void writeRun(const QString& root, const std::string& configuration, const std::string& policy,
              uint64_t seed, const std::vector<int64_t>& bestPredictions, double lossAtBest,
              const std::string& state = "finished",
              const nlohmann::json& experiment = nlohmann::json::object(),
              const std::string& suffix = "") {
  const std::string path = (root + "/" + QString::fromStdString(configuration) + "-seed" +
                            QString::number(seed) + QString::fromStdString(suffix))
                               .toStdString();
  crisp::RunDirectory run(path);
  nlohmann::json recorded = {
      {"name", configuration}, {"policy", policy}, {"hyperparameters", {{"seed", seed}}}};
  recorded.update(experiment);
  run.writeConfig({{"experiment", recorded}, {"policy", policy}});
  const std::vector<int64_t> labels = devLabels();
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += labels[i] == bestPredictions[i];
  const double accuracy = static_cast<double>(correct) / kDevSize;
  run.appendMetric({{"type", "eval"}, {"step", 10}, {"accuracy", 0.5}, {"loss", 0.9}});
  run.appendMetric({{"type", "eval"}, {"step", 20}, {"accuracy", accuracy}, {"loss", lossAtBest}});
  run.writePredictions(
      10, {{"step", 10}, {"labels", labels}, {"predictions", std::vector<int64_t>(kDevSize, 0)}});
  run.writePredictions(20, {{"step", 20}, {"labels", labels}, {"predictions", bestPredictions}});
  run.writeState({{"state", state}, {"step", 20}, {"best_step", 20}, {"best_accuracy", accuracy}});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Differences of one seed from a string: '+' only the candidate right, '-' only the baseline
// right, anything else neither.
std::vector<int8_t> differences(const std::string& pattern) {
  std::vector<int8_t> d;
  for (char ch : pattern) d.push_back(ch == '+' ? 1 : ch == '-' ? -1 : 0);
  return d;
}

// The sign-flip p-value by enumerating all 2^k sign assignments of the k nonzero sentences.
double bruteForceSignFlip(const std::vector<std::vector<int8_t>>& seeds) {
  std::vector<int64_t> magnitudes;
  int64_t observed = 0;
  for (size_t i = 0; i < seeds.front().size(); ++i) {
    int64_t d = 0;
    for (const auto& seed : seeds) d += seed[i];
    observed += d;
    if (d != 0) magnitudes.push_back(std::llabs(d));
  }
  int64_t atLeast = 0;
  const uint64_t assignments = uint64_t{1} << magnitudes.size();
  for (uint64_t mask = 0; mask < assignments; ++mask) {
    int64_t t = 0;
    for (size_t k = 0; k < magnitudes.size(); ++k)
      t += (mask >> k & 1) ? magnitudes[k] : -magnitudes[k];
    atLeast += std::llabs(t) >= std::llabs(observed);
  }
  return static_cast<double>(atLeast) / static_cast<double>(assignments);
}

// Cells of one CSV line, honouring quotes.
int csvCells(const std::string& line) {
  int cells = 1;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') quoted = !quoted;
    if (ch == ',' && !quoted) ++cells;
  }
  return cells;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Labels and two models' predictions on 200 examples: the baseline gets 30 wrong, the
// candidate fixes 12 of them and makes 4 errors of its own.
struct PairedPredictions {
  std::vector<int64_t> labels, baseline, candidate;
};
PairedPredictions twelveFixedFourBroken() {
  PairedPredictions p{std::vector<int64_t>(200), std::vector<int64_t>(200),
                      std::vector<int64_t>(200)};
  for (int i = 0; i < 200; ++i) p.labels[i] = p.baseline[i] = p.candidate[i] = i % 3 == 0;
  for (int i = 0; i < 30; ++i) p.baseline[i] = 1 - p.labels[i];
  for (int i = 0; i < 18; ++i) p.candidate[i] = 1 - p.labels[i];
  for (int i = 100; i < 104; ++i) p.candidate[i] = 1 - p.labels[i];
  return p;
}

}  // namespace

class TestStatistics : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Reference values: exact binomial sums with Python integers, 2 * sum_{i<=k} C(n,i) / 2^n.
  void mcnemarMatchesExactValues() {
    // 2 * (C(12,0) + C(12,1) + C(12,2)) / 2^12 = 2 * 79 / 4096
    QCOMPARE(crisp::mcnemarExactPValue(10, 2), 0.03857421875);
    QCOMPARE(crisp::mcnemarExactPValue(2, 10), 0.03857421875);
    QCOMPARE(crisp::mcnemarExactPValue(7, 3), 0.34375);
    QCOMPARE(crisp::mcnemarExactPValue(5, 0), 0.0625);
    QCOMPARE(crisp::mcnemarExactPValue(1, 0), 1.0);
    QCOMPARE(crisp::mcnemarExactPValue(0, 0), 1.0);
    QCOMPARE(crisp::mcnemarExactPValue(6, 6), 1.0);
    QCOMPARE(crisp::mcnemarExactPValue(4000, 4000), 1.0);
  }

  void mcnemarStaysAccurateForLargeCounts() {
    const auto near = [](double value, double expected) {
      return std::fabs(value - expected) <= 1e-9 * expected;
    };
    QVERIFY(near(crisp::mcnemarExactPValue(3000, 2800), 0.008969436001193416));
    QVERIFY(near(crisp::mcnemarExactPValue(19500, 20000), 0.012046830244299799));
    // 2 / 2^5000 underflows a double: it must come out as a finite number at or near zero.
    const double tiny = crisp::mcnemarExactPValue(0, 5000);
    QVERIFY(std::isfinite(tiny) && tiny >= 0 && tiny < 1e-300);
    const double huge = crisp::mcnemarExactPValue(1000000, 1001000);
    QVERIFY(std::isfinite(huge) && huge > 0.4 && huge < 0.6);
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::mcnemarExactPValue(-1, 3));
  }

  void meanAndSampleSd() {
    const crisp::MeanSd m = crisp::meanAndSampleSd({1, 2, 3, 4});
    QCOMPARE(m.n, 4);
    QCOMPARE(m.mean, 2.5);
    QVERIFY(std::fabs(m.sd - std::sqrt(5.0 / 3.0)) < 1e-15);  // sum of squares 5, n - 1 = 3
    const crisp::MeanSd one = crisp::meanAndSampleSd({0.9});
    QCOMPARE(one.n, 1);
    QCOMPARE(one.mean, 0.9);
    QVERIFY(std::isnan(one.sd));
    QCOMPARE(crisp::meanAndSampleSd({}).n, 0);
  }

  void bootstrapIsDeterministicAndContainsTheObservedDifference() {
    // 200 examples: the candidate fixes 12 of the baseline's errors and makes 4 of its own.
    const PairedPredictions p = twelveFixedFourBroken();
    const auto& [labels, baseline, candidate] = p;
    const auto a = crisp::pairedBootstrapAccuracyDifference(labels, baseline, candidate, 4000, 7);
    const auto b = crisp::pairedBootstrapAccuracyDifference(labels, baseline, candidate, 4000, 7);
    const auto c = crisp::pairedBootstrapAccuracyDifference(labels, baseline, candidate, 4000, 8);
    QCOMPARE(a.observed, 8.0 / 200);
    QCOMPARE(a.low, b.low);
    QCOMPARE(a.high, b.high);
    QVERIFY(a.low != c.low || a.high != c.high);
    QVERIFY(a.low <= a.observed && a.observed <= a.high);
    QVERIFY(a.low < a.high);
    // The resampled difference has sd sqrt((16/200 - 0.04^2) / 200) = 0.0196: the 95% interval
    // spans about +-1.96 of it around 0.04.
    QVERIFY(std::fabs((a.high - a.low) - 2 * 1.96 * 0.0196) < 0.012);
    // Identical predictions: no difference in any resample.
    const auto same = crisp::pairedBootstrapAccuracyDifference(labels, baseline, baseline, 100, 1);
    QCOMPARE(same.low, 0.0);
    QCOMPARE(same.high, 0.0);
    QVERIFY_THROWS_EXCEPTION(
        crisp::Error, crisp::pairedBootstrapAccuracyDifference(labels, baseline, {0, 1}, 100, 1));
  }

  void sweepTableFromRunDirectories() {
    QTemporaryDir root;
    QVERIFY(root.isValid());
    // dense seeds 1..3 wrong on 5, 4, 6 sentences; crisp fixes some and breaks others.
    writeRun(root.path(), "dense", "dense", 1, predictionsWrongAt(0, 5), 0.30);
    writeRun(root.path(), "dense", "dense", 2, predictionsWrongAt(0, 4), 0.32);
    writeRun(root.path(), "dense", "dense", 3, predictionsWrongAt(0, 6), 0.34);
    // crisp seed 1: wrong on [3, 5): b = 0 (no sentence only dense got right) ... see below.
    writeRun(root.path(), "crisp-0.8", "crisp:0.8", 1, predictionsWrongAt(3, 4), 0.28);
    writeRun(root.path(), "crisp-0.8", "crisp:0.8", 2, predictionsWrongAt(10, 1), 0.29);
    writeRun(root.path(), "crisp-0.8", "crisp:0.8", 3, predictionsWrongAt(0, 6), 0.30);
    // Left out: a stopped run, and a seed the baseline lacks.
    writeRun(root.path(), "crisp-0.8", "crisp:0.8", 4, predictionsWrongAt(0, 1), 0.2, "stopped");
    writeRun(root.path(), "crisp-0.6", "crisp:0.6", 9, predictionsWrongAt(0, 1), 0.2);

    const auto runs = crisp::runDirectoriesUnder(root.path().toStdString());
    QCOMPARE(runs.size(), size_t{8});
    crisp::StatisticsOptions options;
    options.bootstrapResamples = 2000;
    const crisp::SweepStatistics s = crisp::computeSweepStatistics(runs, options);
    QCOMPARE(s.baseline, std::string("dense"));
    // The baseline first, then in the order met (sorted paths: crisp-0.6, crisp-0.8, dense).
    QCOMPARE(s.configurations.size(), size_t{3});

    const crisp::ConfigurationSummary& dense = s.configurations[0];
    QCOMPARE(dense.name, std::string("dense"));
    QCOMPARE(dense.bestAccuracy.n, 3);
    QVERIFY(std::fabs(dense.bestAccuracy.mean - (45 + 46 + 44) / 150.0) < 1e-12);
    QVERIFY(std::fabs(dense.bestAccuracy.sd - 1 / 50.0) < 1e-12);  // accuracies 0.90 0.92 0.88
    QVERIFY(std::fabs(dense.devLossAtBest.mean - 0.32) < 1e-12);   // not the 0.9 of step 10
    QVERIFY(std::fabs(dense.devLossAtBest.sd - 0.02) < 1e-12);

    QCOMPARE(s.configurations[1].name, std::string("crisp-0.6"));
    const crisp::ConfigurationSummary& crisp08 = s.configurations[2];
    QCOMPARE(crisp08.seeds, (std::vector<uint64_t>{1, 2, 3}));  // seed 4 stopped
    QCOMPARE(crisp08.policy, std::string("crisp:0.8"));

    QCOMPARE(s.comparisons.size(), size_t{2});
    const crisp::Comparison& c = s.comparisons[1];
    QCOMPARE(c.configuration, std::string("crisp-0.8"));
    QCOMPARE(c.perSeed.size(), size_t{3});
    // seed 1: dense wrong on 0..4, crisp on 3..6: only dense right 5, 6 (b = 2); only crisp
    // right 0, 1, 2 (c = 3). seed 2: dense wrong 0..3, crisp on 10: b = 1, c = 4. seed 3: equal.
    QCOMPARE(c.perSeed[0].b, int64_t{2});
    QCOMPARE(c.perSeed[0].c, int64_t{3});
    QCOMPARE(c.perSeed[1].b, int64_t{1});
    QCOMPARE(c.perSeed[1].c, int64_t{4});
    QCOMPARE(c.perSeed[2].b + c.perSeed[2].c, int64_t{0});
    QCOMPARE(c.perSeed[2].pValue, 1.0);
    QCOMPARE(c.pooledB, int64_t{3});
    QCOMPARE(c.pooledC, int64_t{7});
    QCOMPARE(c.perSeed[1].pValue, 0.375);  // 2 * (1 + 5) / 32
    // Per sentence over the seeds, d = c - b: sentences 0, 1, 2: +2 (both seeds), 3: +1, 5, 6,
    // 10: -1. The sign-flip distribution of 2(+-1+-1+-1) + (+-1+-1+-1+-1) reaches |T| >= 4 in 60
    // of 128 cases: p = 0.46875 (the pooled McNemar test would say 0.344).
    QCOMPARE(c.stratified.statistic, int64_t{4});
    QCOMPARE(c.stratified.variance, 16.0);
    QVERIFY(c.stratified.exact);
    QCOMPARE(c.stratified.pValue, 0.46875);
    QVERIFY(std::fabs(c.meanDifference.observed - (1 / 50.0 + 3 / 50.0 + 0) / 3) < 1e-12);
    QVERIFY(c.meanDifference.low <= c.meanDifference.observed &&
            c.meanDifference.observed <= c.meanDifference.high);
    QVERIFY(c.meanPerSeedLow <= c.meanPerSeedHigh);

    // crisp-0.6 has only seed 9: no matched seed, no comparison rows.
    QVERIFY(s.comparisons[0].perSeed.empty());
    QCOMPARE(s.warnings.size(), size_t{2});

    const std::string md = crisp::toMarkdown(s);
    QVERIFY2(contains(md, "| dense (baseline) | `dense` | 3 | 90.00 ± 2.00 | 0.3200 ± 0.0200 |"),
             md.c_str());
    QVERIFY2(contains(md, "| crisp-0.8 | `crisp:0.8` | 3 |"), md.c_str());
    QVERIFY2(contains(md, "| +2.67 | ["), md.c_str());
    QVERIFY2(contains(md, "| 3 / 7 | 0.469 |"), md.c_str());
    QVERIFY2(contains(md, "| crisp-0.8 | 2 | 50 | +6.00 | ["), md.c_str());  // per seed
    QVERIFY2(!contains(md, "0.344"), md.c_str());                            // no pooled McNemar
    QVERIFY2(contains(md, "is stopped, not finished"), md.c_str());
    const std::string csv = crisp::toCsv(s);
    QVERIFY2(contains(csv, "crisp-0.8,crisp:0.8,0,1 2 3,3,"), csv.c_str());
    QVERIFY2(contains(csv,
                      "dense,dense,1,1 2 3,3,0.9,0.02,0.32,0.02,,,,,,,,,,,,dense,"
                      "\"demo (train 8000, dev 500)\",preset:tiny\n"),
             csv.c_str());
    QVERIFY2(contains(csv, ",3,7,0.46875,exact,"), csv.c_str());
    for (const std::string& line : lines(csv)) QCOMPARE(csvCells(line), 23);
    const std::string tex = crisp::toLatex(s);
    QVERIFY2(contains(tex, "\\toprule") && contains(tex, "\\bottomrule") &&
                 contains(tex, "crisp-0.8 & \\texttt{crisp:0.8} & 3 & $"),
             tex.c_str());

    // Deterministic: the same options give the same table.
    QCOMPARE(crisp::toMarkdown(crisp::computeSweepStatistics(runs, options)), md);

    options.baseline = "crisp-0.8";
    const crisp::SweepStatistics flipped = crisp::computeSweepStatistics(runs, options);
    QCOMPARE(flipped.comparisons[1].configuration, std::string("dense"));
    QCOMPARE(flipped.comparisons[1].pooledB, int64_t{7});
    options.baseline = "no-such-configuration";
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::computeSweepStatistics(runs, options));
  }

  // Hand-computed sign-flip values (enumerated with Python's fractions; see the comments).
  void stratifiedTestMatchesHandComputedValues() {
    // Two seeds on 12 sentences; d = c - b per sentence: 2 2 2 1 0 -1 -1 0 0 0 -1 0. T = 4;
    // P(|2(+-1+-1+-1) + (+-1+-1+-1+-1)| >= 4) = 60 / 128.
    const std::vector<std::vector<int8_t>> two = {differences("+++..--....."),
                                                  differences("++++......-.")};
    const crisp::StratifiedTest t = crisp::seedStratifiedTest(two);
    QCOMPARE(t.seeds, 2);
    QCOMPARE(t.sentences, int64_t{12});
    QCOMPARE(t.b, int64_t{3});
    QCOMPARE(t.c, int64_t{7});
    QCOMPARE(t.clusters, int64_t{7});
    QCOMPARE(t.statistic, int64_t{4});
    QCOMPARE(t.variance, 16.0);  // 3 * 4 + 4 * 1
    QCOMPARE(t.chiSquare, 9.0 / 16);
    QVERIFY(t.exact);
    QCOMPARE(t.pValue, 0.46875);
    // The MH statistic on the per-seed tables would be the pooled McNemar test, 0.34375.
    QCOMPARE(crisp::mcnemarExactPValue(t.b, t.c), 0.34375);
    // The chi-square approximation: erfc(sqrt(chi2 / 2)) = erfc(sqrt(9 / 32)).
    const crisp::StratifiedTest approximate = crisp::seedStratifiedTest(two, 0);
    QVERIFY(!approximate.exact);
    QVERIFY(std::fabs(approximate.pValue - 0.4532547047537364) < 1e-12);

    // Both seeds agree on every sentence: 5 sentences favour the candidate, one the baseline.
    // Each counts once: exact McNemar of (1, 5), 0.21875, not of the pooled (2, 10), 0.0386.
    const std::string agree = "+++++-....";
    const crisp::StratifiedTest same =
        crisp::seedStratifiedTest({differences(agree), differences(agree)});
    QCOMPARE(same.b, int64_t{2});
    QCOMPARE(same.c, int64_t{10});
    QCOMPARE(same.pValue, 0.21875);

    // One seed: exactly the exact McNemar test.
    const crisp::StratifiedTest one = crisp::seedStratifiedTest({differences("++++++++++--...")});
    QCOMPARE(one.pValue, crisp::mcnemarExactPValue(2, 10));
    QCOMPARE(one.pValue, 0.03857421875);
    // Three seeds, magnitudes 1..3: d = 3 3 2 2 2 0 -2 -2 0 1 -1 2 2, T = 12, p = 117 / 1024.
    const crisp::StratifiedTest three = crisp::seedStratifiedTest(
        {differences("+++++.--.+-++"), differences("++++..-.....+"), differences("++..+..-...+.")});
    QCOMPARE(three.statistic, int64_t{12});
    QCOMPARE(three.pValue, 117.0 / 1024);
    QCOMPARE(crisp::seedStratifiedTest({differences("...."), differences("+-..")}).pValue, 1.0);

    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::seedStratifiedTest({}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error,
                             crisp::seedStratifiedTest({differences("+-"), differences("+")}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::seedStratifiedTest({{2, 0}}));
  }

  // The convolution against enumerating every sign assignment, and the chi-square
  // approximation against the exact value on a larger sample.
  void stratifiedTestAgreesWithEnumeration() {
    std::mt19937_64 rng(11);
    for (int trial = 0; trial < 40; ++trial) {
      const size_t seeds = 1 + trial % 4;
      std::vector<std::vector<int8_t>> d(seeds, std::vector<int8_t>(14));
      for (auto& seed : d)
        for (int8_t& x : seed) {
          const uint64_t r = rng() % 5;  // +1, +1, -1, 0, 0
          x = r < 2 ? 1 : r == 2 ? -1 : 0;
        }
      const double expected = bruteForceSignFlip(d);
      const double p = crisp::seedStratifiedTest(d).pValue;
      QVERIFY2(std::fabs(p - expected) <= 1e-12 * std::max(1.0, expected),
               qPrintable(QStringLiteral("trial %1: %2 vs %3").arg(trial).arg(p).arg(expected)));
    }
    // 3 seeds x 3000 sentences with a small edge for the candidate.
    std::vector<std::vector<int8_t>> d(3, std::vector<int8_t>(3000));
    for (auto& seed : d)
      for (int8_t& x : seed) {
        const uint64_t r = rng() % 100;
        x = r < 6 ? 1 : r < 11 ? -1 : 0;
      }
    const crisp::StratifiedTest exact = crisp::seedStratifiedTest(d);
    const crisp::StratifiedTest approximate = crisp::seedStratifiedTest(d, 0);
    QVERIFY(exact.exact && !approximate.exact);
    QVERIFY2(std::fabs(exact.pValue - approximate.pValue) < 0.01,
             qPrintable(QStringLiteral("%1 vs %2").arg(exact.pValue).arg(approximate.pValue)));
  }

  void hierarchicalBootstrapProperties() {
    // One seed: no seed is drawn; the same resamples as the paired bootstrap.
    const PairedPredictions p = twelveFixedFourBroken();
    const auto& [labels, baseline, candidate] = p;
    const auto paired =
        crisp::pairedBootstrapAccuracyDifference(labels, baseline, candidate, 3000, 5);
    const auto single = crisp::hierarchicalBootstrapMeanDifference(
        {crisp::pairedDifferences(labels, baseline, candidate)}, 3000, 5);
    QCOMPARE(single.observed, paired.observed);
    QCOMPARE(single.low, paired.low);
    QCOMPARE(single.high, paired.high);

    // Four seeds on 300 shared sentences that disagree: the candidate is +8, -4, +10 and -2 pp
    // better (mean +3), on sentences that differ from seed to seed.
    const int n = 300;
    const int net[] = {24, -12, 30, -6};
    std::vector<std::vector<int8_t>> seeds;
    std::vector<int64_t> allLabels, allBaseline, allCandidate;  // the seeds concatenated
    for (int s = 0; s < 4; ++s) {
      std::vector<int64_t> l(n, 1), b(n, 1), c(n, 1);
      // 10 sentences each way, plus |net| more in the seed's direction, starting at 40 s.
      for (int k = 0; k < 10; ++k) {
        b[(40 * s + k) % n] = 0;
        c[(40 * s + 10 + k) % n] = 0;
      }
      for (int k = 0; k < std::abs(net[s]); ++k) (net[s] > 0 ? b : c)[(40 * s + 20 + k) % n] = 0;
      seeds.push_back(crisp::pairedDifferences(l, b, c));
      allLabels.insert(allLabels.end(), l.begin(), l.end());
      allBaseline.insert(allBaseline.end(), b.begin(), b.end());
      allCandidate.insert(allCandidate.end(), c.begin(), c.end());
    }
    const auto h = crisp::hierarchicalBootstrapMeanDifference(seeds, 4000, 9);
    QCOMPARE(h.observed, 36.0 / 1200);
    QVERIFY(h.low <= h.observed && h.observed <= h.high);
    const auto again = crisp::hierarchicalBootstrapMeanDifference(seeds, 4000, 9);
    QCOMPARE(again.low, h.low);
    QCOMPARE(again.high, h.high);
    const auto other = crisp::hierarchicalBootstrapMeanDifference(seeds, 4000, 10);
    QVERIFY(other.low != h.low || other.high != h.high);
    // The 1200 pairs taken as independent ignore the seed-to-seed spread.
    const auto pooled =
        crisp::pairedBootstrapAccuracyDifference(allLabels, allBaseline, allCandidate, 4000, 9);
    QCOMPARE(pooled.observed, h.observed);
    QVERIFY2(h.high - h.low > 2 * (pooled.high - pooled.low),
             qPrintable(QStringLiteral("hierarchical [%1, %2], pooled [%3, %4]")
                            .arg(h.low)
                            .arg(h.high)
                            .arg(pooled.low)
                            .arg(pooled.high)));
    // Four identical seeds: no seed spread, but still only 300 sentences: as wide as one seed's
    // paired interval (about twice the 1200-pair one), because all seeds share the sentence draw.
    const std::vector<std::vector<int8_t>> copies(4, seeds[0]);
    const auto shared = crisp::hierarchicalBootstrapMeanDifference(copies, 4000, 9);
    const auto oneSeed = crisp::hierarchicalBootstrapMeanDifference({seeds[0]}, 4000, 9);
    std::vector<int64_t> fourL, fourB, fourC;
    for (int s = 0; s < 4; ++s)
      for (int i = 0; i < n; ++i) {
        fourL.push_back(1);
        fourB.push_back(seeds[0][i] > 0 ? 0 : 1);
        fourC.push_back(seeds[0][i] < 0 ? 0 : 1);
      }
    const auto fourPooled = crisp::pairedBootstrapAccuracyDifference(fourL, fourB, fourC, 4000, 9);
    const double width = shared.high - shared.low, oneWidth = oneSeed.high - oneSeed.low;
    QVERIFY2(std::fabs(width - oneWidth) < 0.15 * oneWidth,
             qPrintable(QStringLiteral("%1 vs %2").arg(width).arg(oneWidth)));
    QVERIFY(width > 1.6 * (fourPooled.high - fourPooled.low));

    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::hierarchicalBootstrapMeanDifference({}, 10, 1));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::hierarchicalBootstrapMeanDifference(
                                               {differences("+-"), differences("+")}, 10, 1));
  }

  // Runs named alike on other data or another model are other configurations, not seeds.
  void runsOfOtherDataOrModelsAreNotSeeds() {
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const nlohmann::json sst2 = {{"train_data", "/data/glue/SST-2/train.tsv"},
                                 {"dev_data", "/data/glue/SST-2/dev.tsv"}};
    const nlohmann::json minilm = {{"model", "/models/minilm/"}};
    // dense: 90% and 92% on the demo, 70% and 72% on SST-2, 60% with MiniLM on the demo.
    writeRun(root.path(), "dense", "dense", 1, predictionsWrongAt(0, 5), 0.3);
    writeRun(root.path(), "dense", "dense", 2, predictionsWrongAt(0, 4), 0.3);
    writeRun(root.path(), "dense", "dense", 1, predictionsWrongAt(0, 15), 0.6, "finished", sst2,
             "-sst2");
    writeRun(root.path(), "dense", "dense", 2, predictionsWrongAt(0, 14), 0.6, "finished", sst2,
             "-sst2");
    writeRun(root.path(), "dense", "dense", 3, predictionsWrongAt(0, 20), 0.7, "finished", minilm,
             "-minilm");
    writeRun(root.path(), "crisp", "crisp:0.8", 1, predictionsWrongAt(2, 5), 0.3);
    writeRun(root.path(), "crisp", "crisp:0.8", 2, predictionsWrongAt(2, 5), 0.3);
    writeRun(root.path(), "crisp", "crisp:0.8", 1, predictionsWrongAt(0, 10), 0.5, "finished", sst2,
             "-sst2");
    writeRun(root.path(), "crisp", "crisp:0.8", 2, predictionsWrongAt(0, 10), 0.5, "finished", sst2,
             "-sst2");

    const auto runs = crisp::runDirectoriesUnder(root.path().toStdString());
    QCOMPARE(runs.size(), size_t{9});
    crisp::StatisticsOptions options;
    options.bootstrapResamples = 500;
    const crisp::SweepStatistics s = crisp::computeSweepStatistics(runs, options);
    const auto find = [&s](const std::string& name) -> const crisp::ConfigurationSummary* {
      for (const auto& c : s.configurations)
        if (c.name == name) return &c;
      return nullptr;
    };
    QCOMPARE(s.configurations.size(), size_t{5});
    const auto* denseDemo = find("dense [demo / tiny]");
    const auto* denseSst2 = find("dense [SST-2 / tiny]");
    const auto* denseMinilm = find("dense [demo / minilm]");
    QVERIFY(denseDemo && denseSst2 && denseMinilm && find("crisp [SST-2 / tiny]"));
    QCOMPARE(denseDemo->seeds, (std::vector<uint64_t>{1, 2}));
    QVERIFY(std::fabs(denseDemo->bestAccuracy.mean - 0.91) < 1e-12);
    QCOMPARE(denseSst2->seeds, (std::vector<uint64_t>{1, 2}));
    QVERIFY(std::fabs(denseSst2->bestAccuracy.mean - 0.71) < 1e-12);
    QCOMPARE(denseSst2->configuration, std::string("dense"));
    QCOMPARE(denseSst2->data, std::string("train: /data/glue/SST-2/train.tsv, dev: "
                                          "/data/glue/SST-2/dev.tsv"));
    QCOMPARE(denseMinilm->model, std::string("/models/minilm/"));
    QVERIFY(denseDemo->isBaseline && denseSst2->isBaseline && denseMinilm->isBaseline);
    for (const std::string& w : s.warnings) QVERIFY2(!contains(w, "repeats seed"), w.c_str());
    bool warned = false;
    for (const std::string& w : s.warnings)
      warned |=
          contains(w, "configuration dense has runs with 3 different data, models or settings");
    QVERIFY(warned);

    // Each crisp is compared with the dense of its own data: on SST-2, c = 5 per seed.
    QCOMPARE(s.comparisons.size(), size_t{2});
    for (const crisp::Comparison& c : s.comparisons) {
      const bool onSst2 = c.configuration == "crisp [SST-2 / tiny]";
      QCOMPARE(c.baseline, std::string(onSst2 ? "dense [SST-2 / tiny]" : "dense [demo / tiny]"));
      QCOMPARE(c.perSeed.size(), size_t{2});
      if (onSst2) QCOMPARE(c.pooledC, int64_t{9});  // seed 1: 5, seed 2: 4
    }
    const std::string md = crisp::toMarkdown(s);
    QVERIFY2(contains(md, "| dense [SST-2 / tiny] (baseline) | `dense` | 2 | 71.00 ± 1.41 |"),
             md.c_str());
    QVERIFY2(contains(md, "Δ vs dense (pp)"), md.c_str());
    const std::string csv = crisp::toCsv(s);
    const auto rows = lines(csv);
    QCOMPARE(rows.size(), size_t{6});
    for (const std::string& line : rows) QCOMPARE(csvCells(line), 23);
    QVERIFY2(contains(csv, "\"dense [SST-2 / tiny]\"") || contains(csv, "dense [SST-2 / tiny],"),
             csv.c_str());
    const std::string tex = crisp::toLatex(s);
    QVERIFY2(contains(tex, "dense {[}SST-2 / tiny{]} & \\texttt{dense}"), tex.c_str());

    // An explicit baseline missing on one data and model: those runs are not compared.
    options.baseline = "crisp";
    const crisp::SweepStatistics byCrisp = crisp::computeSweepStatistics(runs, options);
    QCOMPARE(byCrisp.comparisons.size(), size_t{2});  // the two plain dense
    warned = false;
    for (const std::string& w : byCrisp.warnings)
      warned |= contains(w,
                         "no runs of the baseline crisp on demo / minilm: dense [demo / "
                         "minilm] not compared");
    QVERIFY(warned);
  }

  // Without "dense", the baseline is the configuration whose policy is dense, not the first.
  void defaultBaselineIsTheDensePolicy() {
    QTemporaryDir root;
    writeRun(root.path(), "tiny-crisp", "crisp:0.8", 1, predictionsWrongAt(0, 3), 0.3);
    writeRun(root.path(), "tiny-dense", "dense", 1, predictionsWrongAt(0, 5), 0.3);
    writeRun(root.path(), "tiny-dam", "dam:0.01", 1, predictionsWrongAt(0, 4), 0.3);
    crisp::StatisticsOptions options;
    options.bootstrapResamples = 200;
    const auto s = crisp::computeSweepStatistics(
        crisp::runDirectoriesUnder(root.path().toStdString()), options);
    QCOMPARE(s.baseline, std::string("tiny-dense"));
    // The baseline's row first, the others in the order met (tiny-crisp, tiny-dam: sorted paths).
    std::vector<std::string> names;
    for (const crisp::ConfigurationSummary& c : s.configurations) names.push_back(c.name);
    QCOMPARE(names, (std::vector<std::string>{"tiny-dense", "tiny-crisp", "tiny-dam"}));
    QCOMPARE(s.comparisons.size(), size_t{2});
    for (const crisp::Comparison& c : s.comparisons)
      QCOMPARE(c.baseline, std::string("tiny-dense"));
    for (const crisp::ConfigurationSummary& c : s.configurations)
      QCOMPARE(c.isBaseline, c.configuration == "tiny-dense");
    QVERIFY(contains(crisp::toMarkdown(s), "| tiny-dense (baseline) |"));
  }

  // The baseline is chosen by policy: a sparse configuration is never the baseline by default,
  // even when the dense runs cannot be used (here: not finished).
  void noDenseConfigurationMeansNoDefaultBaseline() {
    QTemporaryDir root;
    writeRun(root.path(), "tiny-crisp:0.8", "crisp:0.8", 42, predictionsWrongAt(0, 3), 0.3);
    writeRun(root.path(), "tiny-dense", "dense", 42, predictionsWrongAt(0, 5), 0.3, "stopped");
    crisp::StatisticsOptions options;
    options.bootstrapResamples = 200;
    const auto s = crisp::computeSweepStatistics(
        crisp::runDirectoriesUnder(root.path().toStdString()), options);
    QCOMPARE(s.configurations.size(), size_t{1});
    QVERIFY(!s.configurations.front().isBaseline);
    QCOMPARE(s.baseline, std::string());
    QVERIFY(s.comparisons.empty());
    bool warned = false;
    for (const std::string& w : s.warnings)
      warned |= contains(w, "no configuration with the dense policy on demo / tiny");
    QVERIFY(warned);
  }

  // Runs of one name and seed that differ in a setting are two configurations, not a run and
  // its "repeat": neither is left out, and each is named by what differs. Only an exact repeat
  // is left out.
  void onlyExactRepeatsAreLeftOut() {
    QTemporaryDir root;
    const auto hyper = [](double rate, int epochs) {
      return nlohmann::json{
          {"hyperparameters", {{"seed", 42}, {"learning_rate", rate}, {"epochs", epochs}}}};
    };
    // A broken 2-step run at lr 1 first (its path sorts first), then the real one.
    writeRun(root.path(), "demo", "dense", 42, predictionsWrongAt(0, 25), 0.69, "finished",
             hyper(1, 1), "-a");
    writeRun(root.path(), "demo", "dense", 42, predictionsWrongAt(0, 1), 0.05, "finished",
             hyper(2e-4, 10), "-b");
    writeRun(root.path(), "demo", "dense", 42, predictionsWrongAt(0, 1), 0.05, "finished",
             hyper(2e-4, 10), "-c");  // an exact repeat of -b
    writeRun(root.path(), "demo-crisp", "crisp:0.8", 42, predictionsWrongAt(0, 2), 0.06);
    crisp::StatisticsOptions options;
    options.bootstrapResamples = 200;
    const auto s = crisp::computeSweepStatistics(
        crisp::runDirectoriesUnder(root.path().toStdString()), options);
    std::vector<std::string> names;
    for (const auto& c : s.configurations) names.push_back(c.name);
    // The baseline (of the two dense ones with one seed each, the first met) heads the table.
    QCOMPARE(names, (std::vector<std::string>{"demo {epochs 1, learning_rate 1}", "demo-crisp",
                                              "demo {epochs 10, learning_rate 0.0002}"}));
    int repeats = 0;
    for (const std::string& w : s.warnings) {
      if (!contains(w, "repeats seed 42")) continue;
      ++repeats;
      QVERIFY2(contains(w, "demo-seed42-c") && contains(w, "kept ") && contains(w, "demo-seed42-b"),
               w.c_str());
    }
    QCOMPARE(repeats, 1);
  }

  void damagedRunIsAWarningNotAnError() {
    QTemporaryDir root;
    writeRun(root.path(), "dense", "dense", 1, predictionsWrongAt(0, 5), 0.30);
    QFile bad(root.path() + "/broken/config.json");
    QVERIFY(QDir().mkpath(root.path() + "/broken"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{ not json");
    bad.close();
    const auto s =
        crisp::computeSweepStatistics(crisp::runDirectoriesUnder(root.path().toStdString()));
    QCOMPARE(s.configurations.size(), size_t{1});
    QCOMPARE(s.warnings.size(), size_t{1});
    QVERIFY(contains(s.warnings[0], "broken/config.json"));
  }
};

QTEST_GUILESS_MAIN(TestStatistics)
#include "test_statistics.moc"
