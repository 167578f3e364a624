#include <QtTest>

#include <cmath>
#include <stdexcept>

#include "core/analysis/seed_bands.h"

using crisp::BandPoint;
using crisp::seedBand;
using crisp::SeedCurve;

class TestSeedBands : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void alignedStepsGiveMeanSdAndRange() {
    const std::vector<SeedCurve> seeds = {
        {{10, 20, 30}, {0.70, 0.80, 0.90}},
        {{10, 20, 30}, {0.60, 0.82, 0.86}},
        {{10, 20, 30}, {0.68, 0.78, 0.88}},
    };
    const std::vector<BandPoint> band = seedBand(seeds);
    QCOMPARE(band.size(), size_t{3});
    QCOMPARE(band[0].x, 10.0);
    QCOMPARE(band[0].n, 3);
    QVERIFY(std::abs(band[0].mean - 0.66) < 1e-12);
    // Sample sd of {0.70, 0.60, 0.68}: deviations 0.04, -0.06, 0.02; sum of squares 0.0056.
    QVERIFY(std::abs(band[0].sd - std::sqrt(0.0056 / 2)) < 1e-12);
    QCOMPARE(band[0].min, 0.60);
    QCOMPARE(band[0].max, 0.70);
    QVERIFY(std::abs(band[2].mean - 0.88) < 1e-12);
    QCOMPARE(band[2].min, 0.86);
    QCOMPARE(band[2].max, 0.90);
  }

  void unequalLengthsNarrowToTheSeedsStillRunning() {
    // Seed 2 stopped at step 20, seed 3 was resumed and logged only from step 20.
    const std::vector<SeedCurve> seeds = {
        {{10, 20, 30, 40}, {1.0, 2.0, 3.0, 4.0}},
        {{10, 20}, {3.0, 4.0}},
        {{20, 30, 40}, {0.0, 1.0, 2.0}},
    };
    const std::vector<BandPoint> band = seedBand(seeds);
    QCOMPARE(band.size(), size_t{4});
    QCOMPARE(band[0].n, 2);  // seeds 1 and 2
    QCOMPARE(band[0].mean, 2.0);
    QCOMPARE(band[1].n, 3);
    QCOMPARE(band[1].mean, 2.0);
    QCOMPARE(band[1].sd, 2.0);  // {2, 4, 0}
    QCOMPARE(band[3].n, 2);     // seeds 1 and 3
    QCOMPARE(band[3].mean, 3.0);
    QCOMPARE(band[3].min, 2.0);
    QCOMPARE(band[3].max, 4.0);
  }

  void oneSeedHasNoSpreadAndOffsetStepsInterpolate() {
    const std::vector<BandPoint> one = seedBand({{{0, 1}, {5.0, 7.0}}});
    QCOMPARE(one.size(), size_t{2});
    QCOMPARE(one[1].sd, 0.0);
    QCOMPARE(one[1].n, 1);
    // Seed 2 evaluated at 15, between seed 1's 10 and 20: seed 1's value there is interpolated.
    const std::vector<BandPoint> offset = seedBand({{{10, 20}, {1.0, 3.0}}, {{15}, {4.0}}});
    QCOMPARE(offset.size(), size_t{3});
    QCOMPARE(offset[1].x, 15.0);
    QCOMPARE(offset[1].n, 2);
    QCOMPARE(offset[1].mean, 3.0);  // (2 + 4) / 2
    QCOMPARE(offset[0].n, 1);       // 10: before seed 2 begins
  }

  void emptyAndMalformedCurves() {
    QVERIFY(seedBand({}).empty());
    QVERIFY(seedBand({SeedCurve{}}).empty());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, seedBand({{{2, 1}, {0.0, 0.0}}}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, seedBand({{{1, 2}, {0.0}}}));
  }
};

QTEST_APPLESS_MAIN(TestSeedBands)
#include "test_seed_bands.moc"
