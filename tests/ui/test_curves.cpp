// Curves of several real runs: overlays with legends, x-axis modes, smoothing, the crosshair,
// the runs table driving the overlays, and the paper figure set.
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtTest>

#include "core/analysis/seed_bands.h"
#include "core/train/experiment.h"
#include "core/train/run_curves.h"
#include "figure_checks.h"
#include "ui/figure_export_queue.h"
#include "ui/main_window.h"
#include "ui/plot_export.h"
#include "ui/qcp.h"
#include "ui/settings.h"
#include "ui/training_session.h"
#include "ui/views/attention_view.h"
#include "ui/views/curves_view.h"
#include "ui/views/runs_view.h"

using namespace crisp;
using ui::CurvesView;

namespace {

// The legend's labels, paper reference lines left out.
QStringList legendNames(const QCustomPlot& plot) {
  QStringList names;
  for (int i = 0; i < plot.legend->itemCount(); ++i) {
    if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot.legend->item(i))) {
      if (!item->plottable()->name().startsWith(QStringLiteral("paper"))) {
        names << item->plottable()->name();
      }
    }
  }
  return names;
}

QCPGraph* graphNamed(const QCustomPlot& plot, const QString& prefix) {
  for (int i = 0; i < plot.graphCount(); ++i) {
    if (plot.graph(i)->name().startsWith(prefix)) return plot.graph(i);
  }
  return nullptr;
}

// The legend is in a column of the plot's layout, not inside the axis rectangle.
bool legendBesideAxes(const QCustomPlot& plot) {
  return plot.legend->layout() != plot.axisRect()->insetLayout();
}

QByteArray readAll(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

class TestCurves : public QObject {
  Q_OBJECT
  QTemporaryDir root_;
  QString dense_, crisp_;

  // A tiny real run of the core trainer on the embedded demo (about a second).
  QString train(const QString& name, const std::string& policy) {
    return train(root_.filePath(name), name, policy, 1);
  }
  QString train(const QString& path, const QString& name, const std::string& policy,
                uint64_t seed) {
    ExperimentConfig config = ExperimentConfig::demo();
    config.name = name.toStdString();
    config.policy = policy;
    config.hyper.seed = seed;
    config.demoTrainSize = 128;
    config.demoDevSize = 32;
    config.hyper.epochs = 2;
    config.hyper.logEvery = 1;
    config.hyper.evalEvery = 2;
    PreparedExperiment prepared = prepareExperiment(config);
    Trainer trainer(std::move(prepared.inputs), config.hyper, path.toStdString(),
                    prepared.runConfig);
    return trainer.run() == RunState::Finished ? path : QString();
  }

  // Two configurations (dense, crisp-0.6) x seeds 1 and 2, in run directories NAME-seedS.
  QStringList trainSweep(const QTemporaryDir& sweep) {
    QStringList runs;
    for (const char* configuration : {"dense", "crisp-0.6"}) {
      for (int seed : {1, 2}) {
        const QString name = QStringLiteral("%1-seed%2").arg(configuration).arg(seed);
        runs << train(sweep.filePath(name), QString::fromLatin1(configuration),
                      configuration == QLatin1String("dense") ? "dense" : "crisp:0.6", seed);
      }
    }
    return runs;
  }

 private Q_SLOTS:
  void initTestCase() {
    // The views start from the saved settings: the defaults, whatever an earlier run left.
    ui::StudioSettings::setCurves(ui::CurvesPreferences{});
    dense_ = train(QStringLiteral("dense"), "dense");
    crisp_ = train(QStringLiteral("crisp-0.6"), "crisp:0.6");
    QVERIFY(!dense_.isEmpty() && !crisp_.isEmpty());
  }

  void overlaysTwoRunsWithLegends() {
    CurvesView view;
    view.setXAxis(CurvesView::XAxis::Step);
    view.setOverlayRuns({dense_, crisp_});
    QTRY_COMPARE(view.runCount(), 2);  // read off the GUI thread
    QCOMPARE(view.runNames(), QStringList({"dense", "crisp-0.6"}));
    const QStringList accuracy = legendNames(*view.accuracyPlot());
    QCOMPARE(accuracy, QStringList({"dense", "crisp-0.6"}));
    // The loss legend names each run once and each kind of curve once.
    const QStringList loss = legendNames(*view.lossPlot());
    QCOMPARE(loss.size(), 4);
    QCOMPARE(loss.mid(0, 2), QStringList({"dense", "crisp-0.6"}));
    QVERIFY2(loss[2].startsWith(QStringLiteral("train (EMA")), qPrintable(loss[2]));
    QCOMPARE(loss[3], QStringLiteral("dev"));
    // The curves themselves keep the run's name, for the crosshair and the CSV.
    QVERIFY(graphNamed(*view.lossPlot(), QStringLiteral("crisp-0.6 · dev")) != nullptr);
    // Beside the axes, not over the data.
    QVERIFY(legendBesideAxes(*view.accuracyPlot()));
    // Each accuracy graph holds its run's evaluations.
    const RunCurves crisp = readRunCurves(crisp_.toStdString());
    QCOMPARE(graphNamed(*view.accuracyPlot(), QStringLiteral("crisp-0.6"))->dataCount(),
             static_cast<int>(crisp.dev.size()));
    // The dense baseline is grey, the sparse run coloured, and both keep their colours.
    const QColor denseColour = view.runColor(dense_), crispColour = view.runColor(crisp_);
    QVERIFY(denseColour.red() == denseColour.green() && denseColour.green() == denseColour.blue());
    QVERIFY(crispColour.red() != crispColour.blue());
    view.setOverlayRuns({crisp_});
    QTRY_COMPARE(view.runCount(), 1);
    QCOMPARE(view.runColor(crisp_), crispColour);
    QVERIFY(!legendBesideAxes(*view.accuracyPlot()));  // one run: few entries, inside
    view.setOverlayRuns({});
    QTRY_COMPARE(view.runCount(), 0);
    QCOMPARE(legendNames(*view.accuracyPlot()), QStringList());
  }

  // Overlays are read off the GUI thread: a request superseded while it reads is never drawn,
  // and unreadable runs are named.
  void supersededOverlaysAreIgnored() {
    CurvesView view;
    QSignalSpy messages(&view, &CurvesView::message);
    view.setOverlayRuns({dense_, crisp_, root_.filePath(QStringLiteral("missing"))});
    view.setOverlayRuns({crisp_});
    QTRY_COMPARE(view.runCount(), 1);
    QThreadPool::globalInstance()->waitForDone();  // the first request has read its runs too
    QTest::qWait(50);                              // and its result has come back
    QCOMPARE(view.runNames(), QStringList({"crisp-0.6"}));
    QCOMPARE(messages.count(), 0);  // the superseded request's message is stale too
    view.setOverlayRuns({dense_, root_.filePath(QStringLiteral("missing"))});
    QTRY_COMPARE(view.runCount(), 1);
    QTRY_COMPARE(messages.count(), 1);
    QVERIFY(messages.first().first().toString().startsWith(
        QStringLiteral("Not shown (no readable config.json): ")));
    QCOMPARE(view.runNames(), QStringList({"dense"}));
  }

  // A sweep (configurations x seeds): the legend names each configuration once in its colour
  // and each seed once by its line style, beside the axes; the seeds of a configuration share
  // its colour.
  void sweepLegendNamesConfigurationsAndSeeds() {
    QTemporaryDir sweep;
    const QStringList runs = trainSweep(sweep);
    QVERIFY(!runs.contains(QString()));
    CurvesView view;
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setOverlayRuns(runs);
    QTRY_COMPARE(view.runCount(), 4);
    // Each curve is still named by its run directory.
    QCOMPARE(view.runNames(),
             QStringList({"dense-seed1", "dense-seed2", "crisp-0.6-seed1", "crisp-0.6-seed2"}));
    const QStringList accuracy = legendNames(*view.accuracyPlot());
    QCOMPARE(accuracy, QStringList({"dense", "crisp-0.6", "seed 1", "seed 2"}));
    const QStringList loss = legendNames(*view.lossPlot());
    QCOMPARE(loss.size(), 6);  // + train and dev, instead of 2 x 4 entries
    QCOMPARE(view.runColor(runs[0]), view.runColor(runs[1]));
    QCOMPARE(view.runColor(runs[2]), view.runColor(runs[3]));
    QVERIFY(view.runColor(runs[0]) != view.runColor(runs[2]));
    const QCPGraph* first = graphNamed(*view.accuracyPlot(), QStringLiteral("crisp-0.6-seed1"));
    const QCPGraph* second = graphNamed(*view.accuracyPlot(), QStringLiteral("crisp-0.6-seed2"));
    QVERIFY(first && second);
    QCOMPARE(first->pen().style(), Qt::SolidLine);
    QVERIFY(second->pen().style() != Qt::SolidLine);
    QCOMPARE(graphNamed(*view.accuracyPlot(), QStringLiteral("dense-seed2"))->pen().style(),
             second->pen().style());
    // The legends sit beside the axes, off the data, and are as wide as each other so that the
    // two plots' x axes line up.
    for (QCustomPlot* plot : {view.lossPlot(), view.accuracyPlot()}) {
      plot->replot();
      QVERIFY(legendBesideAxes(*plot));
      QVERIFY(!plot->legend->outerRect().intersects(plot->axisRect()->rect()));
    }
    QCOMPARE(view.lossPlot()->axisRect()->rect().right(),
             view.accuracyPlot()->axisRect()->rect().right());
    // A figure of it keeps every curve in its CSV, under the run's name.
    QTemporaryDir dir;
    const ui::FigureSetResult written =
        ui::exportFigureSet({{view.accuracyPlot(), QStringLiteral("accuracy")}}, dir.path());
    QVERIFY2(written.ok(), qPrintable(written.errors.join('\n')));
    const QByteArray csv = readAll(dir.filePath(QStringLiteral("accuracy.csv")));
    for (const QString& name : view.runNames()) QVERIFY(csv.contains(name.toUtf8()));
    QVERIFY(!csv.contains("\"seed 1\""));  // legend keys have no data
    // The figure had its legend under the axes; the view has it beside them again.
    QVERIFY(legendBesideAxes(*view.accuracyPlot()));
    QCOMPARE(view.accuracyPlot()->legend->wrap(), 0);
    QCOMPARE(view.accuracyPlot()->plotLayout()->columnCount(), 2);
  }

  // The statistics under the runs table follow the selection (all runs when none is selected),
  // say which runs they cover, and export exactly that.
  void statisticsFollowTheSelection() {
    ui::RunsView view;
    QSignalSpy updated(&view, &ui::RunsView::statisticsUpdated);
    view.setRoot(root_.path());
    QVERIFY(updated.wait(30000));
    const QAbstractItemModel* stats = view.statisticsTable()->model();
    const auto configurations = [stats] {
      QStringList names;
      for (int r = 0; r < stats->rowCount(); ++r) names << stats->index(r, 0).data().toString();
      names.sort();
      return names;
    };
    QCOMPARE(configurations(), QStringList({"crisp-0.6", "dense"}));
    QVERIFY2(view.statisticsScope().startsWith(QStringLiteral("All 2 runs")),
             qPrintable(view.statisticsScope()));
    QCOMPARE(view.statisticsRuns().size(), 2);
    int denseRow = -1, crispRow = -1;
    for (int r = 0; r < view.table()->model()->rowCount(); ++r) {
      const QString name = view.table()->model()->index(r, 0).data().toString();
      (name == QLatin1String("dense") ? denseRow : crispRow) = r;
    }

    // Only the dense run: a table of dense alone, and so are its exports.
    view.table()->selectRow(denseRow);
    QVERIFY(updated.wait(30000));
    QCOMPARE(configurations(), QStringList({"dense"}));
    QVERIFY2(view.statisticsScope().contains(QStringLiteral("1 selected run")),
             qPrintable(view.statisticsScope()));
    QCOMPARE(view.statisticsRuns(), QStringList({dense_}));
    QVERIFY(view.statisticsCsv().contains(QStringLiteral("\ndense,")));
    QVERIFY(!view.statisticsCsv().contains(QStringLiteral("crisp-0.6")));
    QVERIFY(!view.statisticsLatex().contains(QStringLiteral("crisp-0.6")));

    // Only the crisp run: dense joins it as the baseline (not selected, and said so), so the
    // paired test is still there.
    view.table()->selectRow(crispRow);
    QVERIFY(updated.wait(30000));
    QCOMPARE(configurations(), QStringList({"crisp-0.6", "dense"}));
    QVERIFY2(view.statisticsScope().contains(QStringLiteral("not selected")),
             qPrintable(view.statisticsScope()));
    QCOMPARE(view.statisticsRuns(), QStringList({dense_, crisp_}));  // the baseline first
    QVERIFY(view.statisticsLatex().contains(QStringLiteral("crisp-0.6")));
    QVERIFY(view.statisticsLatex().startsWith(QStringLiteral("% Crisp Studio: The 1 selected")));
    // Comparing with itself instead: the selection alone.
    view.setBaseline(QStringLiteral("crisp-0.6"));
    QVERIFY(updated.wait(30000));
    QCOMPARE(configurations(), QStringList({"crisp-0.6"}));
    view.setBaseline(QString());
    QVERIFY(updated.wait(30000));

    // No selection: every run again.
    view.table()->clearSelection();
    QVERIFY(updated.wait(30000));
    QCOMPARE(configurations(), QStringList({"crisp-0.6", "dense"}));
    QVERIFY(view.statisticsScope().startsWith(QStringLiteral("All 2 runs")));
  }

  // The statistics list the baseline first, then the configurations in the folders' order, as
  // `crisp stats` does, whatever order the runs table shows them in (the newest first).
  void statisticsListConfigurationsAsCrispStatsDoes() {
    QTemporaryDir sweep;
    for (const auto& [name, policy] :
         {std::pair{"crisp-0.6", "crisp:0.6"}, std::pair{"crisp-0.8", "crisp:0.8"},
          std::pair{"dense", "dense"}}) {
      QVERIFY(
          !train(sweep.filePath(QString::fromLatin1(name)), QString::fromLatin1(name), policy, 1)
               .isEmpty());
    }
    ui::RunsView view;
    QSignalSpy updated(&view, &ui::RunsView::statisticsUpdated);
    view.setRoot(sweep.path());
    QVERIFY(updated.wait(30000));
    const QAbstractItemModel* stats = view.statisticsTable()->model();
    QStringList rows;
    for (int r = 0; r < stats->rowCount(); ++r) rows << stats->index(r, 0).data().toString();
    QCOMPARE(rows, QStringList({"dense", "crisp-0.6", "crisp-0.8"}));
  }

  void runsTableSelectionOverlays() {
    ui::MainWindow window;
    window.setRunsRoot(root_.path());
    auto* runs = window.findChild<ui::RunsView*>();
    auto* curves = window.findChild<CurvesView*>();
    QCOMPARE(runs->table()->model()->rowCount(), 2);
    // Core's statistics of the same runs, under the table: the crisp run against dense.
    QSignalSpy statistics(runs, &ui::RunsView::statisticsUpdated);
    QVERIFY(statistics.wait(30000));
    const QAbstractItemModel* stats = runs->statisticsTable()->model();
    QCOMPARE(stats->rowCount(), 2);
    int crispRow = stats->index(0, 0).data().toString() == QLatin1String("crisp-0.6") ? 0 : 1;
    QCOMPARE(stats->index(1 - crispRow, 5).data().toString(), QStringLiteral("baseline"));
    bool isNumber = false;
    const QString p = stats->index(crispRow, 7).data().toString();
    const double pValue = p.toDouble(&isNumber);
    QVERIFY2((isNumber && pValue > 0 && pValue <= 1) || p.startsWith('<'), qPrintable(p));
    QVERIFY(runs->statisticsCsv().contains(QStringLiteral("crisp-0.6")));
    QVERIFY(runs->statisticsLatex().contains(QStringLiteral("\\toprule")));
    runs->table()->selectAll();
    QCOMPARE(runs->selectedRuns().size(), 2);
    QTRY_COMPARE(curves->runCount(), 2);
    // Said in words, not Qt's untranslated "%n run(s)".
    const QString summary = curves->findChild<QLabel*>(QStringLiteral("curvesSummary"))->text();
    QVERIFY2(summary.contains(QStringLiteral(" runs selected in the Runs tab")) &&
                 !summary.contains(QStringLiteral("(s)")),
             qPrintable(summary));
    runs->refresh();  // keeps the selection
    QCOMPARE(runs->selectedRuns().size(), 2);
    runs->table()->clearSelection();
    QTRY_COMPARE(curves->runCount(), 0);
  }

  // The summary line says what holds now: the live run from the moment it starts, not "No run
  // yet" until its first evaluation; a run that fails before its first step says so.
  void summaryFollowsTheLiveRun() {
    CurvesView view;
    auto* summary = view.findChild<QLabel*>(QStringLiteral("curvesSummary"));
    QVERIFY(summary->text().startsWith(QStringLiteral("No run yet")));
    view.setLiveRun(QStringLiteral("demo"), QStringLiteral("dense"), root_.filePath("new-run"), 42);
    QVERIFY2(summary->text().contains(QStringLiteral("demo — starting")),
             qPrintable(summary->text()));
    view.setLiveRunState(QStringLiteral("failed"));
    QVERIFY2(summary->text().contains(QStringLiteral("failed before its first step")),
             qPrintable(summary->text()));
    view.setLiveRun(QStringLiteral("demo"), QStringLiteral("dense"), root_.filePath("next-run"),
                    42);
    view.setLiveRunState(QStringLiteral("running"));
    ui::StepPoint step;
    step.step = 10;
    step.loss = 0.69;
    view.addStep(step);
    QVERIFY2(summary->text().contains(QStringLiteral("step 10")), qPrintable(summary->text()));
    // Longer than the view is wide: it stays in the view, ends in "…", and the tooltip has it all.
    view.setLiveRun(QStringLiteral("a-configuration-named-at-length-by-a-sweep-").repeated(3),
                    QStringLiteral("dense"), root_.filePath("long-run"), 42);
    view.resize(360, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(summary->fontMetrics().horizontalAdvance(summary->text()) > summary->width());
    QVERIFY(summary->geometry().right() < view.width());
    QCOMPARE(summary->toolTip(), summary->text());
  }

  // The live run's seed is known from its start (it used to read "seed unknown" until its
  // directory was written), and two runs of one name and seed (the demo trained twice) are told
  // apart by colour and legend entry instead of sharing one grey.
  void liveSeedAndNamesakesInTheLegend() {
    const QString seed2 =
        train(root_.filePath(QStringLiteral("dense-seed2")), QStringLiteral("dense"), "dense", 2);
    const QString again =
        train(root_.filePath(QStringLiteral("dense-again")), QStringLiteral("dense"), "dense", 1);
    QVERIFY(!seed2.isEmpty() && !again.isEmpty());
    {
      CurvesView view;
      view.setLiveRun(QStringLiteral("dense"), QStringLiteral("dense"),
                      root_.filePath(QStringLiteral("not-written-yet")), 3);
      ui::StepPoint step;
      step.step = 1;
      step.loss = 0.7;
      view.addStep(step);
      view.setOverlayRuns({dense_, seed2});
      QTRY_COMPARE(view.runCount(), 3);
      const QStringList legend = legendNames(*view.lossPlot());
      QVERIFY2(legend.contains(QStringLiteral("seed 3")), qPrintable(legend.join(", ")));
      QVERIFY2(!legend.contains(QStringLiteral("seed unknown")), qPrintable(legend.join(", ")));
    }
    CurvesView view;
    view.setOverlayRuns({dense_, again});
    QTRY_COMPARE(view.runCount(), 2);
    QVERIFY(view.runColor(dense_) != view.runColor(again));
    const QStringList legend = legendNames(*view.accuracyPlot());
    QVERIFY2(
        legend.contains(QStringLiteral("dense")) && legend.contains(QStringLiteral("dense-again")),
        qPrintable(legend.join(", ")));
  }

  // Runs selected for comparison stay drawn when a new run starts and trains beside them.
  void overlaysStayWhenANewRunStarts() {
    QTemporaryDir folder;
    const QString other = train(folder.filePath(QStringLiteral("crisp-0.6")),
                                QStringLiteral("crisp-0.6"), "crisp:0.6", 1);
    QVERIFY(!other.isEmpty());
    ui::MainWindow window;
    window.setRunsRoot(folder.path());
    auto* runs = window.findChild<ui::RunsView*>();
    auto* curves = window.findChild<CurvesView*>();
    QCOMPARE(runs->table()->model()->rowCount(), 1);
    runs->table()->selectAll();
    QTRY_COMPARE(curves->runNames(), QStringList({"crisp-0.6"}));
    auto* data = window.findChild<QComboBox*>(QStringLiteral("dataCombo"));
    data->setCurrentIndex(1);  // the quick demo
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(1);
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(curves->stepCount() > 0, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(runs->table()->model()->rowCount(), 2, 10000);
    QVERIFY2(curves->runNames().contains(QStringLiteral("crisp-0.6")),
             qPrintable(curves->runNames().join(", ")));
    window.session()->stop();
    window.session()->wait();
    QTRY_VERIFY(!window.session()->isActive());
    QCoreApplication::processEvents();
    QVERIFY2(curves->runNames().contains(QStringLiteral("crisp-0.6")),
             qPrintable(curves->runNames().join(", ")));
  }

  void xAxisModesChangeKeys() {
    const RunCurves run = readRunCurves(dense_.toStdString());
    QVERIFY(run.train.size() >= 8);
    QVERIFY(run.dev.size() >= 4);
    CurvesView view;
    QVERIFY(view.loadRun(dense_));
    QCOMPARE(view.stepCount(), static_cast<int>(run.train.size()));
    const auto keys = [&view] {
      QVector<double> k;
      const QCPGraph* raw = graphNamed(*view.lossPlot(), QStringLiteral("train loss"));
      for (auto it = raw->data()->constBegin(); it != raw->data()->constEnd(); ++it) k << it->key;
      return k;
    };
    view.setXAxis(CurvesView::XAxis::Step);
    QCOMPARE(keys().last(), static_cast<double>(run.train.back().step));
    QCOMPARE(view.lossPlot()->xAxis->label(), QStringLiteral("step"));
    view.setXAxis(CurvesView::XAxis::Epoch);
    QCOMPARE(keys().first(), run.train.front().epoch);
    QCOMPARE(keys().last(), run.train.back().epoch);
    QVERIFY(keys().last() <= 2.0);
    QCOMPARE(view.accuracyPlot()->xAxis->label(), QStringLiteral("epoch"));
    view.setXAxis(CurvesView::XAxis::WallTime);
    QCOMPARE(keys().last(), run.train.back().seconds);
    QVERIFY(view.lossPlot()->xAxis->range().upper >= run.train.back().seconds);
    // The choice is remembered for the next session.
    CurvesView next;
    QCOMPARE(next.xAxis(), CurvesView::XAxis::WallTime);
    next.setXAxis(CurvesView::XAxis::Step);
  }

  void movingAverageAndEmaMatchHandComputation() {
    CurvesView view;
    const double losses[] = {4, 2, 6, 8, 0};
    for (int s = 0; s < 5; ++s) view.addStep({s + 1, 0.1 * (s + 1), losses[s], 1e-3, 1.0 * s});
    view.setSmoothingKind(CurvesView::Smoothing::MovingAverage);
    view.setSmoothing(2);  // a window of 3 points
    QCPGraph* mean = graphNamed(*view.lossPlot(), QStringLiteral("train loss (mean of 3)"));
    QVERIFY(mean != nullptr);
    const double expected[] = {4, 3, 4, 16.0 / 3, 14.0 / 3};  // trailing means, fewer at first
    QCOMPARE(mean->dataCount(), 5);
    for (int i = 0; i < 5; ++i) QVERIFY(qFuzzyCompare(mean->data()->at(i)->value, expected[i]));

    view.setSmoothingKind(CurvesView::Smoothing::Ema);
    view.setSmoothing(50);
    QCPGraph* ema = graphNamed(*view.lossPlot(), QStringLiteral("train loss (EMA 0.50)"));
    QVERIFY(ema != nullptr);
    // Debiased: (0.5 * 0.5 * 4 + 0.5 * 2) / (1 - 0.25)
    QVERIFY(qFuzzyCompare(ema->data()->at(1)->value, 2.0 / 0.75));
    CurvesView next;  // remembered
    QCOMPARE(next.smoothingKind(), CurvesView::Smoothing::Ema);
    QCOMPARE(next.smoothingValue(), 50);
  }

  void crosshairReportsTheValueUnderTheMouse() {
    CurvesView view;
    view.setXAxis(CurvesView::XAxis::Step);
    for (int s = 1; s <= 50; ++s) view.addStep({s, s / 10.0, 2.0 / s, 1e-3, s * 0.1});
    view.addEval({25, 2.5, 0.4321, 0.81, 0.8, 2.5, true});
    view.addEval({50, 5.0, 0.3, 0.86, 0.85, 5.0, true});
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCustomPlot* loss = view.lossPlot();
    loss->replot();
    const QPointF at(loss->xAxis->coordToPixel(25), loss->yAxis->coordToPixel(0.4321));
    QMouseEvent move(QEvent::MouseMove, at + QPointF(2, -1), loss->mapToGlobal(at), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(loss, &move);
    QVERIFY2(view.crosshairText().contains(QStringLiteral("dev loss")),
             qPrintable(view.crosshairText()));
    QVERIFY(view.crosshairText().contains(QStringLiteral("step 25")));
    QVERIFY(view.crosshairText().contains(QStringLiteral("0.4321")));

    QCustomPlot* accuracy = view.accuracyPlot();
    accuracy->replot();
    QVERIFY(view.trackAt(
        accuracy, QPointF(accuracy->xAxis->coordToPixel(50), accuracy->yAxis->coordToPixel(86.0))));
    QVERIFY(view.crosshairText().contains(QStringLiteral("86.00 %")));
    QVERIFY(!view.trackAt(accuracy, QPointF(1, 1)));  // outside the axes: hidden
    QVERIFY(view.crosshairText().isEmpty());
  }

  // Exporting the figure set leaves the plots on screen as they were: the legends keep their
  // fonts, sizes and place (they used to shrink to paper size until the next redraw).
  // Runs compared (legend beside the axes on screen, under them in figures) at both sizes.
  void comparedRunsFigureFits() {
    CurvesView view;
    view.setOverlayRuns({dense_, crisp_});
    QTRY_COMPARE(view.runCount(), 2);
    view.findChild<QCheckBox*>(QStringLiteral("referenceLines"))->setChecked(true);
    for (QCustomPlot* plot : {view.lossPlot(), view.accuracyPlot()}) {
      for (const QSize size : {ui::kSingleColumnFigure, ui::kDoubleColumnFigure}) {
        QStringList texts;
        const QStringList problems = figure_checks::layoutProblems(*plot, size, &texts);
        QVERIFY2(problems.isEmpty(), qPrintable(plot->objectName() + ": " + problems.join('\n')));
        QVERIFY(texts.contains(QStringLiteral("crisp-0.6")));
      }
    }
  }

  // Seeds grouped as W&B does: each configuration's mean with a band (sd or min-max), the seeds'
  // own lines hidden; remembered; drawn; and the figure set gains the comparison across seeds.
  void seedBandsGroupConfigurations() {
    QTemporaryDir sweep;
    const QStringList runs = trainSweep(sweep);
    QVERIFY(!runs.contains(QString()));
    ui::MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* view = window.findChild<CurvesView*>();
    view->setSeedBands(ui::SeedBandKind::Off);
    view->setOverlayRuns(runs);
    QTRY_COMPARE(view->runCount(), 4);
    QCOMPARE(view->bandCount(), 0);
    auto* box = view->findChild<QComboBox*>(QStringLiteral("seedBands"));
    QVERIFY(box != nullptr);
    box->setCurrentIndex(box->findText(QStringLiteral("mean ± sd")));
    Q_EMIT box->activated(box->currentIndex());
    QCOMPARE(view->seedBands(), ui::SeedBandKind::Sd);
    QCOMPARE(ui::StudioSettings::curves().seedBands, QStringLiteral("sd"));
    QCOMPARE(view->bandCount(), 2);
    QCustomPlot* plot = view->accuracyPlot();
    // The seeds' own lines are hidden; each band is a filled channel under its mean line.
    QVERIFY(!graphNamed(*plot, QStringLiteral("crisp-0.6-seed1"))->visible());
    QCPGraph* mean = graphNamed(*plot, QStringLiteral("crisp-0.6 · dev accuracy (mean"));
    QCPGraph* high = graphNamed(*plot, QStringLiteral("crisp-0.6 · dev accuracy high"));
    QCPGraph* low = graphNamed(*plot, QStringLiteral("crisp-0.6 · dev accuracy low"));
    QVERIFY(mean && high && low);
    QVERIFY(mean->visible() && high->visible());
    QCOMPARE(high->channelFillGraph(), low);
    QVERIFY(high->brush().style() != Qt::NoBrush);
    QVERIFY(legendNames(*plot).contains(QStringLiteral("mean ± sd over seeds")));
    // The mean and sd are the seeds' at each evaluation.
    const RunCurves one = readRunCurves(runs[2].toStdString());
    const RunCurves two = readRunCurves(runs[3].toStdString());
    const double a = 100 * one.dev.front().accuracy, b = 100 * two.dev.front().accuracy;
    QCOMPARE(mean->data()->constBegin()->value, (a + b) / 2);
    QVERIFY(std::abs(high->data()->constBegin()->value -
                     ((a + b) / 2 + std::abs(a - b) / std::sqrt(2.0))) < 1e-9);
    // Drawn: inside the widest part of the band, the plot is tinted by it.
    plot->replot();
    double widest = -1, atKey = 0, atValue = 0;
    for (int i = 0; i < high->dataCount(); ++i) {
      const double spread = high->data()->at(i)->value - low->data()->at(i)->value;
      if (spread > widest) {
        widest = spread;
        atKey = high->data()->at(i)->key;
        atValue = (high->data()->at(i)->value + mean->data()->at(i)->value) / 2;
      }
    }
    const double pixels = plot->yAxis->coordToPixel(0) - plot->yAxis->coordToPixel(widest);
    if (pixels > 4) {  // runs as tiny as these can agree to the last sentence
      const QImage image = plot->toPixmap().toImage();
      const QPoint at(qRound(plot->xAxis->coordToPixel(atKey)),
                      qRound(plot->yAxis->coordToPixel(atValue)));
      QVERIFY2(image.pixelColor(at) != QColor(Qt::white), "the band is not drawn");
    }
    // Min-max, and remembered by the next view.
    view->setSeedBands(ui::SeedBandKind::Range);
    high = graphNamed(*plot, QStringLiteral("crisp-0.6 · dev accuracy high"));
    QCOMPARE(high->data()->constBegin()->value, std::max(a, b));
    CurvesView next;
    QCOMPARE(next.seedBands(), ui::SeedBandKind::Range);
    view->setSeedBands(ui::SeedBandKind::Sd);
    // The figure set compares the configurations across seeds, one column wide, fitting.
    QCustomPlot* seeds = view->seedComparisonPlot();
    QVERIFY(seeds != nullptr);
    for (const QSize size : {ui::kSingleColumnFigure, ui::kDoubleColumnFigure}) {
      QStringList texts;
      const QStringList problems = figure_checks::layoutProblems(*seeds, size, &texts);
      QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
      QVERIFY(texts.contains(QStringLiteral("dense (2 seeds)")));
      QVERIFY(texts.contains(QStringLiteral("crisp-0.6 (2 seeds)")));
    }
    QTemporaryDir dir;
    QVERIFY(window.exportFigureSet(dir.path()));
    window.figureExports()->waitForDone();
    QCOMPARE(QImage(dir.filePath(QStringLiteral("seeds.png"))).size(),
             ui::kSingleColumnFigure * 300 / 72);
    QVERIFY(readAll(dir.filePath(QStringLiteral("seeds.csv"))).contains("crisp-0.6 (2 seeds)"));
    view->setSeedBands(ui::SeedBandKind::Off);
    QCOMPARE(view->bandCount(), 0);
    QVERIFY(graphNamed(*plot, QStringLiteral("crisp-0.6-seed1"))->visible());
  }

  void figureSetLeavesTheScreenAlone() {
    ui::MainWindow window;
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* curves = window.findChild<CurvesView*>();
    QVERIFY(curves->loadRun(crisp_));
    curves->setOverlayRuns({dense_});
    QTRY_COMPARE(curves->runCount(), 2);
    const auto look = [](QCustomPlot* plot) {
      plot->replot();
      QStringList parts;
      parts << plot->legend->font().toString() << QString::number(plot->legend->outerRect().width())
            << QString::number(plot->legend->outerRect().height())
            << QString::number(plot->axisRect()->rect().width())
            << plot->xAxis->tickLabelFont().toString();
      for (int i = 0; i < plot->legend->itemCount(); ++i)
        parts << plot->legend->item(i)->font().toString();
      return parts;
    };
    const QStringList loss = look(curves->lossPlot()), accuracy = look(curves->accuracyPlot());
    QTemporaryDir dir;
    QVERIFY(window.exportFigureSet(dir.filePath(QStringLiteral("figures"))));
    window.figureExports()->waitForDone();
    QCoreApplication::processEvents();
    QCOMPARE(look(curves->lossPlot()), loss);
    QCOMPARE(look(curves->accuracyPlot()), accuracy);
  }

  void figureSetWritesPaperFiguresAndData() {
    ui::MainWindow window;
    auto* curves = window.findChild<CurvesView*>();
    QVERIFY(curves->loadRun(crisp_));
    curves->setOverlayRuns({dense_});
    QTRY_COMPARE(curves->runCount(), 2);
    ui::AttentionFrame frame;
    frame.sentence = QStringLiteral("not bad at all");
    frame.tokens = {"[CLS]", "not", "bad", "at", "all", "[SEP]"};
    frame.layers = 1;
    frame.heads = 1;
    frame.length = 6;
    for (int i = 0; i < 36; ++i) {
      frame.before << 1.0f / 6;
      frame.after << (i % 7 == 0 ? 1.0f : 0.0f);
    }
    frame.probabilities = {0.3f, 0.7f};
    window.findChild<ui::AttentionView*>()->setFrame(frame);

    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("figures"));
    QVERIFY(window.exportFigureSet(folder));
    window.figureExports()->waitForDone();
    const QDir out(folder);
    for (const QString name : {"loss", "accuracy", "attention"}) {
      const bool wide = name == QLatin1String("attention");
      const QSize points = wide ? ui::kDoubleColumnHeatmap : ui::kSingleColumnFigure;
      const QImage png(out.filePath(name + ".png"));
      QCOMPARE(png.size(), points * 300 / 72);  // 3.5 x 2.5 in or 7 x 3 in at 300 dpi
      QCOMPARE(qRound(png.dotsPerMeterX() * 0.0254), 300);
      const QByteArray pdf = readAll(out.filePath(name + ".pdf"));
      QVERIFY(pdf.startsWith("%PDF-"));
      QVERIFY(pdf.contains("/FontFile"));
      // The page is the figure's size in points (Qt may write it with decimals).
      const int box = pdf.indexOf("/MediaBox");
      QVERIFY(box > 0);
      const QList<QByteArray> corners =
          pdf.mid(box, pdf.indexOf(']', box) - box).split('[').last().simplified().split(' ');
      QCOMPARE(corners.size(), 4);
      QCOMPARE(qRound(corners[2].toDouble()), points.width());
      QCOMPARE(qRound(corners[3].toDouble()), points.height());
      const QByteArray mediaBox =
          QStringLiteral("0 0 %1 %2").arg(points.width()).arg(points.height()).toLatin1();
      const QByteArray svg = readAll(out.filePath(name + ".svg"));
      QVERIFY(svg.contains("<svg"));
      QVERIFY(svg.contains("viewBox=\"" + mediaBox + "\""));
      const QByteArray csv = readAll(out.filePath(name + ".csv"));
      QVERIFY(csv.startsWith(wide ? "map,x,y,x_label,y_label,value\n" : "graph,x,y\n"));
    }
    // SVG text as outlines: it looks the same without the font.
    const QByteArray lossSvg = readAll(out.filePath(QStringLiteral("loss.svg")));
    QVERIFY(!lossSvg.contains("<text"));
    QVERIFY(!out.exists(QStringLiteral("seeds.pdf")));  // one seed per configuration: no bands
    QVERIFY(readAll(out.filePath(QStringLiteral("attention.csv"))).contains("\"not\""));
    // The on-screen style comes back.
    QCOMPARE(curves->lossPlot()->xAxis->labelFont().pixelSize(), -1);
  }
};

QTEST_MAIN(TestCurves)
#include "test_curves.moc"
