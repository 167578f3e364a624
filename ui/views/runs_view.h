#pragma once

#include <QStringList>
#include <QWidget>

class QFileSystemWatcher;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace crisp::ui {

class StatisticsPanel;

// The table of runs read from the run directories under a root folder, sortable, kept up to date
// as runs appear and move on (a file watcher); activating a row opens that run (its curves and
// its model for live prediction), selecting rows overlays their curves, and Resume continues a
// stopped or crashed run from its checkpoint. Below it, the StatisticsPanel: core's sweep
// statistics of the selected runs (every run when none is selected), fed by this table.
class RunsView : public QWidget {
  Q_OBJECT
 public:
  explicit RunsView(QWidget* parent = nullptr);
  QTableView* table() const { return table_; }
  // The run directories of the selected rows, in table order.
  QStringList selectedRuns() const;
  // The selected run when it is the only one and can be resumed (RunSummary::resumable).
  QString resumableRun() const;
  void setRoot(const QString& root);
  // The table as CSV or as a LaTeX tabular (booktabs), for papers.
  QString toCsv() const;
  QString toLatex() const;
  // The statistics panel under the table, and its parts (see StatisticsPanel).
  StatisticsPanel* statisticsPanel() const { return statistics_; }
  QTableView* statisticsTable() const;
  QString statisticsCsv() const;
  QString statisticsLatex() const;
  QStringList statisticsRuns() const;
  QString statisticsScope() const;
  void setBaseline(const QString& configuration);
  // Whether the studio trains a run now (running or paused): then no other run can be resumed,
  // and Resume says why.
  void setTrainingActive(bool active);

 public Q_SLOTS:
  void refresh();

 Q_SIGNALS:
  void runActivated(const QString& path);
  // Resume (the button, or the row's context menu) on a resumable run.
  void resumeRequested(const QString& path);
  // The "Change…" button beside the folder: the main window asks for another folder.
  void changeFolderRequested();
  // The selection changed: these runs are to be overlaid in the curves view.
  void runsSelected(const QStringList& paths);
  // New statistics are shown (after each refresh of the table or change of selection).
  void statisticsUpdated();

 private:
  void updateResume();
  void exportTable(bool latex);
  // The table's runs and its selection, to the statistics panel.
  void updateStatistics();
  QString root_;
  QLabel* folderLabel_;  // where the runs listed live, always shown
  QPushButton* resume_;  // enabled for one resumable run selected, while none trains
  bool trainingActive_ = false;
  QStandardItemModel* model_;
  QTableView* table_;
  StatisticsPanel* statistics_;
  QTimer* statisticsTimer_;      // coalesces the selection changes of one click-and-drag
  QFileSystemWatcher* watcher_;  // the root and every run directory listed
  QTimer* refreshTimer_;
};

}  // namespace crisp::ui
