#pragma once

#include <QStringList>
#include <QWidget>
#include <memory>

class QComboBox;
class QFileSystemWatcher;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace crisp {
struct SweepStatistics;
}

namespace crisp::ui {

// The table of runs read from the run directories under a root folder, sortable, kept up to date
// as runs appear and move on (a file watcher); activating a row opens that run (its curves and
// its model for live prediction), selecting rows overlays their curves, and Resume continues a
// stopped or crashed run from its checkpoint. Below it, core's sweep statistics: per
// configuration mean and sd of the best dev accuracy, and the paired test of each configuration
// against the baseline (computed off the GUI thread). They cover the selected runs, or every run
// when none is selected; a selection without the baseline's runs gets them from the folder, so
// the paired test stays possible. The panel says which runs it covers, and its exports are of
// exactly what it shows.
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
  // The statistics panel: its table, and core's CSV / LaTeX of the result shown (empty before).
  QTableView* statisticsTable() const { return statsTable_; }
  QString statisticsCsv() const;
  QString statisticsLatex() const;
  // The run directories the shown statistics were computed from, and which runs they are in
  // words ("All 12 runs in the folder", "The 3 selected runs and, as the baseline, ...").
  QStringList statisticsRuns() const { return shownRuns_; }
  QString statisticsScope() const;
  // The baseline configuration to compare with; empty: core's default (dense if present).
  void setBaseline(const QString& configuration);

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
  // New statistics are shown (after each refresh of the table).
  void statisticsUpdated();

 private:
  void exportTable(bool latex);
  void exportStatistics(bool latex);
  void computeStatistics();
  void showStatistics(std::shared_ptr<const SweepStatistics> statistics, const QStringList& runs,
                      const QString& scope, const QString& hint);
  QString root_;
  QLabel* folderLabel_;  // where the runs listed live, always shown
  QPushButton* resume_;  // enabled for one resumable run selected
  QStandardItemModel* model_;
  QTableView* table_;
  QStandardItemModel* statsModel_;
  QTableView* statsTable_;
  QComboBox* baseline_;
  QLabel* statsNote_;
  QLabel* statsScope_;
  QTimer* statsTimer_;           // coalesces the selection changes of one click-and-drag
  QFileSystemWatcher* watcher_;  // the root and every run directory listed
  QTimer* refreshTimer_;
  QStringList shownRuns_;
  QString shownScope_;
  QString baselineChoice_;
  std::shared_ptr<const SweepStatistics> statistics_;
  int generation_ = 0;  // results of an older computation are dropped
};

}  // namespace crisp::ui
