#include "ui/views/curves_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include "ui/qcp.h"

namespace crisp::ui {
namespace {

constexpr double kPaperDense = 90.62;   // Gandhi & Gandhi 2025, dense DistilBERT on SST-2
constexpr double kPaperSparse = 91.59;  // their best, 80% sparsity

QCustomPlot* makePlot(const QString& title, const QString& yLabel, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
  plot->xAxis->setLabel(QObject::tr("step"));
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont("sans", 9));
  plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
  return plot;
}

QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& color, double width,
                   bool markers = false) {
  QCPGraph* graph = plot->addGraph();
  graph->setName(name);
  graph->setPen(QPen(color, width));
  if (markers) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 6));
  return graph;
}

}  // namespace

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("curvesView"));
  lossPlot_ = makePlot(tr("Loss"), tr("cross-entropy"), this);
  lossPlot_->setObjectName(QStringLiteral("lossPlot"));
  accuracyPlot_ = makePlot(tr("Dev accuracy"), tr("accuracy (%)"), this);
  accuracyPlot_->setObjectName(QStringLiteral("accuracyPlot"));

  rawLoss_ = addGraph(lossPlot_, tr("train loss"), QColor(31, 119, 180, 70), 1);
  smoothLoss_ = addGraph(lossPlot_, tr("train loss (EMA)"), QColor(31, 119, 180), 2);
  devLoss_ = addGraph(lossPlot_, tr("dev loss"), QColor(214, 39, 40), 2, true);
  devAccuracy_ = addGraph(accuracyPlot_, tr("dev accuracy"), QColor(44, 160, 44), 2, true);
  paperDense_ = addGraph(accuracyPlot_, tr("paper: dense 90.62"), QColor(127, 127, 127), 1);
  paperSparse_ = addGraph(accuracyPlot_, tr("paper: crisp 0.8 91.59"), QColor(148, 103, 189), 1);
  paperDense_->setPen(QPen(QColor(127, 127, 127), 1, Qt::DashLine));
  paperSparse_->setPen(QPen(QColor(148, 103, 189), 1, Qt::DashLine));
  paperDense_->setVisible(false);
  paperSparse_->setVisible(false);
  paperDense_->removeFromLegend();
  paperSparse_->removeFromLegend();

  smoothing_ = new QSlider(Qt::Horizontal, this);
  smoothing_->setObjectName(QStringLiteral("smoothingSlider"));
  smoothing_->setRange(0, 99);
  smoothing_->setValue(90);
  smoothing_->setToolTip(tr("Debiased exponential moving average of the training loss"));
  connect(smoothing_, &QSlider::valueChanged, this, &CurvesView::setSmoothing);
  references_ = new QCheckBox(tr("Paper reference lines"), this);
  references_->setObjectName(QStringLiteral("referenceLines"));
  connect(references_, &QCheckBox::toggled, this, [this](bool on) {
    for (QCPGraph* g : {paperDense_, paperSparse_}) {
      g->setVisible(on);
      on ? g->addToLegend() : g->removeFromLegend();
    }
    refresh();
  });
  summary_ =
      new QLabel(tr("No run yet: configure an experiment on the left and press Start."), this);
  summary_->setObjectName(QStringLiteral("curvesSummary"));
  summary_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // never widens the window

  auto* controls = new QHBoxLayout;
  controls->addWidget(summary_, 1);
  controls->addWidget(new QLabel(tr("Smoothing"), this));
  controls->addWidget(smoothing_);
  controls->addWidget(references_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(lossPlot_, 1);
  layout->addWidget(accuracyPlot_, 1);
}

void CurvesView::clear() {
  steps_.clear();
  evals_.clear();
  ema_ = 0;
  emaWeight_ = 1;
  for (QCPGraph* g : {rawLoss_, smoothLoss_, devLoss_, devAccuracy_}) g->data()->clear();
  refresh();
}

void CurvesView::addStep(const StepPoint& point) {
  steps_.push_back(point);
  rawLoss_->addData(static_cast<double>(point.step), point.loss);
  smoothLoss_->addData(static_cast<double>(point.step), smoothNext(point.loss));
  refresh();
}

void CurvesView::addEval(const EvalPoint& point) {
  evals_.push_back(point);
  devLoss_->addData(static_cast<double>(point.step), point.loss);
  devAccuracy_->addData(static_cast<double>(point.step), 100.0 * point.accuracy);
  double best = 0;
  for (const EvalPoint& e : evals_) best = std::max(best, e.accuracy);
  summary_->setText(tr("Step %1 · dev accuracy %2% · best %3% · dev loss %4")
                        .arg(point.step)
                        .arg(100.0 * point.accuracy, 0, 'f', 2)
                        .arg(100.0 * best, 0, 'f', 2)
                        .arg(point.loss, 0, 'f', 4));
  refresh();
}

void CurvesView::setSmoothing(int percent) {
  smoothingWeight_ = percent / 100.0;
  rebuildSmoothed();
  refresh();
}

void CurvesView::rebuildSmoothed() {
  // Debiased EMA (as TensorBoard): divide by 1 - w^t so early values are not pulled to zero.
  ema_ = 0;
  emaWeight_ = 1;
  QVector<double> x, y;
  for (const StepPoint& p : steps_) {
    x << static_cast<double>(p.step);
    y << smoothNext(p.loss);
  }
  smoothLoss_->setData(x, y, true);
}

double CurvesView::smoothNext(double loss) {
  ema_ = smoothingWeight_ * ema_ + (1 - smoothingWeight_) * loss;
  emaWeight_ *= smoothingWeight_;
  return emaWeight_ < 1 ? ema_ / (1 - emaWeight_) : loss;
}

void CurvesView::refresh() {
  const double lastStep = steps_.empty() ? 1.0 : static_cast<double>(steps_.back().step);
  for (QCPGraph* g : {paperDense_, paperSparse_}) {
    g->data()->clear();
    const double y = g == paperDense_ ? kPaperDense : kPaperSparse;
    g->addData(0, y);
    g->addData(lastStep, y);
  }
  lossPlot_->rescaleAxes(true);
  lossPlot_->yAxis->setRangeLower(0);
  lossPlot_->xAxis->setRange(0, std::max(1.0, lastStep));
  accuracyPlot_->xAxis->setRange(0, std::max(1.0, lastStep));
  double low = 100;
  for (const EvalPoint& e : evals_) low = std::min(low, 100.0 * e.accuracy);
  accuracyPlot_->yAxis->setRange(std::min(50.0, std::floor(low / 5) * 5), 100.5);
  lossPlot_->replot(QCustomPlot::rpQueuedReplot);
  accuracyPlot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace crisp::ui
