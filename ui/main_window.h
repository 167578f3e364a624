#pragma once

#include <QMainWindow>

class QLabel;
class QProgressBar;
class QTabWidget;

namespace crisp::ui {

class AttentionView;
class CurvesView;
class ExperimentPanel;
class PredictView;
class RunsView;

// The studio's window: experiment setup on the left, the views in tabs, run status below.
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  QTabWidget* views() const { return tabs_; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void buildStatusBar();
  void showAbout();

  QTabWidget* tabs_;
  ExperimentPanel* experiment_;
  CurvesView* curves_;
  AttentionView* attention_;
  PredictView* predict_;
  RunsView* runs_;
  QLabel* statusRun_ = nullptr;
  QProgressBar* progress_ = nullptr;
};

}  // namespace crisp::ui
