#pragma once

#include <QCoreApplication>
#include <QList>

#include "ui/qcp.h"
#include "ui/views/seed_bands.h"

namespace crisp::ui {

class RunPalette;
struct PlotColours;

// The Curves tab's two legends, placed as one. With one run they sit inside the axes, in the
// corner the curves leave free (loss falls, accuracy rises), and name its kinds of curve; with
// several they sit beside the axes, off the data, and name each run (or configuration and
// seed) once through data-less key graphs; both are then as wide as each other, so that the
// plots' shared x axes line up.
class CurvesLegend {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::CurvesLegend)

 public:
  struct RunKey {
    QString label;  // the palette's legend name: runs of one configuration share it
    QColor colour;
    QCPScatterStyle marker;  // on the accuracy plot
  };

  CurvesLegend(QCustomPlot* loss, QCustomPlot* accuracy);

  // Removes the key graphs.
  void clearKeys();
  // A data-less entry in `plot`'s legend that only names a colour, line style or marker.
  QCPGraph* addKey(QCustomPlot* plot, const QString& name, const QPen& pen,
                   const QCPScatterStyle& scatter = QCPScatterStyle());
  // The keys of several runs: each label once, then the seeds' line styles (or the bands'
  // swatch), then the kinds of curve.
  void addRunKeys(const QList<RunKey>& runs, const RunPalette& palette, SeedBandKind bands,
                  const PlotColours& colours, const QString& smoothingName);
  // Puts both legends beside the axes or inside them, with `last` (those visible) at their ends.
  void place(bool beside, const QList<QCPGraph*>& last);
  static bool isBeside(const QCustomPlot* plot);

 private:
  struct Corner {
    QCustomPlot* plot;
    Qt::Alignment inside;  // where the legend sits inside the axes
  };
  void setBeside(const Corner& corner, bool beside);

  QList<Corner> plots_;
  QList<QCPGraph*> keys_;
};

}  // namespace crisp::ui
