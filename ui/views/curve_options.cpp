#include "ui/views/curve_options.h"

#include <algorithm>

#include "ui/settings.h"

namespace crisp::ui {

double CurveOptions::key(const CurvePoint& point) const {
  switch (xAxis) {
    case XAxis::Epoch: return point.epoch;
    case XAxis::WallTime: return point.seconds;
    case XAxis::Step: break;
  }
  return static_cast<double>(point.step);
}

QString CurveOptions::xLabel() const {
  return xAxis == XAxis::Step    ? tr("step")
         : xAxis == XAxis::Epoch ? tr("epoch")
                                 : tr("wall time (s)");
}

QString CurveOptions::xText(double key) const {
  return xAxis == XAxis::Step    ? tr("step %1").arg(key, 0, 'f', 0)
         : xAxis == XAxis::Epoch ? tr("epoch %1").arg(key, 0, 'f', 3)
                                 : tr("%1 s").arg(key, 0, 'f', 1);
}

std::vector<double> CurveOptions::smooth(const std::vector<double>& losses) const {
  return smoothing == Smoothing::Ema ? emaDebiased(losses, emaPercent / 100.0)
                                     : movingAverage(losses, window);
}

QString CurveOptions::smoothingName() const {
  return smoothing == Smoothing::Ema ? tr("EMA %1").arg(emaPercent / 100.0, 0, 'f', 2)
                                     : tr("mean of %1").arg(window);
}

int CurveOptions::smoothingValue() const {
  return smoothing == Smoothing::Ema ? emaPercent : window - 1;
}

void CurveOptions::setSmoothingValue(int value) {
  if (smoothing == Smoothing::Ema) {
    emaPercent = std::clamp(value, 0, 99);
  } else {
    window = std::clamp(value + 1, 1, 200);
  }
}

CurveOptions CurveOptions::saved(SeedBandKind* seedBands) {
  const CurvesPreferences saved = StudioSettings::curves();
  CurveOptions options;
  options.emaPercent = std::clamp(saved.emaPercent, 0, 99);
  options.window = std::clamp(saved.window, 1, 200);
  options.xAxis = saved.xAxis == QLatin1String("epoch")  ? XAxis::Epoch
                  : saved.xAxis == QLatin1String("time") ? XAxis::WallTime
                                                         : XAxis::Step;
  options.smoothing =
      saved.smoothing == QLatin1String("mean") ? Smoothing::MovingAverage : Smoothing::Ema;
  *seedBands = seedBandKindFromName(saved.seedBands);
  return options;
}

void CurveOptions::save(SeedBandKind seedBands) const {
  CurvesPreferences prefs;
  prefs.xAxis = xAxis == XAxis::Step    ? QStringLiteral("step")
                : xAxis == XAxis::Epoch ? QStringLiteral("epoch")
                                        : QStringLiteral("time");
  prefs.smoothing = smoothing == Smoothing::Ema ? QStringLiteral("ema") : QStringLiteral("mean");
  prefs.emaPercent = emaPercent;
  prefs.window = window;
  prefs.seedBands = seedBandKindName(seedBands);
  StudioSettings::setCurves(prefs);
}

}  // namespace crisp::ui
