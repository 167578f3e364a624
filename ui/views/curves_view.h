#pragma once

#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

#include "ui/run_palette.h"
#include "ui/studio_types.h"
#include "ui/views/curve_options.h"
#include "ui/views/run_curves_reader.h"
#include "ui/views/run_series.h"
#include "ui/views/seed_bands.h"

class QCustomPlot;

namespace crisp::ui {

class CurvesPlots;
class CurveTracker;
class CurvesControls;
class CurvesLegend;
class PaperReferences;
struct PlotColours;

// Training loss (raw and smoothed), dev loss and dev accuracy of the live run and of any runs
// selected for comparison, overlaid with a legend; x axis as step, epoch or wall time; zoom,
// pan and a crosshair with the exact value of the nearest point; the Crisp Attention paper's
// reference accuracies as optional lines. With several runs the legend sits beside the axes,
// one entry per run; when a configuration has several seeds, one entry per configuration (its
// colour) and one per seed (its line style), so a 4 x 3 sweep needs 7 entries, not 24.
class CurvesView : public QWidget {
  Q_OBJECT
 public:
  using XAxis = CurveOptions::XAxis;
  using Smoothing = CurveOptions::Smoothing;

  explicit CurvesView(QWidget* parent = nullptr);
  ~CurvesView() override;
  QCustomPlot* lossPlot() const { return lossPlot_; }
  QCustomPlot* accuracyPlot() const { return accuracyPlot_; }
  // Points of the live (or opened) run.
  int stepCount() const;
  int evalCount() const;
  // Runs drawn now: the live run when it has points, plus the overlays.
  int runCount() const;
  QStringList runNames() const;
  XAxis xAxis() const { return options_.xAxis; }
  Smoothing smoothingKind() const { return options_.smoothing; }
  // EMA weight in percent, or the moving average's window minus one.
  int smoothingValue() const;
  // The crosshair's text (series, x and y of the data point under the mouse); empty if hidden.
  QString crosshairText() const;
  // Puts the crosshair on the data point nearest to `pos` (widget pixels of `plot`); false when
  // `pos` is outside the axis rectangle or nothing is drawn.
  bool trackAt(QCustomPlot* plot, const QPointF& pos);
  // The colour a run is drawn in (stable for as long as the view lives).
  QColor runColor(const QString& key) const;
  SeedBandKind seedBands() const { return bandKind_; }
  // Configurations drawn as a band now (their seeds grouped).
  int bandCount() const;
  // Dev accuracy of every configuration drawn with several seeds, as mean and band (± sd, or
  // min-max when that is the view's choice): the figure set's comparison across seeds. A plot
  // that is never shown, owned by the view; null when no configuration has several seeds.
  QCustomPlot* seedComparisonPlot();
  // The policy of the live (or opened) run; empty if unknown.
  QString livePolicy() const;

 public Q_SLOTS:
  void clear();  // forgets the live run's points
  void addStep(const crisp::ui::StepPoint& point);
  void addEval(const crisp::ui::EvalPoint& point);
  // Names the live run (its legend label; a dense policy gets the baseline's colours) and its
  // seed (the legend's line styles tell seeds apart; -1: unknown).
  void setLiveRun(const QString& name, const QString& policy, const QString& path, qint64 seed);
  // The live run's state ("preparing", "running", "failed", ...): the summary line says it
  // until the first step arrives.
  void setLiveRunState(const QString& state);
  // Shows a run read from its directory in place of the live run. False (and a message) if it
  // cannot be read.
  bool loadRun(const QString& path);
  // The runs drawn beside the live run (run directories; unreadable ones are skipped). They are
  // read off the GUI thread and drawn when read; a later call supersedes one still reading.
  void setOverlayRuns(const QStringList& paths);
  void setSmoothing(int value);  // EMA weight in percent, or moving-average window - 1
  void setSmoothingKind(crisp::ui::CurvesView::Smoothing kind);
  void setXAxis(crisp::ui::CurvesView::XAxis axis);
  // Seeds of a configuration each drawn, or as their mean and band; remembered.
  void setSeedBands(crisp::ui::SeedBandKind kind);
  void resetView();

 Q_SIGNALS:
  void message(const QString& text, bool isError);

 protected:
  void changeEvent(QEvent* event) override;  // a new theme: the greys follow it

 private:
  RunSeries& live();
  // Colours, line styles, names and the legends of every series: they depend on all of them.
  void restyle();
  PlotColours inks() const;  // the plots' colours in the current theme
  void rebuildAll();
  void updateSummary();
  void refresh();
  void showOverlays(RunCurvesReader::Result overlays);

  std::unique_ptr<CurvesPlots> plots_;
  QCustomPlot *lossPlot_, *accuracyPlot_;  // plots_'s
  std::unique_ptr<PaperReferences> references_;
  // Destroyed before the plots: it filters their events.
  std::unique_ptr<CurveTracker> tracker_;
  std::unique_ptr<CurvesControls> controls_;
  SeedBandKind bandKind_ = SeedBandKind::Off;
  std::unique_ptr<CurvesSeedBands> bands_;
  std::unique_ptr<SeedComparisonFigure> seedFigure_;
  std::unique_ptr<CurvesLegend> legend_;
  std::vector<std::unique_ptr<RunSeries>> series_;  // [0]: the live or opened run
  RunPalette palette_;                              // the series' colours, line styles and names
  std::unique_ptr<RunCurvesReader> overlayReader_;
  CurveOptions options_;
  QString liveState_;  // of the live run; empty for an opened one
};

}  // namespace crisp::ui

Q_DECLARE_METATYPE(crisp::ui::SeedBandKind)
