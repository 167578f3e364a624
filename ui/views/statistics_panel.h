#pragma once

#include <QGroupBox>
#include <QList>
#include <QStringList>
#include <memory>

class QComboBox;
class QLabel;
class QStandardItemModel;
class QTableView;

namespace crisp {
struct SweepStatistics;
}

namespace crisp::ui {

// One run of the runs table as the statistics need it.
struct ListedRun {
  QString configuration;  // the table's name for it
  QString policy;         // its attention policy ("dense", "crisp:0.6", ...)
  QString path;           // its run directory
  bool selected = false;
};

// Core's sweep statistics of a folder's runs: per configuration mean and sd of the best dev
// accuracy, and the paired test of each configuration against the baseline (computed off the GUI
// thread). They cover the selected runs, or every run when none is selected; a selection without
// the baseline's runs gets them from the folder, so the paired test stays possible. The panel
// says which runs it covers, and its exports are of exactly what it shows.
class StatisticsPanel : public QGroupBox {
  Q_OBJECT
 public:
  explicit StatisticsPanel(QWidget* parent = nullptr);
  // The folder's runs in table order, the selected ones marked; the statistics follow.
  void setRuns(const QList<ListedRun>& runs);
  // The baseline configuration to compare with; empty: core's default (dense if present).
  void setBaseline(const QString& configuration);
  QTableView* table() const { return table_; }
  // Core's CSV / LaTeX of the result shown (empty before); the LaTeX says which runs it is of.
  QString csv() const;
  QString latex() const;
  // The run directories the shown statistics were computed from, and which runs they are in
  // words ("All 12 runs in the folder", "The 3 selected runs and, as the baseline, ...").
  QStringList coveredRuns() const { return shownRuns_; }
  QString scope() const { return shownScope_; }

 Q_SIGNALS:
  // New statistics are shown.
  void updated();

 private:
  void compute();
  void showStatistics(std::shared_ptr<const SweepStatistics> statistics, const QStringList& runs,
                      const QString& scope, const QString& hint);
  void fillTable(const SweepStatistics& statistics);
  void exportStatistics(bool latex);
  QList<ListedRun> runs_;
  QStandardItemModel* model_;
  QTableView* table_;
  QComboBox* baseline_;
  QLabel* note_;
  QLabel* scopeLabel_;
  QStringList shownRuns_;
  QString shownScope_;
  QString baselineChoice_;
  std::shared_ptr<const SweepStatistics> statistics_;
  int generation_ = 0;  // results of an older computation are dropped
};

}  // namespace crisp::ui
