#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <vector>

#include "core/train/run_curves.h"
#include "ui/run_palette.h"
#include "ui/views/curve_options.h"

class QCustomPlot;
class QCPGraph;
class QCPRange;

namespace crisp::ui {

// One run on the Curves tab: its points and the four graphs it owns, raw and smoothed training
// loss and dev loss on the loss plot, dev accuracy on the accuracy plot.
class RunSeries {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::RunSeries)

 public:
  RunSeries(QCustomPlot* lossPlot, QCustomPlot* accuracyPlot);
  ~RunSeries();  // removes its graphs
  RunSeries(const RunSeries&) = delete;
  RunSeries& operator=(const RunSeries&) = delete;

  // Which run it is: its directory (or kLiveRunKey), its name, and the configuration its seeds
  // share; a dense policy (or none) makes it a baseline.
  void identify(const QString& key, const QString& name, const QString& policy, qint64 seed);
  // Adds a point to train or dev. A resumed run repeats the steps after its checkpoint: the new
  // points replace the old.
  static void add(std::vector<CurvePoint>& points, const CurvePoint& point);
  bool shown() const { return !train.empty() || !dev.empty(); }
  RunPalette::Run paletteRun() const { return {key, name, configuration, seed, dense, shown()}; }

  // Pens and names; `drawn` runs are drawn in all, `grouped`: seeds share a colour.
  void style(const QColor& colour, Qt::PenStyle line, const QColor& background, int drawn,
             bool grouped, const QString& smoothingName);
  void rebuildTrain(const CurveOptions& options);  // the training loss only
  void rebuild(const CurveOptions& options);
  void setVisible(bool visible);
  QList<QCPGraph*> graphs() const { return {raw_, smooth_, devLoss_, devAccuracy_}; }
  QCPGraph* devAccuracyGraph() const { return devAccuracy_; }
  // A curve as drawn (smoothed, on the current x axis).
  SeedCurve curve(RunCurve which) const;
  // The keys its losses span; false when it has none.
  bool keyRange(QCPRange* range) const;
  // One line on where the run stands; state: the live run's ("preparing", "failed", ...).
  QString summary(const QString& state) const;

  QString key, name, policy;
  QString configuration;  // the run's configuration; name may be its directory's to be unique
  qint64 seed = -1;       // -1: unknown
  bool dense = false;
  std::vector<CurvePoint> train, dev;

 private:
  QCustomPlot *lossPlot_, *accuracyPlot_;
  QCPGraph *raw_, *smooth_, *devLoss_, *devAccuracy_;
};

}  // namespace crisp::ui
