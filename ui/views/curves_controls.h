#pragma once

#include <QCoreApplication>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QVBoxLayout;
class QWidget;

namespace crisp::ui {

class ElidedLabel;

// The Curves tab's controls over its plots: the x axis (its items in CurveOptions::XAxis's
// order), the smoothing's kind and amount, the paper's reference lines and the view's reset;
// under them the summary line beside the seeds' grouping (its items hold SeedBandKind). It
// builds and lays them out in the view; the view connects them and keeps their state.
class CurvesControls {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::CurvesControls)

 public:
  CurvesControls(QWidget* view, QVBoxLayout* layout);

  // The smoothing's kind: EMA (weight in percent) or moving average (window - 1), and its value.
  void showSmoothingKind(bool ema, int value);
  // The smoothing's value and how it reads beside the slider; the slider does not signal.
  void showSmoothingValue(int value, const QString& text);

  QComboBox* xAxis;
  QComboBox* smoothingKind;
  QSlider* smoothing;
  QLabel* smoothingValue;
  QCheckBox* references;
  QPushButton* reset;
  ElidedLabel* summary;
  QComboBox* seedBands;
};

}  // namespace crisp::ui
