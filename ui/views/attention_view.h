#pragma once

#include <QMap>
#include <QWidget>

#include "ui/studio_types.h"

class QCustomPlot;
class QCPColorMap;
class QComboBox;
class QCheckBox;
class QLabel;

namespace crisp::ui {

// One layer and head's attention before and after pruning, side by side on one colour scale,
// tokens as axis labels; follows the probe sentences as training goes on.
class AttentionView : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionView(QWidget* parent = nullptr);
  QCustomPlot* heatmapPlot() const { return plot_; }
  // The matrices shown now ([query][key], after the head choice and token filter).
  QVector<QVector<double>> shownBefore() const { return shownBefore_; }
  QVector<QVector<double>> shownAfter() const { return shownAfter_; }

 public Q_SLOTS:
  void setFrame(const crisp::ui::AttentionFrame& frame);
  void clear();

 private:
  void redraw();
  QCustomPlot* plot_;
  QCPColorMap *beforeMap_, *afterMap_;
  QComboBox *sentence_, *layer_, *head_;
  QCheckBox* hideSpecial_;
  QLabel* caption_;
  QMap<QString, AttentionFrame> frames_;  // the latest frame per sentence
  QVector<QVector<double>> shownBefore_, shownAfter_;
};

}  // namespace crisp::ui
