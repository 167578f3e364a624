#include "ui/views/curves_legend.h"

#include <algorithm>

namespace crisp::ui {

CurvesLegend::CurvesLegend(QCustomPlot* loss, QCustomPlot* accuracy)
    : plots_{{loss, Qt::AlignTop | Qt::AlignRight}, {accuracy, Qt::AlignBottom | Qt::AlignRight}} {
  for (const Corner& corner : std::as_const(plots_))
    corner.plot->axisRect()->insetLayout()->setInsetAlignment(0, corner.inside);
}

void CurvesLegend::clearKeys() {
  for (QCPGraph* key : std::as_const(keys_)) key->parentPlot()->removeGraph(key);
  keys_.clear();
}

QCPGraph* CurvesLegend::addKey(QCustomPlot* plot, const QString& name, const QPen& pen,
                               const QCPScatterStyle& scatter) {
  QCPGraph* key = plot->addGraph();
  key->setName(name);
  key->setPen(pen);
  key->setScatterStyle(scatter);
  keys_ << key;
  return key;
}

bool CurvesLegend::isBeside(const QCustomPlot* plot) {
  return plot->legend->layout() != plot->axisRect()->insetLayout();
}

void CurvesLegend::place(bool beside, const QList<QCPGraph*>& last) {
  for (QCPGraph* g : last) {
    g->removeFromLegend();
    if (g->visible()) g->addToLegend();
  }
  for (const Corner& corner : std::as_const(plots_)) setBeside(corner, beside);
  int width = 0;
  for (const Corner& corner : std::as_const(plots_)) {
    corner.plot->legend->setMinimumSize(0, 0);
    if (beside) width = std::max(width, corner.plot->legend->minimumOuterSizeHint().width());
  }
  for (const Corner& corner : std::as_const(plots_)) {
    corner.plot->legend->setSizeConstraintRect(QCPLayoutElement::scrOuterRect);
    corner.plot->legend->setMinimumSize(width, 0);
  }
}

void CurvesLegend::setBeside(const Corner& corner, bool beside) {
  QCustomPlot* plot = corner.plot;
  QCPLegend* legend = plot->legend;
  QCPLayoutInset* inset = plot->axisRect()->insetLayout();
  if (beside == isBeside(plot)) return;
  if (beside) {
    inset->take(legend);
    inset->simplify();
    // A column right of the axes: the legend at its top, an empty element under it.
    auto* column = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 1, column);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    column->addElement(0, 0, legend);
    column->addElement(1, 0, new QCPLayoutElement(plot));
    column->setRowStretchFactor(0, 0.001);
    column->setMargins(QMargins(0, 8, 6, 0));
  } else {
    auto* column = qobject_cast<QCPLayoutGrid*>(legend->layout());
    column->take(legend);
    plot->plotLayout()->remove(column);
    plot->plotLayout()->simplify();
    inset->addElement(legend, corner.inside);
  }
}

}  // namespace crisp::ui
