#pragma once

#include <QDeadlineTimer>
#include <QMainWindow>

#include "ui/studio_types.h"

class QLabel;
class QProgressBar;
class QTabWidget;
class QCustomPlot;

namespace crisp {
struct ExperimentConfig;
}

namespace crisp::ui {

class AttentionView;
class CurvesView;
class FigureExportQueue;
class ExperimentPanel;
class PredictView;
class RunsView;
class TrainingSession;

// The studio's window: experiment setup on the left, the views in tabs, run status below.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  QTabWidget* views() const { return tabs_; }
  TrainingSession* session() const { return session_; }
  // Starts the experiment of the form in a fresh run directory under runsRoot.
  void startTraining();
  // Continues a stopped or crashed run from its last checkpoint with its recorded experiment,
  // as `crisp resume RUN` does.
  void resumeRun(const QString& path);
  void setRunsRoot(const QString& directory);
  // Asks for another runs folder (File > Open Runs Folder, the Runs tab's Change…) and
  // remembers it.
  void chooseRunsFolder();
  // Shows a finished or old run: its curves, and its newest checkpoint for live prediction.
  void openRun(const QString& path);
  // Exports the current view's figure to `path` (format by suffix) one column or the text
  // width wide. The files are written off the GUI thread: the status bar says when they are.
  void exportCurrentFigure(const QString& path, bool twoColumns);
  // Queues the loss, accuracy and attention figures (PDF, PNG, SVG, CSV) in one paper style
  // for writing into `folder` (asked for when empty). False on cancel.
  bool exportFigureSet(QString folder = QString());
  FigureExportQueue* figureExports() const { return figureExports_; }

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void buildMenus();
  void buildStatusBar();
  void showAbout();
  void exportFigure();                         // asks for the file
  void announceExport(const QString& target);  // in the status bar, before queuing it
  void exportFigureData();
  QCustomPlot* currentPlot() const;
  void onStateChanged(RunPhase phase, const QString& detail);
  // Asks for the new place of each input of the run at `run` that is gone (a moved checkout)
  // and sets it in `config`; false when the user cancels one.
  bool locateMovedInputs(ExperimentConfig& config, const QString& run);
  void clearProgress();  // the status bar's rate, ETA and progress
  // A message in the status bar for timeoutMs (0: until replaced): its first line, losing its
  // middle (a long path's, usually) where it does not fit beside the run's rate and progress,
  // since messages end with what happened; the whole text is the status bar's tooltip meanwhile.
  // Fitted again when the bar's width changes.
  void showStatus(const QString& text, int timeoutMs = 0);
  void fitStatus();

  QTabWidget* tabs_;
  ExperimentPanel* experiment_;
  CurvesView* curves_;
  AttentionView* attention_;
  PredictView* predict_;
  RunsView* runs_;
  QLabel* statusRun_ = nullptr;
  QLabel* statusRate_ = nullptr;
  QProgressBar* progress_ = nullptr;
  TrainingSession* session_ = nullptr;
  FigureExportQueue* figureExports_ = nullptr;
  QString runsRoot_;
  QString statusText_;  // showStatus's whole message while the bar shows it
  QDeadlineTimer statusExpiry_;
};

}  // namespace crisp::ui
