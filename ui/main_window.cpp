#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>

#include "ui/about_dialog.h"
#include "ui/settings.h"
#include "ui/views/attention_view.h"
#include "ui/views/curves_view.h"
#include "ui/views/experiment_panel.h"
#include "ui/views/predict_view.h"
#include "ui/views/runs_view.h"

// crisp_ui is a static library: its resources must be registered explicitly, from the global
// namespace (Q_INIT_RESOURCE's requirement).
static void initCrispResources() {
  Q_INIT_RESOURCE(resources);
}

namespace crisp::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  initCrispResources();
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("Crisp Studio — embedded demo"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/crisp-studio.svg")));
  resize(1280, 800);

  tabs_ = new QTabWidget(this);
  tabs_->setObjectName(QStringLiteral("viewTabs"));
  tabs_->setDocumentMode(true);
  curves_ = new CurvesView(tabs_);
  attention_ = new AttentionView(tabs_);
  predict_ = new PredictView(tabs_);
  runs_ = new RunsView(tabs_);
  tabs_->addTab(curves_, tr("&Curves"));
  tabs_->addTab(attention_, tr("&Attention"));
  tabs_->addTab(predict_, tr("&Predict"));
  tabs_->addTab(runs_, tr("R&uns"));
  setCentralWidget(tabs_);

  auto* dock = new QDockWidget(tr("Experiment"), this);
  dock->setObjectName(QStringLiteral("experimentDock"));
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                    QDockWidget::DockWidgetClosable);
  experiment_ = new ExperimentPanel(dock);
  dock->setWidget(experiment_);
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  buildMenus();
  buildStatusBar();
  StudioSettings::restoreWindow(*this);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Crisp Studio"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar() {
  statusRun_ = new QLabel(tr("Idle — no run"), this);
  statusRun_->setObjectName(QStringLiteral("runStatus"));
  progress_ = new QProgressBar(this);
  progress_->setObjectName(QStringLiteral("runProgress"));
  progress_->setMaximumWidth(240);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  statusBar()->addWidget(statusRun_, 1);
  statusBar()->addPermanentWidget(progress_);
}

void MainWindow::showAbout() {
  AboutDialog dialog(this);
  dialog.exec();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  StudioSettings::saveWindow(*this);
  event->accept();
}

}  // namespace crisp::ui
