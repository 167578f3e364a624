#pragma once

#include <QCoreApplication>
#include <QString>
#include <vector>

#include "core/train/run_curves.h"
#include "ui/views/seed_bands.h"

namespace crisp::ui {

// How the Curves tab draws runs: the x axis and the smoothing of the training loss. Remembered
// in the studio's settings, with the seed bands' choice.
struct CurveOptions {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::CurveOptions)

 public:
  enum class XAxis { Step, Epoch, WallTime };  // the x axis combo's items, in order
  enum class Smoothing { Ema, MovingAverage };

  XAxis xAxis = XAxis::Step;
  Smoothing smoothing = Smoothing::Ema;
  int emaPercent = 90;  // EMA weight in percent, 0 to 99
  int window = 20;      // moving-average window in points, 1 to 200

  double key(const CurvePoint& point) const;  // its x
  // Whether keys grow with the points: epoch and time follow steps except after a resume.
  bool keysSorted() const { return xAxis == XAxis::Step; }
  QString xLabel() const;
  QString xText(double key) const;  // "step 120", "epoch 1.500", "12.5 s"
  std::vector<double> smooth(const std::vector<double>& losses) const;
  QString smoothingName() const;  // "EMA 0.90", "mean of 20"
  // The smoothing slider's value: the EMA weight in percent, or the window minus one.
  int smoothingValue() const;
  void setSmoothingValue(int value);  // clamped to the ranges above

  // The options and seed bands saved last (the defaults at first).
  static CurveOptions saved(SeedBandKind* seedBands);
  void save(SeedBandKind seedBands) const;
};

}  // namespace crisp::ui
