#pragma once

#include <QVector>
#include <QWidget>

#include "ui/studio_types.h"

class QCustomPlot;
class QCPColorMap;
class QLabel;

namespace crisp::ui {

// The learned DAM mask (SparseBERT's Differentiable Attention Mask) of the attention view's
// frame: the keep probability σ(α) of each (query, key) pair of the shown tokens, and beside it
// how many pairs the mask keeps. Without a mask in the frame it says how to train one.
class DamMaskPanel : public QWidget {
  Q_OBJECT
 public:
  explicit DamMaskPanel(QWidget* parent = nullptr);
  QCustomPlot* plot() const { return plot_; }
  QString summary() const;
  // The mask of one layer: a head, or (any negative head) the mean over its heads.
  void setFrame(const AttentionFrame& f, int layer, int head, const QVector<int>& shown);
  void clear();

 private:
  QLabel *note_, *summary_;
  QCustomPlot* plot_;
  QCPColorMap* map_;
};

}  // namespace crisp::ui
