#include "ui/text_outlines.h"

#include <QFontMetricsF>
#include <QPaintDevice>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPath>

namespace crisp::ui {
namespace {

// Forwards every drawing call to a painter on the real device (if any), text as outlines, and
// records where the text went.
class OutlineEngine : public QPaintEngine {
 public:
  explicit OutlineEngine(QPainter* target) : QPaintEngine(AllFeatures), target_(target) {}
  bool begin(QPaintDevice*) override { return true; }
  bool end() override { return true; }
  Type type() const override { return User; }

  void updateState(const QPaintEngineState& state) override {
    const DirtyFlags flags = state.state();
    if (flags & DirtyTransform) transform_ = state.transform();
    if (flags & DirtyPen) pen_ = state.pen();
    if (target_ == nullptr) return;
    // The transform first: a clip set in the same update is in its coordinates.
    if (flags & DirtyTransform) target_->setTransform(state.transform());
    if (flags & DirtyPen) target_->setPen(state.pen());
    if (flags & DirtyBrush) target_->setBrush(state.brush());
    if (flags & DirtyBrushOrigin) target_->setBrushOrigin(state.brushOrigin());
    if (flags & DirtyFont) target_->setFont(state.font());
    if (flags & DirtyBackground) target_->setBackground(state.backgroundBrush());
    if (flags & DirtyBackgroundMode) target_->setBackgroundMode(state.backgroundMode());
    if (flags & DirtyHints) target_->setRenderHints(state.renderHints());
    if (flags & DirtyCompositionMode) target_->setCompositionMode(state.compositionMode());
    if (flags & DirtyOpacity) target_->setOpacity(state.opacity());
    if (flags & DirtyClipRegion) target_->setClipRegion(state.clipRegion(), state.clipOperation());
    if (flags & DirtyClipPath) target_->setClipPath(state.clipPath(), state.clipOperation());
    if (flags & DirtyClipEnabled) target_->setClipping(state.isClipEnabled());
  }

  void drawPath(const QPainterPath& path) override {
    if (target_ != nullptr) target_->drawPath(path);
  }
  void drawPolygon(const QPointF* points, int count, PolygonDrawMode mode) override {
    if (target_ == nullptr) return;
    if (mode == PolylineMode) {
      target_->drawPolyline(points, count);
    } else {
      target_->drawPolygon(points, count, mode == OddEvenMode ? Qt::OddEvenFill : Qt::WindingFill);
    }
  }
  void drawPixmap(const QRectF& r, const QPixmap& pixmap, const QRectF& source) override {
    if (target_ != nullptr) target_->drawPixmap(r, pixmap, source);
  }
  void drawImage(const QRectF& r, const QImage& image, const QRectF& source,
                 Qt::ImageConversionFlags flags) override {
    if (target_ != nullptr) target_->drawImage(r, image, source, flags);
  }
  void drawTextItem(const QPointF& p, const QTextItem& item) override {
    const QString text = item.text();
    QPainterPath path;
    path.addText(p, item.font(), text);
    texts_.push_back({text, transform_.map(path).boundingRect()});
    if (target_ != nullptr) target_->fillPath(path, pen_.brush());
  }

  QList<DrawnText> texts() const { return texts_; }

 private:
  QPainter* target_;
  QTransform transform_;
  QPen pen_;
  QList<DrawnText> texts_;
};

class OutlineDevice : public QPaintDevice {
 public:
  OutlineDevice(QPainter* target, QSize size) : engine_(target), size_(size) {}
  QPaintEngine* paintEngine() const override { return &engine_; }
  QList<DrawnText> texts() const { return engine_.texts(); }

 protected:
  int metric(PaintDeviceMetric metric) const override {
    switch (metric) {
      case PdmWidth: return size_.width();
      case PdmHeight: return size_.height();
      case PdmWidthMM: return qRound(size_.width() * 25.4 / 72);
      case PdmHeightMM: return qRound(size_.height() * 25.4 / 72);
      case PdmDpiX:
      case PdmDpiY:
      case PdmPhysicalDpiX:
      case PdmPhysicalDpiY: return 72;
      case PdmDepth: return 32;
      case PdmNumColors: return INT_MAX;
      case PdmDevicePixelRatio: return 1;
      case PdmDevicePixelRatioScaled: return static_cast<int>(devicePixelRatioFScale());
      default: return QPaintDevice::metric(metric);
    }
  }

 private:
  mutable OutlineEngine engine_;
  QSize size_;
};

}  // namespace

QList<DrawnText> paintTextAsOutlines(QPaintDevice* target, QSize size,
                                     const std::function<void(QPaintDevice&)>& paint) {
  QPainter real;
  if (target != nullptr && !real.begin(target)) return {};
  OutlineDevice device(target != nullptr ? &real : nullptr, size);
  paint(device);  // begins and ends its own painter (QCustomPlot wants a QCPPainter)
  if (target != nullptr) real.end();
  return device.texts();
}

}  // namespace crisp::ui
