#pragma once

#include <QWidget>

class QCustomPlot;

namespace crisp::ui {

// Training loss, dev loss and dev accuracy against step. Runs are overlaid with a legend.
class CurvesView : public QWidget {
  Q_OBJECT
 public:
  explicit CurvesView(QWidget* parent = nullptr);
  QCustomPlot* lossPlot() const { return lossPlot_; }
  QCustomPlot* accuracyPlot() const { return accuracyPlot_; }

 private:
  QCustomPlot* lossPlot_;
  QCustomPlot* accuracyPlot_;
};

}  // namespace crisp::ui
