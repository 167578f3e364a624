// The Curves tab's colours, line styles and legend names, without any widget: stable colour
// slots, dense greys apart from sparse colours, seeds sharing their configuration's colour, and
// runs of one name told apart by their directories.
#include <QtTest>

#include "ui/run_palette.h"

using crisp::ui::RunPalette;

namespace {

RunPalette::Run run(const QString& key, const QString& name, bool dense, qint64 seed = 1) {
  return {key, name, name, seed, dense, true};
}

}  // namespace

class TestRunPalette : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void slotsStayWhenRunsComeAndGo() {
    RunPalette palette;
    palette.setRuns({run("/r/a", "a", false), run("/r/b", "b", false)});
    const int a = palette.slot("/r/a"), b = palette.slot("/r/b");
    QCOMPARE(a, 0);
    QCOMPARE(b, 1);
    palette.setRuns({run("/r/b", "b", false)});  // a deselected: b keeps its colour
    QCOMPARE(palette.slot("/r/b"), b);
    palette.setRuns({run("/r/c", "c", false), run("/r/a", "a", false), run("/r/b", "b", false)});
    QCOMPARE(palette.slot("/r/a"), a);  // back with its old colour
    QCOMPARE(palette.slot("/r/b"), b);
    QCOMPARE(palette.slot("/r/c"), 2);  // a new run: the next colour
  }

  void denseRunsAreGreysApartFromSparseColours() {
    RunPalette palette;
    palette.setRuns({run("/r/dense", "dense", true), run("/r/crisp", "crisp", false),
                     run("/r/dense2", "dense2", true)});
    QCOMPARE(palette.slot("/r/dense"), -1);
    QCOMPARE(palette.slot("/r/dense2"), -2);
    QCOMPARE(palette.slot("/r/crisp"), 0);  // the first palette colour: no grey took it
  }

  // Only runs drawn take colours, in drawing order.
  void emptyRunsTakeNoColour() {
    RunPalette palette;
    RunPalette::Run empty = run("/r/empty", "empty", false);
    empty.shown = false;
    palette.setRuns({empty, run("/r/a", "a", false)});
    QCOMPARE(palette.slot("/r/a"), 0);
  }

  void seedsOfAConfigurationShareItsColour() {
    RunPalette palette;
    palette.setRuns(
        {run("/s/dense-seed1", "dense", true, 1), run("/s/dense-seed2", "dense", true, 2),
         run("/s/crisp-seed2", "crisp", false, 2), run("/s/crisp-seed1", "crisp", false, 1)});
    QVERIFY(palette.grouped());
    QVERIFY(palette.inSeedGroup("crisp"));
    QCOMPARE(palette.slot("/s/dense-seed1"), palette.slot("/s/dense-seed2"));
    QCOMPARE(palette.slot("/s/crisp-seed1"), palette.slot("/s/crisp-seed2"));
    QVERIFY(palette.slot("/s/crisp-seed1") != palette.slot("/s/dense-seed1"));
    // Seeds differ in line style, the same seed alike in every configuration; the first solid.
    QCOMPARE(palette.groupedSeeds(), QList<qint64>({1, 2}));
    QCOMPARE(palette.lineStyle("/s/crisp-seed1"), Qt::SolidLine);
    QCOMPARE(palette.lineStyle("/s/dense-seed2"), palette.lineStyle("/s/crisp-seed2"));
    QVERIFY(palette.lineStyle("/s/crisp-seed2") != Qt::SolidLine);
    // The legend names the configuration once for its seeds.
    QCOMPARE(palette.legendName("/s/crisp-seed2"), QStringLiteral("crisp"));
  }

  // Two runs of one name and seed (the demo trained twice) are no seed group: a colour each.
  void namesakesOfOneSeedAreNoGroup() {
    RunPalette palette;
    palette.setRuns({run("/r/dense", "dense", true, 1), run("/r/dense-again", "dense", true, 1)});
    QVERIFY(!palette.grouped());
    QVERIFY(palette.slot("/r/dense") != palette.slot("/r/dense-again"));
    QCOMPARE(palette.lineStyle("/r/dense-again"), Qt::SolidLine);
    QCOMPARE(palette.legendName("/r/dense"), QStringLiteral("dense"));
    QCOMPARE(palette.legendName("/r/dense-again"), QStringLiteral("dense-again"));
  }

  void duplicateNamesAreToldApartByDirectory() {
    const std::vector<RunPalette::Run> runs = {
        run("/r/one/dense-seed1", "dense", true), run("/r/two/dense-seed1-b", "dense", true),
        run("/r/crisp", "crisp", false), run(crisp::ui::kLiveRunKey, "crisp", false)};
    QCOMPARE(RunPalette::uniqueNames(runs),
             QStringList({"dense-seed1", "dense-seed1-b", "crisp", "crisp"}));
  }
};

QTEST_APPLESS_MAIN(TestRunPalette)
#include "test_run_palette.moc"
