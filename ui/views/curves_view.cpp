#include "ui/views/curves_view.h"

#include "ui/qcp.h"

#include <QVBoxLayout>

namespace crisp::ui {
namespace {

QCustomPlot* makePlot(const QString& title, const QString& yLabel, const QString& hint,
                      QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
  plot->xAxis->setLabel(QObject::tr("step"));
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  auto* empty = new QCPItemText(plot);
  empty->setObjectName(QStringLiteral("emptyHint"));
  empty->position->setType(QCPItemPosition::ptAxisRectRatio);
  empty->position->setCoords(0.5, 0.5);
  empty->setText(hint);
  empty->setColor(QColor(120, 120, 120));
  return plot;
}

}  // namespace

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("curvesView"));
  lossPlot_ = makePlot(tr("Loss"), tr("cross-entropy"),
                       tr("Training and dev loss appear here while a run trains."), this);
  lossPlot_->setObjectName(QStringLiteral("lossPlot"));
  accuracyPlot_ = makePlot(tr("Dev accuracy"), tr("accuracy (%)"),
                           tr("Dev accuracy appears here after each evaluation."), this);
  accuracyPlot_->setObjectName(QStringLiteral("accuracyPlot"));
  accuracyPlot_->yAxis->setRange(50, 100);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(lossPlot_, 1);
  layout->addWidget(accuracyPlot_, 1);
}

}  // namespace crisp::ui
