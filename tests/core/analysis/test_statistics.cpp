#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <nlohmann/json.hpp>

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
void writeRun(const QString& root, const std::string& configuration, const std::string& policy,
              uint64_t seed, const std::vector<int64_t>& bestPredictions, double lossAtBest,
              const std::string& state = "finished") {
  const std::string path =
      (root + "/" + QString::fromStdString(configuration) + "-seed" + QString::number(seed))
          .toStdString();
  crisp::RunDirectory run(path);
  run.writeConfig(
      {{"experiment",
        {{"name", configuration}, {"policy", policy}, {"hyperparameters", {{"seed", seed}}}}},
       {"policy", policy}});
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
    std::vector<int64_t> labels(200), baseline(200), candidate(200);
    for (int i = 0; i < 200; ++i) labels[i] = baseline[i] = candidate[i] = i % 3 == 0;
    for (int i = 0; i < 30; ++i) baseline[i] = 1 - labels[i];
    for (int i = 0; i < 18; ++i) candidate[i] = 1 - labels[i];
    for (int i = 100; i < 104; ++i) candidate[i] = 1 - labels[i];
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
    QCOMPARE(s.configurations.size(), size_t{3});  // sorted paths: crisp-0.6, crisp-0.8, dense

    const crisp::ConfigurationSummary& dense = s.configurations[2];
    QCOMPARE(dense.name, std::string("dense"));
    QCOMPARE(dense.bestAccuracy.n, 3);
    QVERIFY(std::fabs(dense.bestAccuracy.mean - (45 + 46 + 44) / 150.0) < 1e-12);
    QVERIFY(std::fabs(dense.bestAccuracy.sd - 1 / 50.0) < 1e-12);  // accuracies 0.90 0.92 0.88
    QVERIFY(std::fabs(dense.devLossAtBest.mean - 0.32) < 1e-12);   // not the 0.9 of step 10
    QVERIFY(std::fabs(dense.devLossAtBest.sd - 0.02) < 1e-12);

    const crisp::ConfigurationSummary& crisp08 = s.configurations[1];
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
    QCOMPARE(c.pooledPValue, crisp::mcnemarExactPValue(3, 7));
    QCOMPARE(c.perSeed[1].pValue, 0.375);  // 2 * (1 + 5) / 32
    QVERIFY(std::fabs(c.meanDifference - (1 / 50.0 + 3 / 50.0 + 0) / 3) < 1e-12);
    QVERIFY(c.meanLow <= c.meanDifference && c.meanDifference <= c.meanHigh);

    // crisp-0.6 has only seed 9: no matched seed, no comparison rows.
    QVERIFY(s.comparisons[0].perSeed.empty());
    QCOMPARE(s.warnings.size(), size_t{2});

    const std::string md = crisp::toMarkdown(s);
    QVERIFY2(contains(md, "| dense (baseline) | `dense` | 3 | 90.00 ± 2.00 | 0.3200 ± 0.0200 |"),
             md.c_str());
    QVERIFY2(contains(md, "| crisp-0.8 | `crisp:0.8` | 3 |"), md.c_str());
    QVERIFY2(contains(md, "| +2.67 | ["), md.c_str());
    QVERIFY2(contains(md, "| 3 / 7 | 0.344 |"), md.c_str());  // 2 * 176 / 1024
    QVERIFY2(contains(md, "is stopped, not finished"), md.c_str());
    const std::string csv = crisp::toCsv(s);
    QVERIFY2(contains(csv, "crisp-0.8,crisp:0.8,0,1 2 3,3,"), csv.c_str());
    QVERIFY2(contains(csv, "dense,dense,1,1 2 3,3,0.9,0.02,0.32,0.02,,,,,,,"), csv.c_str());
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
