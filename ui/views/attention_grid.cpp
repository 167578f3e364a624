#include "ui/views/attention_grid.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "ui/plot_style.h"

namespace crisp::ui {
namespace {

constexpr int kLeft = 30, kTop = 18, kGap = 4, kMinCell = 14, kMaxCell = 72;

}  // namespace

AttentionGrid::AttentionGrid(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("attentionGrid"));
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionGrid::clear() {
  images_.clear();
  layers_ = heads_ = 0;
  update();
}

void AttentionGrid::setMaps(const QVector<float>& maps, int layers, int heads, int length,
                            const QVector<int>& shown) {
  layers_ = layers;
  heads_ = heads;
  images_.clear();
  QCPColorGradient gradient = viridisGradient();  // color() is not const
  const int n = static_cast<int>(shown.size());
  for (int m = 0; m < layers * heads; ++m) {
    const qsizetype base = static_cast<qsizetype>(m) * length * length;
    float top = 1e-12f;
    for (int q : shown) {
      for (int k : shown) top = std::max(top, maps[base + q * length + k]);
    }
    QImage image(std::max(n, 1), std::max(n, 1), QImage::Format_RGB32);
    image.fill(Qt::black);
    for (int qi = 0; qi < n; ++qi) {
      auto* line = reinterpret_cast<QRgb*>(image.scanLine(qi));
      for (int ki = 0; ki < n; ++ki) {
        line[ki] = gradient.color(maps[base + shown[qi] * length + shown[ki]], QCPRange(0, top));
      }
    }
    images_ << image;
  }
  updateGeometry();
  update();
}

void AttentionGrid::setSelected(int layer, int head) {
  selectedLayer_ = layer;
  selectedHead_ = head;
  update();
}

int AttentionGrid::cellSize() const {
  if (layers_ == 0 || heads_ == 0) return kMaxCell;
  const int byWidth = (width() - kLeft) / heads_ - kGap;
  const int byHeight = (height() - kTop) / layers_ - kGap;
  return std::clamp(std::min(byWidth, byHeight), kMinCell, kMaxCell);
}

QRect AttentionGrid::cellRect(int layer, int head) const {
  const int cell = cellSize();
  return QRect(kLeft + head * (cell + kGap), kTop + layer * (cell + kGap), cell, cell);
}

QSize AttentionGrid::sizeHint() const {
  const int cell = 48;
  return QSize(kLeft + std::max(heads_, 4) * (cell + kGap),
               kTop + std::max(layers_, 2) * (cell + kGap));
}

QSize AttentionGrid::minimumSizeHint() const {
  return QSize(kLeft + std::max(heads_, 1) * (kMinCell + kGap),
               kTop + std::max(layers_, 1) * (kMinCell + kGap));
}

void AttentionGrid::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.fillRect(rect(), palette().base());
  if (images_.isEmpty()) {
    painter.setPen(palette().color(QPalette::Disabled, QPalette::Text));
    painter.drawText(rect(), Qt::AlignCenter, tr("Every layer × head appears here."));
    return;
  }
  painter.setPen(palette().color(QPalette::Text));
  QFont small = font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  painter.setFont(small);
  for (int h = 0; h < heads_; ++h) {
    const QRect r = cellRect(0, h);
    painter.drawText(QRect(r.left(), 0, r.width(), kTop - 2), Qt::AlignCenter,
                     QStringLiteral("H%1").arg(h + 1));
  }
  for (int l = 0; l < layers_; ++l) {
    const QRect r = cellRect(l, 0);
    painter.drawText(QRect(0, r.top(), kLeft - 4, r.height()), Qt::AlignRight | Qt::AlignVCenter,
                     QStringLiteral("L%1").arg(l + 1));
    for (int h = 0; h < heads_; ++h) {
      painter.drawImage(cellRect(l, h), images_[l * heads_ + h]);
    }
  }
  if (selectedLayer_ >= 0 && selectedLayer_ < layers_) {
    QPen pen(QColor(214, 39, 40), 3);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    const QRect first = cellRect(selectedLayer_, selectedHead_ < 0 ? 0 : selectedHead_);
    const QRect last = cellRect(selectedLayer_, selectedHead_ < 0 ? heads_ - 1 : selectedHead_);
    painter.drawRect(first.united(last).adjusted(-2, -2, 1, 1));
  }
}

void AttentionGrid::mousePressEvent(QMouseEvent* event) {
  for (int l = 0; l < layers_; ++l) {
    for (int h = 0; h < heads_; ++h) {
      if (cellRect(l, h).contains(event->position().toPoint())) {
        setSelected(l, h);
        Q_EMIT cellClicked(l, h);
        return;
      }
    }
  }
  QWidget::mousePressEvent(event);
}

bool AttentionGrid::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    const auto* help = static_cast<QHelpEvent*>(event);
    for (int l = 0; l < layers_; ++l) {
      for (int h = 0; h < heads_; ++h) {
        if (cellRect(l, h).contains(help->pos())) {
          QToolTip::showText(help->globalPos(),
                             tr("Layer %1, head %2 — click to show it large").arg(l + 1).arg(h + 1),
                             this);
          return true;
        }
      }
    }
    QToolTip::hideText();
    return true;
  }
  return QWidget::event(event);
}

}  // namespace crisp::ui
