#include "ui/views/run_series.h"

#include <algorithm>

#include "ui/paper_figure.h"
#include "ui/qcp.h"

namespace crisp::ui {
namespace {

QVector<double> toQVector(const std::vector<double>& v) {
  return QVector<double>(v.begin(), v.end());
}

}  // namespace

RunSeries::RunSeries(QCustomPlot* lossPlot, QCustomPlot* accuracyPlot)
    : lossPlot_(lossPlot), accuracyPlot_(accuracyPlot) {
  raw_ = lossPlot->addGraph();
  raw_->setProperty(kRawCurveProperty, true);  // left out of figures
  smooth_ = lossPlot->addGraph();
  devLoss_ = lossPlot->addGraph();
  devAccuracy_ = accuracyPlot->addGraph();
}

RunSeries::~RunSeries() {
  for (QCPGraph* g : {raw_, smooth_, devLoss_}) lossPlot_->removeGraph(g);
  accuracyPlot_->removeGraph(devAccuracy_);
}

void RunSeries::identify(const QString& runKey, const QString& runName, const QString& runPolicy,
                         qint64 runSeed) {
  key = runKey;
  name = runName;
  configuration = runName;
  policy = runPolicy;
  dense = runPolicy.isEmpty() || runPolicy == QLatin1String("dense");
  seed = runSeed;
}

void RunSeries::add(std::vector<CurvePoint>& points, const CurvePoint& point) {
  while (!points.empty() && points.back().step >= point.step) points.pop_back();
  points.push_back(point);
}

void RunSeries::style(const QColor& colour, Qt::PenStyle line, const QColor& background, int drawn,
                      bool grouped, const QString& smoothingName) {
  QColor faint = colour;
  faint.setAlpha(drawn > 3 ? 30 : dense ? 55 : 70);  // many runs: the raw loss is a haze
  raw_->setPen(QPen(faint, 1));
  smooth_->setPen(QPen(colour, dense ? 2.2 : 1.8, line));
  devLoss_->setPen(QPen(colour, 1.5, grouped ? line : Qt::DashLine));
  devLoss_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, background, 5));
  devAccuracy_->setPen(QPen(colour, dense ? 2.2 : 1.8, line));
  devAccuracy_->setScatterStyle(QCPScatterStyle(
      dense ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssCircle, colour, colour, 5));
  if (drawn <= 1) {
    raw_->setName(tr("train loss"));
    smooth_->setName(tr("train loss (%1)").arg(smoothingName));
    devLoss_->setName(tr("dev loss"));
    devAccuracy_->setName(tr("dev accuracy"));
  } else {  // what the crosshair and the CSV name
    raw_->setName(tr("%1 · train").arg(name));
    smooth_->setName(tr("%1 · train (%2)").arg(name, smoothingName));
    devLoss_->setName(tr("%1 · dev").arg(name));
    devAccuracy_->setName(name);
  }
  for (QCPGraph* g : graphs()) g->removeFromLegend();
  if (drawn == 1 && shown()) {  // one run: the legend names the kinds of curve
    for (QCPGraph* g : graphs()) g->addToLegend();
  }
}

void RunSeries::rebuildTrain(const CurveOptions& options) {
  QVector<double> keys;
  std::vector<double> losses;
  keys.reserve(static_cast<int>(train.size()));
  losses.reserve(train.size());
  for (const CurvePoint& p : train) {
    keys << options.key(p);
    losses.push_back(p.loss);
  }
  raw_->setData(keys, toQVector(losses), options.keysSorted());
  smooth_->setData(keys, toQVector(options.smooth(losses)), options.keysSorted());
}

void RunSeries::rebuild(const CurveOptions& options) {
  rebuildTrain(options);
  QVector<double> keys, losses, accuracies;
  for (const CurvePoint& p : dev) {
    keys << options.key(p);
    losses << p.loss;
    accuracies << 100.0 * p.accuracy;
  }
  devLoss_->setData(keys, losses);
  devAccuracy_->setData(keys, accuracies);
}

void RunSeries::setVisible(bool visible) {
  for (QCPGraph* g : graphs()) g->setVisible(visible);
}

SeedCurve RunSeries::curve(RunCurve which) const {
  const QCPGraph* graph = which == RunCurve::TrainLoss ? smooth_
                          : which == RunCurve::DevLoss ? devLoss_
                                                       : devAccuracy_;
  SeedCurve curve;
  for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
    curve.x.push_back(it->key);
    curve.y.push_back(it->value);
  }
  return curve;
}

bool RunSeries::keyRange(QCPRange* range) const {
  bool any = false;
  for (QCPGraph* g : {raw_, devLoss_}) {
    bool found = false;
    const QCPRange r = g->getKeyRange(found);
    if (!found) continue;
    *range = any ? QCPRange(std::min(range->lower, r.lower), std::max(range->upper, r.upper)) : r;
    any = true;
  }
  return any;
}

QString RunSeries::summary(const QString& state) const {
  if (!dev.empty()) {
    const CurvePoint& last = dev.back();
    double best = 0;
    for (const CurvePoint& e : dev) best = std::max(best, e.accuracy);
    return tr("%1 — step %2 · dev accuracy %3% · best %4% · dev loss %5")
        .arg(name)
        .arg(last.step)
        .arg(100.0 * last.accuracy, 0, 'f', 2)
        .arg(100.0 * best, 0, 'f', 2)
        .arg(last.loss, 0, 'f', 4);
  }
  if (!train.empty()) {
    return tr("%1 — step %2 · loss %3")
        .arg(name)
        .arg(train.back().step)
        .arg(train.back().loss, 0, 'f', 4);
  }
  if (key == kLiveRunKey)
    return tr("No run yet: configure an experiment on the left and press Start.");
  const bool starting =
      state.isEmpty() || state == QLatin1String("preparing") || state == QLatin1String("running");
  return starting ? tr("%1 — starting: preparing the data and the model…").arg(name)
                  : tr("%1 — %2 before its first step").arg(name, state);
}

}  // namespace crisp::ui
