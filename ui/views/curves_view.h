#pragma once

#include <QWidget>

#include "ui/studio_types.h"

class QCustomPlot;
class QCPGraph;
class QCheckBox;
class QSlider;
class QLabel;

namespace crisp::ui {

// Training loss (raw and smoothed), dev loss and dev accuracy against step, with the Crisp
// Attention paper's reference accuracies as optional lines.
class CurvesView : public QWidget {
  Q_OBJECT
 public:
  explicit CurvesView(QWidget* parent = nullptr);
  QCustomPlot* lossPlot() const { return lossPlot_; }
  QCustomPlot* accuracyPlot() const { return accuracyPlot_; }
  int stepCount() const { return static_cast<int>(steps_.size()); }
  int evalCount() const { return static_cast<int>(evals_.size()); }

 public Q_SLOTS:
  void clear();
  void addStep(const crisp::ui::StepPoint& point);
  void addEval(const crisp::ui::EvalPoint& point);
  void setSmoothing(int percent);  // EMA weight 0..99 %

 private:
  void rebuildSmoothed();
  double smoothNext(double loss);  // advances the EMA by one point
  void refresh();
  QCustomPlot* lossPlot_;
  QCustomPlot* accuracyPlot_;
  QCPGraph *rawLoss_, *smoothLoss_, *devLoss_, *devAccuracy_;
  QCPGraph *paperDense_, *paperSparse_;
  QSlider* smoothing_;
  QCheckBox* references_;
  QLabel* summary_;
  std::vector<StepPoint> steps_;
  std::vector<EvalPoint> evals_;
  double smoothingWeight_ = 0.9;
  double ema_ = 0, emaWeight_ = 1;
};

}  // namespace crisp::ui
