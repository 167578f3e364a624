#include "ui/plot_style.h"

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
