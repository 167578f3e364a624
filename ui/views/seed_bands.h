#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <memory>
#include <vector>

#include "core/analysis/seed_bands.h"

class QCustomPlot;
class QCPGraph;
class QWidget;

namespace crisp::ui {

class RunPalette;
class RunSeries;
struct PlotColours;

// How the seeds of one configuration are drawn: each on its own, or as W&B's grouping draws
// them, the mean with a shaded band of one standard deviation or of the range.
enum class SeedBandKind { Off, Sd, Range };

// "off", "sd", "range": the settings' words for it.
QString seedBandKindName(SeedBandKind kind);
SeedBandKind seedBandKindFromName(const QString& name);

// A run's curves that seeds are banded on (the training loss: its smoothed curve).
enum class RunCurve { TrainLoss, DevLoss, DevAccuracy };

// One configuration's seeds, as drawn.
struct SeedGroup {
  QString name;
  QColor colour;
  std::vector<SeedCurve> seeds;
};

// Mean lines and bands of several configurations on one plot's axes; it owns those graphs and
// draws them under the others.
class SeedBands {
 public:
  explicit SeedBands(QCustomPlot* plot) : plot_(plot) {}
  SeedBands(const SeedBands&) = delete;
  SeedBands& operator=(const SeedBands&) = delete;
  // Replaces what it draws. `what` names the curve in the graphs' names ("dev accuracy"); with
  // `legend`, each mean line is in the legend as "NAME (n seeds)".
  void set(const QList<SeedGroup>& groups, SeedBandKind kind, const QString& what,
           double lineWidth = 1.8, bool legend = false);
  void clear();
  // The mean lines, one per configuration drawn (the band's edges are graphs too).
  QList<QCPGraph*> means() const { return means_; }
  QList<QCPGraph*> edges() const { return edges_; }

 private:
  QCustomPlot* plot_;
  QList<QCPGraph*> means_, edges_;
};

// The Curves tab's bands: the training loss's and the dev loss's on the loss plot, dev
// accuracy's on the accuracy plot. Dev loss shows its mean only (dashed, as each run's): its
// band would bury the training loss's.
class CurvesSeedBands {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::CurvesSeedBands)

 public:
  CurvesSeedBands(QCustomPlot* lossPlot, QCustomPlot* accuracyPlot);
  // Each configuration drawn with several seeds (the palette's seed groups), with its colour and
  // its seeds' curve as drawn.
  static QList<SeedGroup> groups(const std::vector<std::unique_ptr<RunSeries>>& series,
                                 const RunPalette& palette, const PlotColours& colours,
                                 RunCurve curve);
  // Banded, a configuration's seeds are drawn as their mean and band only: their own graphs
  // are hidden.
  void update(const std::vector<std::unique_ptr<RunSeries>>& series, const RunPalette& palette,
              const PlotColours& colours, SeedBandKind kind);
  int count() const { return static_cast<int>(accuracy_.means().size()); }

 private:
  SeedBands train_, devLoss_, accuracy_;
};

// The figure set's comparison across seeds: each configuration's dev accuracy as its mean and
// band, on a plot of its own that is never shown.
class SeedComparisonFigure {
 public:
  explicit SeedComparisonFigure(QWidget* parent);
  QCustomPlot* plot() const { return plot_; }
  void set(const QList<SeedGroup>& groups, SeedBandKind kind, const QString& xLabel);

 private:
  QCustomPlot* plot_;
  SeedBands bands_;
};

}  // namespace crisp::ui
