#pragma once

#include <QTabWidget>
#include <QVector>

#include "ui/studio_types.h"

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace crisp::ui {

class AttentionGrid;
class DamMaskPanel;
class HeadStatisticsModel;

// The tabs under the attention heatmaps: every layer × head as thumbnails, core's statistics of
// every head (HeadStatisticsModel) and the learned DAM mask (DamMaskPanel). Clicking a
// thumbnail or a statistics row chooses that head.
class AttentionDetails : public QTabWidget {
  Q_OBJECT
 public:
  explicit AttentionDetails(QWidget* parent = nullptr);
  AttentionGrid* grid() const { return grid_; }
  QTableView* statisticsTable() const { return statsTable_; }
  DamMaskPanel* damMask() const { return dam_; }
  // The frame with the layer and head chosen above (a head, or the view's mean or rollout) and
  // the token indices it shows.
  void setFrame(const AttentionFrame& f, int layer, int head, const QVector<int>& shown);
  void clear();

 Q_SIGNALS:
  void headChosen(int layer, int head);

 private:
  void showGrid();
  QComboBox* gridSource_;
  AttentionGrid* grid_;
  HeadStatisticsModel* stats_;
  QSortFilterProxyModel* statsSorted_;
  QTableView* statsTable_;
  QLabel* statsNote_;
  DamMaskPanel* dam_;
  AttentionFrame frame_;  // what the thumbnails show, again when their source changes
  QVector<int> shown_;
};

}  // namespace crisp::ui
