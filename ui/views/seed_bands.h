#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <vector>

#include "core/analysis/seed_bands.h"

class QCustomPlot;
class QCPGraph;
class QWidget;

namespace crisp::ui {

// How the seeds of one configuration are drawn: each on its own, or as W&B's grouping draws
// them, the mean with a shaded band of one standard deviation or of the range.
enum class SeedBandKind { Off, Sd, Range };

// "off", "sd", "range": the settings' words for it.
QString seedBandKindName(SeedBandKind kind);
SeedBandKind seedBandKindFromName(const QString& name);

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
