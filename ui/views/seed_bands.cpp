#include "ui/views/seed_bands.h"

#include <QMap>
#include <algorithm>
#include <cmath>

#include "ui/plot_style.h"
#include "ui/qcp.h"
#include "ui/run_palette.h"
#include "ui/views/run_series.h"

namespace crisp::ui {

QString seedBandKindName(SeedBandKind kind) {
  switch (kind) {
    case SeedBandKind::Sd: return QStringLiteral("sd");
    case SeedBandKind::Range: return QStringLiteral("range");
    case SeedBandKind::Off: break;
  }
  return QStringLiteral("off");
}

SeedBandKind seedBandKindFromName(const QString& name) {
  if (name == QLatin1String("sd")) return SeedBandKind::Sd;
  if (name == QLatin1String("range")) return SeedBandKind::Range;
  return SeedBandKind::Off;
}

void SeedBands::clear() {
  for (QCPGraph* g : std::as_const(means_)) plot_->removeGraph(g);
  for (QCPGraph* g : std::as_const(edges_)) plot_->removeGraph(g);
  means_.clear();
  edges_.clear();
}

void SeedBands::set(const QList<SeedGroup>& groups, SeedBandKind kind, const QString& what,
                    double lineWidth, bool legend) {
  clear();
  if (kind == SeedBandKind::Off) return;
  // The bands go on a layer under the runs' lines: a mean line is never hidden by a band.
  QCPLayer* layer = plot_->layer(QStringLiteral("seedBands"));
  if (layer == nullptr) {
    plot_->addLayer(QStringLiteral("seedBands"), plot_->layer(QStringLiteral("main")),
                    QCustomPlot::limBelow);
    layer = plot_->layer(QStringLiteral("seedBands"));
  }
  for (const SeedGroup& group : groups) {
    const std::vector<BandPoint> band = seedBand(group.seeds);
    if (band.empty()) continue;
    QVector<double> x, mean, low, high;
    for (const BandPoint& p : band) {
      x << p.x;
      mean << p.mean;
      low << (kind == SeedBandKind::Sd ? p.mean - p.sd : p.min);
      high << (kind == SeedBandKind::Sd ? p.mean + p.sd : p.max);
    }
    const QString spread = kind == SeedBandKind::Sd ? QObject::tr("± sd") : QObject::tr("min–max");
    QColor fill = group.colour;
    fill.setAlpha(60);
    QCPGraph* lower = plot_->addGraph();
    QCPGraph* upper = plot_->addGraph();
    for (QCPGraph* edge : {lower, upper}) {
      edge->setPen(Qt::NoPen);
      edge->setLayer(layer);
      edge->removeFromLegend();
      edge->setSelectable(QCP::stNone);
    }
    lower->setName(QObject::tr("%1 · %2 low (%3)").arg(group.name, what, spread));
    upper->setName(QObject::tr("%1 · %2 high (%3)").arg(group.name, what, spread));
    lower->setData(x, low, true);
    upper->setData(x, high, true);
    upper->setBrush(fill);
    upper->setChannelFillGraph(lower);
    QCPGraph* line = plot_->addGraph();
    const int seeds = static_cast<int>(group.seeds.size());
    line->setName(
        legend ? QObject::tr("%1 (%n seeds)", nullptr, seeds).arg(group.name)
               : QObject::tr("%1 · %2 (mean of %n seed(s))", nullptr, seeds).arg(group.name, what));
    line->setPen(QPen(group.colour, lineWidth));
    line->setData(x, mean, true);
    if (!legend) line->removeFromLegend();
    means_ << line;
    edges_ << lower << upper;
  }
}

CurvesSeedBands::CurvesSeedBands(QCustomPlot* lossPlot, QCustomPlot* accuracyPlot)
    : train_(lossPlot), devLoss_(lossPlot), accuracy_(accuracyPlot) {}

QList<SeedGroup> CurvesSeedBands::groups(const std::vector<std::unique_ptr<RunSeries>>& series,
                                         const RunPalette& palette, const PlotColours& colours,
                                         RunCurve curve) {
  QMap<QString, int> index;  // configuration -> its group
  QList<SeedGroup> groups;
  for (const auto& s : series) {
    if (!s->shown() || !palette.inSeedGroup(s->configuration)) continue;
    auto at = index.find(s->configuration);
    if (at == index.end()) {
      at = index.insert(s->configuration, static_cast<int>(groups.size()));
      groups.push_back({s->configuration, slotColour(palette.slot(s->key), colours), {}});
    }
    groups[at.value()].seeds.push_back(s->curve(curve));
  }
  return groups;
}

void CurvesSeedBands::update(const std::vector<std::unique_ptr<RunSeries>>& series,
                             const RunPalette& palette, const PlotColours& colours,
                             SeedBandKind kind) {
  for (const auto& s : series) {
    s->setVisible(kind == SeedBandKind::Off || !palette.inSeedGroup(s->configuration));
  }
  const auto groupsOf = [&](RunCurve curve) { return groups(series, palette, colours, curve); };
  train_.set(groupsOf(RunCurve::TrainLoss), kind, tr("train"));
  devLoss_.set(groupsOf(RunCurve::DevLoss), kind, tr("dev"), 1.2);
  accuracy_.set(groupsOf(RunCurve::DevAccuracy), kind, tr("dev accuracy"));
  for (QCPGraph* g : devLoss_.means()) g->setPen(QPen(g->pen().color(), 1.2, Qt::DashLine));
  for (QCPGraph* g : devLoss_.edges()) g->setVisible(false);
}

SeedComparisonFigure::SeedComparisonFigure(QWidget* parent)
    : plot_(new QCustomPlot(parent)), bands_(plot_) {
  plot_->setObjectName(QStringLiteral("seedComparisonPlot"));
  plot_->setVisible(false);
  plot_->yAxis->setLabel(QObject::tr("dev accuracy (%)"));
  plot_->legend->setVisible(true);
  // Accuracy rises: the lower right is where the curves are not.
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  followTheme(*plot_);
}

void SeedComparisonFigure::set(const QList<SeedGroup>& groups, SeedBandKind kind,
                               const QString& xLabel) {
  plot_->xAxis->setLabel(xLabel);
  bands_.set(groups, kind == SeedBandKind::Range ? SeedBandKind::Range : SeedBandKind::Sd,
             QObject::tr("dev accuracy"), 1.8, true);
  plot_->rescaleAxes();
  // Whole 5 % steps around the bands, as the curves view's accuracy axis.
  const QCPRange y = plot_->yAxis->range();
  plot_->yAxis->setRange(std::max(0.0, std::floor((y.lower - 1) / 5) * 5),
                         std::min(100.5, std::ceil((y.upper + 1) / 5) * 5));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace crisp::ui
