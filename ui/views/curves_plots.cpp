#include "ui/views/curves_plots.h"

#include <QMouseEvent>
#include <algorithm>
#include <cmath>

#include "ui/plot_style.h"
#include "ui/qcp.h"
#include "ui/views/curves_legend.h"

namespace crisp::ui {
namespace {

QCustomPlot* makePlot(const QString& title, const QString& yLabel, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
  plot->xAxis->setLabel(QObject::tr("step"));
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont("sans", 9));
  plot->plotLayout()->setColumnSpacing(4);
  followTheme(*plot);
  return plot;
}

}  // namespace

CurvesPlots::CurvesPlots(QWidget* parent, std::function<void()> onResetAsked) {
  loss_ = makePlot(tr("Loss"), tr("cross-entropy"), parent);
  loss_->setObjectName(QStringLiteral("lossPlot"));
  accuracy_ = makePlot(tr("Dev accuracy"), tr("accuracy (%)"), parent);
  accuracy_->setObjectName(QStringLiteral("accuracyPlot"));
  for (QCustomPlot* plot : {loss_, accuracy_}) {
    QObject::connect(plot, &QCustomPlot::mouseMove, plot, [this](QMouseEvent* event) {
      if (event->buttons() != Qt::NoButton) userView_ = true;  // a drag pans
    });
    QObject::connect(plot, &QCustomPlot::mouseWheel, plot, [this] { userView_ = true; });
    QObject::connect(plot, &QCustomPlot::mouseDoubleClick, plot, onResetAsked);
  }
  const auto follow = [this](QCustomPlot* from, QCustomPlot* to) {
    QObject::connect(from->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), to,
                     [this, to](const QCPRange& range) {
                       if (syncing_) return;
                       syncing_ = true;
                       to->xAxis->setRange(range);
                       to->replot(QCustomPlot::rpQueuedReplot);
                       syncing_ = false;
                     });
  };
  follow(loss_, accuracy_);
  follow(accuracy_, loss_);
}

void CurvesPlots::setXLabel(const QString& label) {
  loss_->xAxis->setLabel(label);
  accuracy_->xAxis->setLabel(label);
}

void CurvesPlots::frame(double low, double high, double lowAccuracy, double highAccuracy) {
  if (!userView_) {
    // A little room on the right: the last evaluation's marker is not cut in half.
    const QCPRange x(low, std::max(high + 0.01 * (high - low), low + 1e-9));
    loss_->xAxis->setRange(x);
    accuracy_->xAxis->setRange(x);
    loss_->yAxis->rescale(true);
    const QCPRange y = loss_->yAxis->range();
    loss_->yAxis->setRange(0, y.upper > 0 ? y.upper * 1.05 : 1);
    if (CurvesLegend::isBeside(accuracy_) && highAccuracy >= lowAccuracy) {
      // Runs compared: the legend is off the axes, so the axis can close in on the curves,
      // where differences of a point or two are visible.
      const double floor = std::max(0.0, std::floor((lowAccuracy - 1) / 5) * 5);
      accuracy_->yAxis->setRange(floor, std::min(100.5, std::ceil((highAccuracy + 1) / 5) * 5));
    } else {
      // Leave room under the lowest curve for the legend in the lower right corner.
      const double floor = std::max(0.0, std::floor((lowAccuracy - 8) / 5) * 5);
      accuracy_->yAxis->setRange(std::min(floor, 50.0), 100.5);
    }
  }
  // An empty legend is a stray box: show it only when it has entries.
  for (QCustomPlot* plot : {loss_, accuracy_}) {
    plot->legend->setVisible(plot->legend->itemCount() > 0);
    plot->replot(QCustomPlot::rpQueuedReplot);
  }
}

}  // namespace crisp::ui
