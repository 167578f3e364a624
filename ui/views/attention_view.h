#pragma once

#include <QWidget>

class QCustomPlot;
class QCPColorScale;

namespace crisp::ui {

// One layer and head's attention before and after pruning, side by side on one colour scale.
class AttentionView : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionView(QWidget* parent = nullptr);
  QCustomPlot* heatmapPlot() const { return plot_; }

 private:
  QCustomPlot* plot_;
};

}  // namespace crisp::ui
