#pragma once

#include <QWidget>

class QStandardItemModel;
class QTableView;

namespace crisp::ui {

// The table of runs read from the run directories under a root folder, sortable; activating a
// row opens that run (its curves and its model for live prediction).
class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  QTableView* table() const { return table_; }
  void setRoot(const QString& root);
  // The table as CSV or as a LaTeX tabular (booktabs), for papers.
  QString toCsv() const;
  QString toLatex() const;

 public Q_SLOTS:
  void refresh();

 Q_SIGNALS:
  void runActivated(const QString& path);

 private:
  void exportTable(bool latex);
  QString root_;
  QStandardItemModel* model_;
  QTableView* table_;
};

}  // namespace crisp::ui
