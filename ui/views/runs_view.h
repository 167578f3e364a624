#pragma once

#include <QWidget>

class QStandardItemModel;
class QTableView;

namespace crisp::ui {

// The table of runs read from run directories, sortable; selection overlays their curves.
class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  QTableView* table() const { return table_; }

 private:
  QStandardItemModel* model_;
  QTableView* table_;
};

}  // namespace crisp::ui
