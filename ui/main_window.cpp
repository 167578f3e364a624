#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeyEvent>
#include <QLabel>
#include <QLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QShowEvent>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <algorithm>

#include "core/train/experiment.h"
#include "core/train/moved_inputs.h"
#include "core/train/run_directory.h"
#include "ui/about_dialog.h"
#include "ui/figure_export_queue.h"
#include "ui/plot_export.h"
#include "ui/qcp.h"
#include "ui/settings.h"
#include "ui/theme.h"
#include "ui/training_session.h"
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
  applyTheme(StudioSettings::theme());  // before any child widget is polished
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
  // Wide enough that the form's combo boxes show their choices whole; a saved layout wins.
  resizeDocks({dock}, {380}, Qt::Horizontal);

  buildMenus();
  buildStatusBar();
  // Text fields claim some Ctrl keys for editing (Ctrl+E: end of line on X11); the menus'
  // shortcuts win over them, so a shortcut does the same wherever the focus is.
  qApp->installEventFilter(this);
  StudioSettings::restoreWindow(*this);

  runsRoot_ = StudioSettings::runsRoot();
  if (runsRoot_.isEmpty() || !QFileInfo(runsRoot_).isDir()) {
    runsRoot_ = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                    .filePath(QStringLiteral("runs"));
  }
  runs_->setRoot(runsRoot_);
  predict_->setRunsRoot(runsRoot_);
  // Typed sentences in the attention view run through the Predict view's model snapshot.
  attention_->setModelSnapshot(predict_->snapshot());
  connect(runs_, &RunsView::runActivated, this, &MainWindow::openRun);
  connect(runs_, &RunsView::resumeRequested, this, &MainWindow::resumeRun);
  connect(runs_, &RunsView::changeFolderRequested, this, &MainWindow::chooseRunsFolder);
  connect(runs_, &RunsView::runsSelected, curves_, &CurvesView::setOverlayRuns);
  connect(curves_, &CurvesView::message, this, [this](const QString& text, bool isError) {
    showStatus(text, 10000);
    if (isError) QMessageBox::warning(this, tr("Crisp Studio"), text);
  });
  session_ = new TrainingSession(this);
  figureExports_ = new FigureExportQueue(this);
  connect(figureExports_, &FigureExportQueue::finished, this,
          [this](const QString& target, const QStringList& written, const QStringList& errors) {
            if (!errors.isEmpty()) {
              const QString text = tr("Export to %1 failed: %2").arg(target, errors.join('\n'));
              showStatus(text, 10000);
              QMessageBox::warning(this, tr("Export Figure"), text);
            } else if (written.size() == 1) {
              showStatus(tr("Exported %1").arg(target), 8000);
            } else {
              showStatus(tr("Wrote %1 files to %2").arg(written.size()).arg(target), 8000);
            }
          });
  connect(experiment_, &ExperimentPanel::startRequested, this, &MainWindow::startTraining);
  connect(experiment_, &ExperimentPanel::pauseRequested, session_, &TrainingSession::pause);
  connect(experiment_, &ExperimentPanel::resumeRequested, session_, &TrainingSession::resume);
  connect(experiment_, &ExperimentPanel::stopRequested, session_, &TrainingSession::stop);
  connect(session_, &TrainingSession::stepReported, curves_, &CurvesView::addStep);
  connect(session_, &TrainingSession::evaluated, curves_, &CurvesView::addEval);
  connect(session_, &TrainingSession::attentionCaptured, attention_, &AttentionView::setFrame);
  connect(session_, &TrainingSession::stateChanged, this,
          [this](RunId, RunPhase phase, const QString& detail) {
            onStateChanged(phase, detail);
            // After each evaluation the trainer writes a checkpoint and reports "running" (or
            // a final state): live prediction then follows the new weights.
            if (phase != RunPhase::Preparing) predict_->followRun(session_->runDirectory());
          });
  connect(session_, &TrainingSession::finished, this, [this](RunId, RunPhase phase) {
    onStateChanged(phase, QString());
    runs_->refresh();
  });
  connect(session_, &TrainingSession::progressed, this, [this](const ProgressInfo& p) {
    progress_->setRange(0, static_cast<int>(p.totalSteps));
    progress_->setValue(static_cast<int>(p.step));
    const int eta = static_cast<int>(p.etaSeconds + 0.5);
    statusRate_->setText(tr("step %1/%2 · %3 sentences/s · ETA %4:%5")
                             .arg(p.step)
                             .arg(p.totalSteps)
                             .arg(p.sentencesPerSecond, 0, 'f', 0)
                             .arg(eta / 60)
                             .arg(eta % 60, 2, 10, QLatin1Char('0')));
  });
  connect(session_, &TrainingSession::message, this, [this](const QString& text, bool isError) {
    showStatus(text, 10000);
    if (isError) QMessageBox::warning(this, tr("Crisp Studio"), text);
  });
}

void MainWindow::startTraining() {
  const ExperimentConfig config = experiment_->experiment();
  const QString name =
      QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-")) +
      QString::fromStdString(config.name).replace(QLatin1Char(':'), QLatin1Char('_'));
  // A new run never continues another: two starts within one second get "-2", "-3", ...
  QString directory = QDir(runsRoot_).filePath(name);
  for (int n = 2; QFileInfo::exists(directory); ++n)
    directory = QDir(runsRoot_).filePath(name + QStringLiteral("-%1").arg(n));
  clearProgress();
  curves_->clear();
  curves_->setLiveRun(QString::fromStdString(config.name), QString::fromStdString(config.policy),
                      directory, static_cast<qint64>(config.hyper.seed));
  attention_->clear();
  attention_->setPolicy(QString::fromStdString(config.policy));
  tabs_->setCurrentWidget(curves_);
  session_->start(config, directory, experiment_->processes());
}

void MainWindow::resumeRun(const QString& path) {
  if (session_->isActive()) {
    QMessageBox::information(this, tr("Resume"), tr("A run is already active; stop it first."));
    return;
  }
  ExperimentConfig config;
  int processes = 1;
  try {
    config = readRunExperiment(path.toStdString());  // what `crisp resume` continues it with
    processes = summarizeRun(path.toStdString()).worldSize;  // and on as many processes
  } catch (const std::exception& e) {
    QMessageBox::warning(this, tr("Resume"), QString::fromUtf8(e.what()));
    return;
  }
  if (!locateMovedInputs(config, path)) return;
  clearProgress();
  // The curves so far; the resumed steps follow them (and replace any after the checkpoint).
  curves_->loadRun(path);
  attention_->clear();
  attention_->setPolicy(curves_->livePolicy());
  tabs_->setCurrentWidget(curves_);
  // The trainer resumes a run directory from its newest intact checkpoint.
  session_->start(config, path, processes);
}

bool MainWindow::locateMovedInputs(ExperimentConfig& config, const QString& run) {
  // Inputs that are gone most likely moved with their checkout or mount: ask where they are
  // now. The trainer takes them only with the content the run recorded, and says so otherwise.
  for (const MissingInput& input : missingInputs(config)) {
    const QString gone = QString::fromStdString(config.*input.field);
    const QString title = tr("The run's %1 is gone from %2: where is it now?")
                              .arg(QString::fromStdString(input.description), gone);
    const QString start = QFileInfo(run).absolutePath();
    const QString found = input.directory ? QFileDialog::getExistingDirectory(this, title, start)
                                          : QFileDialog::getOpenFileName(this, title, start);
    if (found.isEmpty()) {
      showStatus(tr("Not resumed: the run's %1 is gone from %2")
                     .arg(QString::fromStdString(input.description), gone));
      return false;
    }
    config.*input.field = found.toStdString();
  }
  return true;
}

void MainWindow::setRunsRoot(const QString& directory) {
  runsRoot_ = directory;
  runs_->setRoot(directory);
  predict_->setRunsRoot(directory);
}

void MainWindow::chooseRunsFolder() {
  const QString folder = QFileDialog::getExistingDirectory(
      this, tr("Runs folder (e.g. a crisp sweep --out)"), runsRoot_);
  if (folder.isEmpty()) return;
  setRunsRoot(folder);
  StudioSettings::setRunsRoot(folder);
  views()->setCurrentWidget(runs_);
}

void MainWindow::openRun(const QString& path) {
  if (!curves_->loadRun(path)) return;
  attention_->setPolicy(curves_->livePolicy());
  clearProgress();  // the progress shown was another run's
  predict_->followRun(path);
  tabs_->setCurrentWidget(curves_);
  statusRun_->setText(tr("opened %1").arg(path));
}

void MainWindow::clearProgress() {
  statusRate_->clear();
  progress_->setRange(0, 1);
  progress_->setValue(0);
}

void MainWindow::onStateChanged(RunPhase phase, const QString& detail) {
  experiment_->setRunState(phase);
  runs_->setTrainingActive(session_->isActive());
  curves_->setLiveRunState(phaseName(phase));
  // A rate and an ETA hold only while a run trains.
  if (phase != RunPhase::Running && phase != RunPhase::Preparing) statusRate_->clear();
  const QString state = phaseName(phase);
  statusRun_->setText(detail.isEmpty() ? state : tr("%1 — %2").arg(state, detail));
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* openRuns =
      file->addAction(tr("Open &Runs Folder…"), this, &MainWindow::chooseRunsFolder);
  openRuns->setObjectName(QStringLiteral("openRunsFolderAction"));
  openRuns->setShortcut(QKeySequence(QStringLiteral("Ctrl+O")));
  openRuns->setToolTip(tr("List the runs of another folder, e.g. the root of a sweep"));
  file->addSeparator();
  QAction* exportFigure = file->addAction(tr("&Export Figure…"), this, &MainWindow::exportFigure);
  exportFigure->setObjectName(QStringLiteral("exportFigureAction"));
  exportFigure->setShortcut(QKeySequence(QStringLiteral("Ctrl+E")));
  file->addAction(tr("Export Figure &Data (CSV)…"), this, &MainWindow::exportFigureData);
  QAction* figureSet =
      file->addAction(tr("Export Figure &Set…"), this, [this] { exportFigureSet(); });
  figureSet->setObjectName(QStringLiteral("exportFigureSetAction"));
  figureSet->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+E")));
  figureSet->setToolTip(tr("Loss, accuracy and before/after attention figures for a paper"));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* training = menuBar()->addMenu(tr("&Training"));
  training->addActions(experiment_->runActions());

  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
  QMenu* theme = view->addMenu(tr("&Theme"));
  auto* themes = new QActionGroup(theme);
  for (const auto& [name, label] : {std::pair{QStringLiteral("light"), tr("&Light")},
                                    std::pair{QStringLiteral("dark"), tr("&Dark")}}) {
    QAction* action = theme->addAction(label, this, [name = name] {
      applyTheme(name);
      StudioSettings::setTheme(name);
    });
    action->setCheckable(true);
    action->setChecked(StudioSettings::theme() == name);
    action->setObjectName(QStringLiteral("theme-") + name);
    themes->addAction(action);
  }

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Crisp Studio"), this, &MainWindow::showAbout);
}

void MainWindow::buildStatusBar() {
  statusRun_ = new QLabel(tr("Idle — no run"), this);
  statusRun_->setObjectName(QStringLiteral("runStatus"));
  progress_ = new QProgressBar(this);
  progress_->setObjectName(QStringLiteral("runProgress"));
  progress_->setFixedWidth(200);  // fixed, like the rate's room: messages are fitted beside them
  progress_->setRange(0, 1);
  progress_->setValue(0);
  progress_->setTextVisible(true);
  statusRate_ = new QLabel(this);
  statusRate_->setObjectName(QStringLiteral("runRate"));
  // As wide as a long rate line from the start, so that the bar does not jump as a run begins
  // and messages shown before it are fitted to the room that stays left (showStatus).
  statusRate_->setFixedWidth(
      statusRate_->fontMetrics().horizontalAdvance(tr("step %1/%2 · %3 sentences/s · ETA %4:%5")
                                                       .arg(99999)
                                                       .arg(99999)
                                                       .arg(9999)
                                                       .arg(99)
                                                       .arg(99)));
  statusRate_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  statusBar()->addWidget(statusRun_, 1);
  statusBar()->addPermanentWidget(statusRate_);
  statusBar()->addPermanentWidget(progress_);
  connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString& message) {
    if (!message.isEmpty()) return;
    statusText_.clear();
    statusBar()->setToolTip(QString());
  });
  statusBar()->installEventFilter(this);  // its resizes fit the message again
}

void MainWindow::showStatus(const QString& text, int timeoutMs) {
  statusText_ = text;
  statusExpiry_ =
      timeoutMs > 0 ? QDeadlineTimer(timeoutMs) : QDeadlineTimer(QDeadlineTimer::Forever);
  fitStatus();
}

void MainWindow::fitStatus() {
  if (statusText_.isEmpty()) return;
  QStatusBar* bar = statusBar();
  if (bar->layout() != nullptr) bar->layout()->activate();  // the widgets where they will be
  // The message is painted from the bar's left edge up to its first permanent widget.
  int right = bar->width();
  for (const QWidget* permanent :
       {static_cast<QWidget*>(statusRate_), static_cast<QWidget*>(progress_)}) {
    if (permanent->isVisible() && permanent->geometry().left() > 0) {
      right = std::min(right, permanent->geometry().left());
    }
  }
  const int room = right - 16;  // the bar's margins
  const QString line = statusText_.section(QLatin1Char('\n'), 0, 0);
  const QString shown = bar->fontMetrics().elidedText(line, Qt::ElideMiddle, std::max(room, 160));
  bar->setToolTip(shown != statusText_ ? statusText_ : QString());
  const int remaining = statusExpiry_.isForever()
                            ? 0
                            : static_cast<int>(std::max<qint64>(1, statusExpiry_.remainingTime()));
  bar->showMessage(shown, remaining);
}

QCustomPlot* MainWindow::currentPlot() const {
  if (tabs_->currentWidget() == attention_) return attention_->heatmapPlot();
  if (tabs_->currentWidget() == curves_) {
    return curves_->accuracyPlot()->hasFocus() ? curves_->accuracyPlot() : curves_->lossPlot();
  }
  return nullptr;
}

void MainWindow::exportFigure() {
  QCustomPlot* plot = currentPlot();
  if (plot == nullptr) {
    QMessageBox::information(this, tr("Export Figure"),
                             tr("Open the Curves or Attention view to export its figure."));
    return;
  }
  // The filter chosen sets the width: one column (3.5 in) or the text width (7 in).
  const QString one = tr("one column, 3.5 in"), two = tr("two columns, 7 in");
  const QStringList filters{
      tr("PDF, %1 (*.pdf)").arg(one),         tr("PDF, %1 (*.pdf)").arg(two),
      tr("SVG, %1 (*.svg)").arg(one),         tr("SVG, %1 (*.svg)").arg(two),
      tr("PNG 300 dpi, %1 (*.png)").arg(one), tr("PNG 300 dpi, %1 (*.png)").arg(two)};
  const bool heatmaps = plot == attention_->heatmapPlot();
  QString filter = filters[heatmaps ? 1 : 0];
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export Figure"), QDir::home().filePath(plot->objectName() + QStringLiteral(".pdf")),
      filters.join(QStringLiteral(";;")), &filter);
  if (path.isEmpty()) return;
  exportCurrentFigure(path, filter.contains(two));
}

void MainWindow::exportCurrentFigure(const QString& path, bool twoColumns) {
  QCustomPlot* plot = currentPlot();
  if (plot == nullptr) return;
  const bool heatmaps = plot == attention_->heatmapPlot();
  const QSize size = heatmaps ? (twoColumns ? kDoubleColumnHeatmap : kSingleColumnHeatmap)
                              : (twoColumns ? kDoubleColumnFigure : kSingleColumnFigure);
  announceExport(path);
  figureExports_->exportFigure(*plot, path, size, 300);
}

void MainWindow::announceExport(const QString& target) {
  showStatus(figureExports_->pending() > 0
                 ? tr("Exporting to %1 after the export under way…").arg(target)
                 : tr("Exporting to %1…").arg(target));
}

void MainWindow::exportFigureData() {
  QCustomPlot* plot = currentPlot();
  if (plot == nullptr || plot == attention_->heatmapPlot()) {
    QMessageBox::information(this, tr("Export Figure Data"),
                             tr("Open the Curves view to export its data."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export Figure Data"),
      QDir::home().filePath(plot->objectName() + QStringLiteral(".csv")), tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  const QString error = exportPlotData(*plot, path);
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Export Figure Data"), error);
}

bool MainWindow::exportFigureSet(QString folder) {
  if (folder.isEmpty()) {
    folder = QFileDialog::getExistingDirectory(this, tr("Export Figure Set — choose a folder"),
                                               QDir::homePath());
    if (folder.isEmpty()) return false;
  }
  // Curves one column wide, the before/after heatmaps across both columns, and where runs of
  // several seeds are drawn, their comparison across seeds (mean and band).
  const QList<FigureSpec> figures{
      {curves_->lossPlot(), QStringLiteral("loss"), kSingleColumnFigure},
      {curves_->accuracyPlot(), QStringLiteral("accuracy"), kSingleColumnFigure},
      {attention_->heatmapPlot(), QStringLiteral("attention"), kDoubleColumnHeatmap},
      {curves_->seedComparisonPlot(), QStringLiteral("seeds"), kSingleColumnFigure}};
  announceExport(folder);
  figureExports_->exportFigureSet(figures, folder);
  return true;
}

void MainWindow::showAbout() {
  AboutDialog dialog(this);
  dialog.exec();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  if (watched == statusBar() && event->type() == QEvent::Resize && !statusText_.isEmpty()) {
    QTimer::singleShot(0, this, &MainWindow::fitStatus);  // once the bar's layout has followed
  }
  if (event->type() == QEvent::ShortcutOverride) {
    const QKeySequence pressed(static_cast<QKeyEvent*>(event)->keyCombination());
    for (const QMenu* menu : menuBar()->findChildren<QMenu*>()) {
      for (const QAction* action : menu->actions()) {
        // Filtered, the event stays unaccepted: no field overrides the shortcut.
        if (action->isEnabled() && action->shortcut() == pressed) return true;
      }
    }
  }
  // Without a window manager (Xvfb, a kiosk), X hands the focus of a closed dialog to the root
  // window: the studio takes it back, or no shortcut works until a click.
  if (event->type() == QEvent::Hide && watched->isWidgetType()) {
    const auto* widget = static_cast<QWidget*>(watched);
    if (widget != this && widget->isWindow() && widget->isModal() && isVisible()) {
      QTimer::singleShot(0, this, [this] {
        if (QApplication::activeModalWidget() == nullptr) activateWindow();
      });
    }
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  // Nor does anything but a window manager give a new window the keyboard focus: without one,
  // its shortcuts (Ctrl+E on the Curves tab) did nothing until a click.
  if (!event->spontaneous()) activateWindow();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  StudioSettings::saveWindow(*this);
  if (session_->isActive()) {
    statusRun_->setText(tr("stopping — writing a final checkpoint"));
    session_->stop();
    // The current step finishes, then the checkpoint is written (a run of several processes:
    // within ProcessRun::kStopGraceMs, else its processes are killed).
    session_->wait();
  }
  event->accept();
}

}  // namespace crisp::ui
