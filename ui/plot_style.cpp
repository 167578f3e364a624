#include "ui/plot_style.h"

#include <QEvent>
#include <QPalette>
#include <algorithm>
#include <cmath>

namespace crisp::ui {

QCPColorGradient viridisGradient() {
  // Stops sampled from matplotlib's viridis at 0, 1/8, ..., 1.
  static const QColor stops[] = {QColor(68, 1, 84),    QColor(71, 44, 122),  QColor(59, 81, 139),
                                 QColor(44, 113, 142), QColor(33, 144, 141), QColor(39, 173, 129),
                                 QColor(92, 200, 99),  QColor(170, 220, 50), QColor(253, 231, 37)};
  QCPColorGradient gradient;
  gradient.clearColorStops();
  constexpr int kCount = sizeof(stops) / sizeof(stops[0]);
  for (int i = 0; i < kCount; ++i) gradient.setColorStopAt(double(i) / (kCount - 1), stops[i]);
  gradient.setColorInterpolation(QCPColorGradient::ciRGB);
  return gradient;
}

}  // namespace crisp::ui

namespace crisp::ui {
namespace {

double lightness(const QColor& c) {
  return (c.red() + c.green() + c.blue()) / 3.0;
}

bool isGrey(const QColor& c) {
  const int high = std::max({c.red(), c.green(), c.blue()});
  const int low = std::min({c.red(), c.green(), c.blue()});
  return high - low <= 8;
}

// Redraws its plot's frame when its palette changes (the theme switched).
class ThemeFollower : public QObject {
 public:
  explicit ThemeFollower(QCustomPlot& plot) : QObject(&plot), plot_(plot) {
    plot.installEventFilter(this);
  }
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == &plot_ && event->type() == QEvent::PaletteChange) {
      applyPlotColours(plot_, PlotColours::fromPalette(plot_.palette()));
      plot_.replot(QCustomPlot::rpQueuedReplot);
    }
    return false;
  }

 private:
  QCustomPlot& plot_;
};

}  // namespace

PlotColours PlotColours::paper() {
  return {Qt::white, Qt::black};
}

PlotColours PlotColours::fromPalette(const QPalette& palette) {
  return {palette.color(QPalette::Base), palette.color(QPalette::Text)};
}

QColor PlotColours::ink(double strength, int alpha) const {
  const auto mix = [strength](int from, int to) { return qRound(from + strength * (to - from)); };
  return QColor(mix(background.red(), foreground.red()),
                mix(background.green(), foreground.green()),
                mix(background.blue(), foreground.blue()), alpha);
}

QColor PlotColours::translated(const QColor& colour, const PlotColours& other) const {
  const double span = lightness(foreground) - lightness(background);
  if (!isGrey(colour) || std::abs(span) < 1) return colour;
  const double strength = std::clamp((lightness(colour) - lightness(background)) / span, 0.0, 1.0);
  return other.ink(strength, colour.alpha());
}

QColor slotColour(int slot, const PlotColours& colours) {
  static const double kDenseInks[] = {0.92, 0.57, 0.35};
  if (slot < 0) return colours.ink(kDenseInks[(-1 - slot) % std::size(kDenseInks)]);
  return kOkabeIto[slot % std::size(kOkabeIto)];
}

void applyPlotColours(QCustomPlot& plot, const PlotColours& colours) {
  const QColor& text = colours.foreground;
  plot.setBackground(colours.background);
  const auto paint = [&](QCPAxis* axis) {
    axis->setBasePen(QPen(text, 0, Qt::SolidLine, Qt::SquareCap));
    axis->setTickPen(QPen(text, 0));
    axis->setSubTickPen(QPen(text, 0));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    // QCustomPlot's own greys (200 and 220 on white), as strong on any background.
    axis->grid()->setPen(QPen(colours.ink(0.22), 0, Qt::DotLine));
    axis->grid()->setSubGridPen(QPen(colours.ink(0.14), 0, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(colours.ink(0.22), 0));
  };
  for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
    if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
      for (QCPAxis* axis : rect->axes()) paint(axis);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
      paint(scale->axis());
    } else if (auto* title = qobject_cast<QCPTextElement*>(element)) {
      title->setTextColor(text);
    }
  }
  if (QCPLegend* legend = plot.legend) {
    QColor behind = colours.background;
    behind.setAlpha(210);  // the curves show through a little
    legend->setBrush(behind);
    legend->setBorderPen(QPen(colours.ink(0.25)));
    legend->setTextColor(text);  // and its items'
  }
}

void followTheme(QCustomPlot& plot) {
  applyPlotColours(plot, PlotColours::fromPalette(plot.palette()));
  new ThemeFollower(plot);
}

}  // namespace crisp::ui
