#pragma once

#include <QList>

#include "ui/qcp.h"

namespace crisp::ui {

// The Curves tab's two legends, placed as one. With one run they sit inside the axes, in the
// corner the curves leave free (loss falls, accuracy rises), and name its kinds of curve; with
// several they sit beside the axes, off the data, and name each run (or configuration and
// seed) once through data-less key graphs; both are then as wide as each other, so that the
// plots' shared x axes line up.
class CurvesLegend {
 public:
  CurvesLegend(QCustomPlot* loss, QCustomPlot* accuracy);

  // Removes the key graphs.
  void clearKeys();
  // A data-less entry in `plot`'s legend that only names a colour, line style or marker.
  QCPGraph* addKey(QCustomPlot* plot, const QString& name, const QPen& pen,
                   const QCPScatterStyle& scatter = QCPScatterStyle());
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
