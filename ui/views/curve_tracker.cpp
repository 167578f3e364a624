#include "ui/views/curve_tracker.h"

#include <QEvent>
#include <QMouseEvent>
#include <algorithm>
#include <limits>

namespace crisp::ui {
namespace {

const QString kCrosshairLayer = QStringLiteral("crosshair");  // hidden by figure export

}  // namespace

CurveTracker::CurveTracker(const QList<QCustomPlot*>& plots, Format format, QObject* parent)
    : QObject(parent), format_(std::move(format)) {
  for (QCustomPlot* plot : plots) {
    plot->setMouseTracking(true);  // the crosshair follows the mouse without a button held
    plot->addLayer(kCrosshairLayer, plot->layer(QStringLiteral("legend")), QCustomPlot::limAbove);
    Items c;
    c.plot = plot;
    c.lines = new QCPItemTracer(plot);
    c.lines->setStyle(QCPItemTracer::tsCrosshair);
    c.dot = new QCPItemTracer(plot);
    c.dot->setStyle(QCPItemTracer::tsCircle);
    c.dot->setSize(9);
    c.label = new QCPItemText(plot);
    c.label->setClipToAxisRect(false);
    c.label->setPadding(QMargins(5, 3, 5, 3));
    c.label->setFont(QFont("sans", 9));
    c.label->setTextAlignment(Qt::AlignLeft);
    c.label->position->setType(QCPItemPosition::ptAbsolute);
    for (QCPAbstractItem* item : c.all()) {
      item->setLayer(kCrosshairLayer);
      item->setVisible(false);
      item->setSelectable(false);
    }
    items_ << c;
    connect(plot, &QCustomPlot::mouseMove, this,
            [this, plot](QMouseEvent* event) { trackAt(plot, event->position()); });
    plot->installEventFilter(this);
  }
}

void CurveTracker::setColours(const PlotColours& colours) {
  background_ = colours.background;
  for (const Items& c : std::as_const(items_)) {
    c.lines->setPen(QPen(colours.ink(1, 80), 1, Qt::DashLine));
    c.label->setBrush(colours.ink(0, 235));
    c.label->setPen(QPen(colours.ink(0.41)));
    c.label->setColor(colours.foreground);
  }
}

bool CurveTracker::trackAt(QCustomPlot* plot, const QPointF& pos) {
  const auto shown = std::find_if(items_.cbegin(), items_.cend(),
                                  [plot](const Items& c) { return c.plot == plot; });
  if (shown == items_.cend()) return false;
  // A few pixels of slack: points at the ends of the range sit on the rectangle's edge.
  if (!plot->axisRect()->rect().adjusted(-4, -4, 4, 4).contains(pos.toPoint())) {
    hide();
    return false;
  }
  const QCPGraph* best = nullptr;
  double bestDistance = std::numeric_limits<double>::max(), bestKey = 0, bestValue = 0;
  for (int i = 0; i < plot->graphCount(); ++i) {
    const QCPGraph* g = plot->graph(i);
    if (!g->visible() || ignored_.contains(g)) continue;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
      const double dx = g->keyAxis()->coordToPixel(it->key) - pos.x();
      const double dy = g->valueAxis()->coordToPixel(it->value) - pos.y();
      const double distance = dx * dx + dy * dy;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = g;
        bestKey = it->key;
        bestValue = it->value;
      }
    }
  }
  if (best == nullptr) {
    hide();
    return false;
  }
  text_ = QStringLiteral("%1\n%2").arg(best->name(), format_(plot, bestKey, bestValue));

  for (const Items& other : std::as_const(items_)) {
    if (other.plot == plot) continue;
    for (QCPAbstractItem* item : other.all()) item->setVisible(false);
  }
  const Items& c = *shown;
  c.lines->position->setCoords(bestKey, bestValue);
  c.dot->position->setCoords(bestKey, bestValue);
  const QColor colour = best->pen().color();
  c.dot->setPen(QPen(QColor(colour.red(), colour.green(), colour.blue()), 2));
  c.dot->setBrush(background_);
  c.label->setText(text_);
  // The label sits beside the point, on the side with room.
  const QRect rect = plot->axisRect()->rect();
  const QPointF at(plot->xAxis->coordToPixel(bestKey), plot->yAxis->coordToPixel(bestValue));
  const bool right = at.x() < rect.center().x();
  const bool below = at.y() < rect.center().y();
  c.label->setPositionAlignment((right ? Qt::AlignLeft : Qt::AlignRight) |
                                (below ? Qt::AlignTop : Qt::AlignBottom));
  c.label->position->setCoords(at.x() + (right ? 12 : -12), at.y() + (below ? 12 : -12));
  for (QCPAbstractItem* item : c.all()) item->setVisible(true);
  for (const Items& each : std::as_const(items_)) each.plot->replot(QCustomPlot::rpQueuedReplot);
  return true;
}

void CurveTracker::hide() {
  text_.clear();
  bool changed = false;
  for (const Items& c : std::as_const(items_)) {
    for (QCPAbstractItem* item : c.all()) {
      if (item->visible()) {
        item->setVisible(false);
        changed = true;
      }
    }
  }
  if (!changed) return;
  for (const Items& c : std::as_const(items_)) c.plot->replot(QCustomPlot::rpQueuedReplot);
}

bool CurveTracker::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Leave) {
    for (const Items& c : std::as_const(items_)) {
      if (watched == c.plot) hide();
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace crisp::ui
