#include "ui/views/seed_bands.h"

#include "ui/qcp.h"

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
                    double lineWidth) {
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
    line->setName(
        QObject::tr("%1 · %2 (mean of %n seed(s))", nullptr, static_cast<int>(group.seeds.size()))
            .arg(group.name, what));
    line->setPen(QPen(group.colour, lineWidth));
    line->setData(x, mean, true);
    line->removeFromLegend();
    means_ << line;
    edges_ << lower << upper;
  }
}

}  // namespace crisp::ui
