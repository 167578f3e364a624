#include "ui/qcp.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyle>
#include <QStyleOptionButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "ui/about_dialog.h"
#include "ui/figure_export_queue.h"
#include "ui/main_window.h"
#include "ui/plot_export.h"
#include "ui/settings.h"
#include "ui/training_session.h"
#include "ui/views/curves_view.h"
#include "ui/views/experiment_panel.h"
#include "ui/views/runs_view.h"

using crisp::ui::MainWindow;

namespace {

// Closes whatever modal dialog an action opens (a file dialog, a message box) until destroyed.
class ModalCloser {
 public:
  ModalCloser() {
    QObject::connect(&timer_, &QTimer::timeout, [this] {
      if (QWidget* modal = QApplication::activeModalWidget()) {
        modal->close();
        ++closed_;
      }
    });
    timer_.start(20);
  }
  int closed() const { return closed_; }

 private:
  QTimer timer_;
  int closed_ = 0;
};

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("CrispStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
    QSettings().clear();
  }

  void showsThePlannedAreas() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTabWidget* tabs = window.views();
    QCOMPARE(tabs->count(), 4);
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i) names << tabs->widget(i)->objectName();
    QCOMPARE(names, (QStringList{QStringLiteral("curvesView"), QStringLiteral("attentionView"),
                                 QStringLiteral("predictView"), QStringLiteral("runsView")}));
    QVERIFY(window.findChild<QDockWidget*>(QStringLiteral("experimentDock")));
    QVERIFY(window.findChild<QWidget*>(QStringLiteral("experimentPanel"))->isVisible());
    QVERIFY(window.findChild<QProgressBar*>(QStringLiteral("runProgress")));
    QVERIFY(window.findChild<QCustomPlot*>(QStringLiteral("lossPlot")));
    QVERIFY(window.findChild<QCustomPlot*>(QStringLiteral("attentionPlot")));
    QCOMPARE(window.findChild<QTableView*>(QStringLiteral("runsTable"))->model()->columnCount(), 8);
    QVERIFY(window.menuBar()->actions().size() >= 3);
  }

  void attentionViewSharesOneColourScale() {
    MainWindow window;
    auto* plot = window.findChild<QCustomPlot*>(QStringLiteral("attentionPlot"));
    QCOMPARE(plot->axisRects().size(), 2);
    QCOMPARE(plot->plottableCount(), 2);
    auto* before = qobject_cast<QCPColorMap*>(plot->plottable(0));
    auto* after = qobject_cast<QCPColorMap*>(plot->plottable(1));
    QVERIFY(before && after);
    QVERIFY(before->colorScale() != nullptr);
    QCOMPARE(before->colorScale(), after->colorScale());
  }

  void windowFitsSmallScreens() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTabWidget* tabs = window.views();
    for (int i = 0; i < tabs->count(); ++i) {
      QWidget* w = tabs->widget(i);
      QVERIFY2(w->minimumSizeHint().width() <= 700,
               qPrintable(QStringLiteral("%1 needs %2 px")
                              .arg(w->objectName())
                              .arg(w->minimumSizeHint().width())));
    }
    QVERIFY2(window.minimumSizeHint().width() <= 1024,
             qPrintable(QString::number(window.minimumSizeHint().width())));
  }

  void remembersWindowLayout() {
    QByteArray saved;
    {
      MainWindow window;
      window.resize(1100, 700);
      window.show();
      QVERIFY(QTest::qWaitForWindowExposed(&window));
      window.findChild<QDockWidget*>(QStringLiteral("experimentDock"))->hide();
      window.close();
    }
    MainWindow restored;
    restored.show();
    QVERIFY(QTest::qWaitForWindowExposed(&restored));
    // Window managers may round the frame by a pixel or two.
    QVERIFY2(qAbs(restored.width() - 1100) <= 4 && qAbs(restored.height() - 700) <= 4,
             qPrintable(QStringLiteral("%1x%2").arg(restored.width()).arg(restored.height())));
    QVERIFY(!restored.findChild<QDockWidget*>(QStringLiteral("experimentDock"))->isVisible());
    QSettings().clear();
  }

  void threadSettingRoundTrips() {
    crisp::ui::StudioSettings::setThreads(3);
    QCOMPARE(crisp::ui::StudioSettings::threads(), std::optional<int>(3));
    crisp::ui::StudioSettings::setThreads(std::nullopt);
    QCOMPARE(crisp::ui::StudioSettings::threads(), std::optional<int>());
  }

  // A runs folder chosen once (File > Open Runs Folder, or a sweep's --out) is listed again at
  // the next start.
  void listsTheRememberedRunsFolder() {
    QTemporaryDir root;
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("alpha-seed5")));
    QFile config(root.filePath(QStringLiteral("alpha-seed5/config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"experiment": {"name": "alpha", "hyperparameters": {"seed": 5}},
                     "policy": "crisp:0.8"})");
    config.close();
    crisp::ui::StudioSettings::setRunsRoot(root.path());
    MainWindow window;
    auto* table = window.findChild<crisp::ui::RunsView*>()->table();
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, 0).data().toString(), QStringLiteral("alpha"));
    QVERIFY(window.findChild<QAction*>(QStringLiteral("openRunsFolderAction")) != nullptr);
    // The folder is shown on the Runs tab, beside its Change… button.
    auto* folder = window.findChild<QLabel*>(QStringLiteral("runsFolderLabel"));
    QVERIFY(folder != nullptr);
    QVERIFY2(folder->text().contains(QDir::toNativeSeparators(root.path())),
             qPrintable(folder->text()));
    QVERIFY(window.findChild<QPushButton*>(QStringLiteral("changeRunsFolderButton")) != nullptr);
    QTemporaryDir other;
    window.setRunsRoot(other.path());
    QVERIFY(folder->text().contains(QDir::toNativeSeparators(other.path())));
    QCOMPARE(table->model()->rowCount(), 0);
    crisp::ui::StudioSettings::setRunsRoot(QString());
  }

  // Pause/Resume's shortcut works every time, not only until its button is relabelled, and
  // whatever has the focus.
  void pauseShortcutWorksEveryTime() {
    MainWindow window;
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto* panel = window.findChild<crisp::ui::ExperimentPanel*>();
    QSignalSpy pauses(panel, &crisp::ui::ExperimentPanel::pauseRequested);
    QSignalSpy resumes(panel, &crisp::ui::ExperimentPanel::resumeRequested);
    auto* predict = window.findChild<QLineEdit*>(QStringLiteral("predictInput"));
    window.views()->setCurrentWidget(predict->parentWidget());
    predict->setFocus();
    for (int round = 1; round <= 2; ++round) {
      panel->setRunState(crisp::ui::RunPhase::Running);
      QTest::keyClick(predict, Qt::Key_P, Qt::ControlModifier);
      QCOMPARE(pauses.count(), round);
      panel->setRunState(crisp::ui::RunPhase::Paused);
      QCOMPARE(window.findChild<QPushButton*>(QStringLiteral("pauseButton"))->text(),
               QStringLiteral("Resume"));
      QTest::keyClick(predict, Qt::Key_P, Qt::ControlModifier);
      QCOMPARE(resumes.count(), round);
    }
    QVERIFY(window.findChild<QAction*>(QStringLiteral("pauseAction"))->isEnabled());
  }

  // A text field does not swallow the menus' shortcuts: Ctrl+E in a line edit exports (it used
  // to move the cursor to the end of the line, and the path typed next landed in the field).
  void textFieldsDoNotSwallowShortcuts() {
    MainWindow window;
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto* exportFigure = window.findChild<QAction*>(QStringLiteral("exportFigureAction"));
    QSignalSpy exported(exportFigure, &QAction::triggered);
    auto* predict = window.findChild<QLineEdit*>(QStringLiteral("predictInput"));
    window.views()->setCurrentWidget(predict->parentWidget());
    predict->setFocus();
    predict->setText(QStringLiteral("the film"));
    predict->setCursorPosition(0);
    {
      ModalCloser closer;
      QTest::keyClick(predict, Qt::Key_E, Qt::ControlModifier);
      QCOMPARE(exported.count(), 1);
      QCOMPARE(predict->cursorPosition(), 0);  // the field did not take the key
    }
    auto* rate = window.findChild<QLineEdit*>(QStringLiteral("learningRateEdit"));
    QVERIFY(rate != nullptr);
    window.views()->setCurrentIndex(0);
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    rate->setFocus();
    ModalCloser closer;
    QTest::keyClick(rate, Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(exported.count(), 2);
    // The Curves tab with a plot focused, where figures are exported from. (A window that never
    // got the keyboard focus, as under Xvfb, is test_studio_x11's
    // shortcutsWorkWithoutAWindowManager: this platform activates every window shown.)
    auto* loss = window.findChild<QCustomPlot*>(QStringLiteral("lossPlot"));
    QApplication::setActiveWindow(&window);  // back from the dialog
    QVERIFY(QTest::qWaitForWindowActive(&window));
    loss->setFocus();
    QTest::keyClick(loss, Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(exported.count(), 3);
  }

  // Figures are written off the GUI thread: the call returns before the files are written, the
  // event loop runs meanwhile, and the status bar says when they are done or failed, naming
  // them. An export asked for while one runs waits its turn.
  void figureExportLeavesTheGuiResponsive() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* curves = window.findChild<crisp::ui::CurvesView*>();
    for (int s = 1; s <= 2000; ++s) curves->addStep({s, s / 500.0, 1.0 / s + 0.1, 1e-3, s * 0.1});
    QSignalSpy done(window.figureExports(), &crisp::ui::FigureExportQueue::finished);
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("figures"));
    const QString last = QDir(folder).filePath(QStringLiteral("attention.csv"));  // written last
    QVERIFY(window.exportFigureSet(folder));
    QVERIFY2(!QFileInfo::exists(last), "the export blocked until the files were written");
    QVERIFY(window.statusBar()->currentMessage().contains(folder));
    int ticksWhileWriting = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, [&] { ticksWhileWriting += !QFileInfo::exists(last); });
    ticker.start(1);
    QVERIFY(done.wait(30000));
    QVERIFY(ticksWhileWriting > 0);
    QCOMPARE(window.statusBar()->currentMessage(),
             QStringLiteral("Wrote 12 files to %1").arg(folder));
    const QImage png(QDir(folder).filePath(QStringLiteral("loss.png")));
    QCOMPARE(png.size(), crisp::ui::kSingleColumnFigure * 300 / 72);

    ModalCloser closer;  // the failure's message box
    const QString one = dir.filePath(QStringLiteral("one.png"));
    const QString bad = QStringLiteral("/nonexistent/folder/two.png");
    window.exportCurrentFigure(one, false);
    window.exportCurrentFigure(bad, true);
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("after the export")));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 30000);
    QCOMPARE(done.at(1).at(0).toString(), one);
    QCOMPARE(QImage(one).size(), crisp::ui::kSingleColumnFigure * 300 / 72);
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("failed")));
    QVERIFY(window.statusBar()->currentMessage().contains(bad));
    QTRY_COMPARE(closer.closed(), 1);
  }

  // Plots on screen follow the theme when it changes (background, axes, tick labels, legend),
  // check boxes show on the dark one, and an exported figure stays black on white.
  void plotsFollowTheThemeFiguresDoNot() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QList<QCustomPlot*> plots = window.findChildren<QCustomPlot*>();
    QVERIFY(plots.size() >= 3);  // loss, accuracy, attention (and the learned mask)
    auto* loss = window.findChild<QCustomPlot*>(QStringLiteral("lossPlot"));
    auto* curves = window.findChild<crisp::ui::CurvesView*>();
    for (int s = 1; s <= 200; ++s) curves->addStep({s, s / 100.0, 1.0 / s + 0.1, 1e-3, s * 0.1});
    const auto backgroundOf = [](QCustomPlot* plot) {
      return plot->toPixmap(120, 90).toImage().pixelColor(1, 1);
    };
    for (const QString theme : {"dark", "light"}) {
      window.findChild<QAction*>(QStringLiteral("theme-") + theme)->trigger();
      QCoreApplication::processEvents();  // the top-level window takes the palette late
      const QColor base = QApplication::palette().color(QPalette::Base);
      const QColor text = QApplication::palette().color(QPalette::Text);
      QCOMPARE(base.lightness() < 128, theme == QLatin1String("dark"));
      for (QCustomPlot* plot : plots) {
        const QString name = plot->objectName() + QLatin1Char(' ') + theme;
        QVERIFY2(backgroundOf(plot) == base,
                 qPrintable(name + QLatin1Char(' ') + backgroundOf(plot).name()));
        QCPAxis* x = plot->axisRect()->axis(QCPAxis::atBottom);
        QVERIFY2(x->basePen().color() == text, qPrintable(name));
        QVERIFY2(x->tickLabelColor() == text, qPrintable(name));
        if (plot->legend != nullptr) QVERIFY2(plot->legend->textColor() == text, qPrintable(name));
      }
      if (theme != QLatin1String("dark")) continue;
      // An unchecked box's outline stands out from the dark base.
      QCheckBox* box = nullptr;
      for (QCheckBox* shown : window.findChildren<QCheckBox*>())
        if (box == nullptr && shown->isVisible()) box = shown;
      QVERIFY(box != nullptr);
      box->setChecked(false);
      QStyleOptionButton option;
      option.initFrom(box);
      const QRect indicator =
          box->style()->subElementRect(QStyle::SE_CheckBoxIndicator, &option, box);
      const QImage drawn = box->grab().toImage();
      int outline = 0;
      for (int y = indicator.top(); y <= indicator.bottom(); ++y)
        for (int x = indicator.left(); x <= indicator.right(); ++x)
          outline += drawn.pixelColor(x, y).lightness() - base.lightness() > 60;
      QVERIFY2(outline >= indicator.width(), qPrintable(QString::number(outline)));
      // The figure is on paper: white, with black axes and text.
      QTemporaryDir dir;
      const QString png = dir.filePath(QStringLiteral("loss.png"));
      QVERIFY(crisp::ui::exportPlot(*loss, png, crisp::ui::kSingleColumnFigure).isEmpty());
      const QImage figure(png);
      QCOMPARE(figure.pixelColor(2, 2), QColor(Qt::white));
      int darkest = 255;
      for (int y = 0; y < figure.height(); y += 2)
        for (int x = 0; x < figure.width(); x += 2)
          darkest = std::min(darkest, figure.pixelColor(x, y).lightness());
      QVERIFY2(darkest < 40, qPrintable(QString::number(darkest)));
      // ... and the plot is dark again afterwards.
      QCOMPARE(backgroundOf(loss), base);
      QCOMPARE(loss->xAxis->basePen().color(), text);
    }
  }

  // A stopped run continues from the Runs tab: Resume, enabled for resumable runs only, trains
  // it on from its checkpoint's step to the end, as `crisp resume` does.
  void resumesAStoppedRunFromTheRunsTab() {
    QTemporaryDir root;
    MainWindow window;
    window.setRunsRoot(root.path());
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(1);
    crisp::ui::TrainingSession* session = window.session();
    QSignalSpy finished(session, &crisp::ui::TrainingSession::finished);
    QSignalSpy steps(session, &crisp::ui::TrainingSession::stepReported);
    QSignalSpy progress(session, &crisp::ui::TrainingSession::progressed);
    const auto stepOf = [](const QList<QVariant>& signal) {
      return signal.first().value<crisp::ui::StepPoint>().step;
    };
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(!steps.isEmpty() && stepOf(steps.last()) >= 30, 120000);
    session->stop();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Stopped);
    const QString run = session->runDirectory();
    const std::vector<int64_t> checkpoints =
        crisp::RunDirectory(run.toStdString()).checkpointSteps();
    QVERIFY(!checkpoints.empty());
    const int64_t checkpoint = checkpoints.back();
    QVERIFY(checkpoint >= 30);

    auto* table = window.findChild<crisp::ui::RunsView*>()->table();
    auto* resume = window.findChild<QPushButton*>(QStringLiteral("resumeRunButton"));
    QVERIFY(resume != nullptr);
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QVERIFY(!resume->isEnabled());  // nothing selected
    // The rows are newest first: the stopped run's row, found by its path (the tooltip).
    const auto selectRun = [table](const QString& path) {
      for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (table->model()->index(row, 0).data(Qt::ToolTipRole).toString() == path) {
          table->clearSelection();  // selectRow alone may toggle a selected row off
          table->selectRow(row);
          return true;
        }
      }
      return false;
    };
    // While another run trains in the studio, the stopped one cannot be resumed: Resume is off
    // and says why (it used to stay on, and clicking it said only that a run was active).
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(session->isActive() && session->runDirectory() != run, 10000);
    QTRY_COMPARE(table->model()->rowCount(), 2);
    QVERIFY(selectRun(run));
    QVERIFY(!resume->isEnabled());
    QVERIFY(resume->toolTip().contains(QStringLiteral("stop it first")));
    session->stop();
    QVERIFY(finished.wait(60000));
    QVERIFY(selectRun(run));
    QVERIFY(resume->isEnabled());
    steps.clear();
    resume->click();
    QVERIFY(session->isActive());
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.last().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Finished);
    QVERIFY(!steps.isEmpty());
    QCOMPARE(stepOf(steps.first()), checkpoint + 1);  // on from the checkpoint, not from 0
    const int64_t total = progress.last().first().value<crisp::ui::ProgressInfo>().totalSteps;
    QCOMPARE(stepOf(steps.last()), total);
    QCOMPARE(crisp::RunDirectory(run.toStdString()).readState().value("step", int64_t{0}), total);
    // Finished, it is no longer resumable.
    QVERIFY(selectRun(run));
    QVERIFY(!resume->isEnabled());
  }

  // The status bar's rate and ETA hold only while a run trains: they go after a stop or a
  // failure, and opening another run clears the progress too.
  void statusBarForgetsStaleProgress() {
    QTemporaryDir root;
    crisp::ui::StudioSettings::setRunsRoot(root.path());
    MainWindow window;
    auto* rate = window.findChild<QLabel*>(QStringLiteral("runRate"));
    auto* progress = window.findChild<QProgressBar*>(QStringLiteral("runProgress"));
    crisp::ui::ProgressInfo info;
    info.step = 167;
    info.totalSteps = 5000;
    info.sentencesPerSecond = 480;
    info.etaSeconds = 120;
    for (const crisp::ui::RunPhase phase :
         {crisp::ui::RunPhase::Stopped, crisp::ui::RunPhase::Failed}) {
      Q_EMIT window.session()->progressed(info);
      QVERIFY(rate->text().contains(QStringLiteral("ETA 2:00")));
      Q_EMIT window.session()->finished(window.session()->currentRun(), phase);
      QVERIFY2(rate->text().isEmpty(), qPrintable(crisp::ui::phaseName(phase)));
    }
    Q_EMIT window.session()->progressed(info);
    QCOMPARE(progress->value(), 167);
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("old-run")));
    QFile config(root.filePath(QStringLiteral("old-run/config.json")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"experiment": {"name": "old", "hyperparameters": {"seed": 5}},
                     "policy": "dense"})");
    config.close();
    window.openRun(root.filePath(QStringLiteral("old-run")));
    QVERIFY(rate->text().isEmpty());
    QCOMPARE(progress->value(), 0);
    crisp::ui::StudioSettings::setRunsRoot(QString());
  }

  // The Runs tab lists a new run without Refresh and follows it as it moves on; its epoch is how
  // far the run got (not 0.00 until the first evaluation).
  void runsTableFollowsTheFolder() {
    QTemporaryDir root;
    crisp::ui::RunsView view;
    view.setRoot(root.path());
    QAbstractItemModel* table = view.table()->model();
    QCOMPARE(table->rowCount(), 0);
    crisp::RunDirectory run(root.filePath(QStringLiteral("20261130-demo")).toStdString());
    run.writeConfig({{"experiment", {{"name", "demo"}, {"hyperparameters", {{"seed", 42}}}}},
                     {"policy", "dense"}});
    run.appendMetric({{"type", "train"}, {"step", 167}, {"epoch", 0.33}, {"loss", 0.69}});
    run.writeState({{"state", "running"}, {"step", 167}});
    QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, 5000);
    QCOMPARE(table->index(0, 5).data().toString(), QStringLiteral("0.33"));
    run.appendMetric({{"type", "train"}, {"step", 500}, {"epoch", 1.0}, {"loss", 0.6}});
    run.writeState({{"state", "finished"}, {"step", 500}});
    QTRY_COMPARE_WITH_TIMEOUT(table->index(0, 7).data().toString(), QStringLiteral("finished"),
                              5000);
    QCOMPARE(table->index(0, 5).data().toString(), QStringLiteral("1.00"));
  }

  // A run whose data moved (another checkout, another mount) resumes from the Runs tab: the
  // studio asks where each gone input is now, and the trainer checks it by content. Cancelling
  // a question leaves the run as it was and says why.
  void resumeAsksForMovedInputs() {
    QTemporaryDir root;
    QDir here(root.path());
    QVERIFY(here.mkpath(QStringLiteral("checkout-a")));
    const auto write = [](const QString& path, const QByteArray& text) {
      QFile file(path);
      return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
    };
    QByteArray tsv = "sentence\tlabel\n";
    for (int i = 0; i < 64; ++i)
      tsv += i % 2 ? "the film was good .\t1\n" : "the film was bad .\t0\n";
    QVERIFY(write(here.filePath(QStringLiteral("checkout-a/train.tsv")), tsv));
    QVERIFY(write(here.filePath(QStringLiteral("checkout-a/dev.tsv")),
                  tsv.left(tsv.indexOf("\n", 200) + 1)));  // whole lines
    QVERIFY(write(here.filePath(QStringLiteral("checkout-a/vocab.txt")),
                  "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nfilm\nwas\ngood\nbad\n.\n"));
    crisp::ExperimentConfig config = crisp::ExperimentConfig::demo();
    config.name = "moved";
    config.trainData = here.filePath(QStringLiteral("checkout-a/train.tsv")).toStdString();
    config.devData = here.filePath(QStringLiteral("checkout-a/dev.tsv")).toStdString();
    config.tokenizer = here.filePath(QStringLiteral("checkout-a/vocab.txt")).toStdString();
    config.maxLength = 16;
    config.probes.clear();
    config.hyper.epochs = 1;
    config.hyper.batchSize = 16;
    const QString run = here.filePath(QStringLiteral("runs/moved-seed1"));
    {
      crisp::PreparedExperiment prepared = crisp::prepareExperiment(config, run.toStdString());
      crisp::Trainer trainer(std::move(prepared.inputs), config.hyper, run.toStdString(),
                             prepared.runConfig);
      QVERIFY(trainer.run() == crisp::RunState::Finished);
    }
    QVERIFY(here.rename(QStringLiteral("checkout-a"), QStringLiteral("checkout-b")));

    MainWindow window;
    window.setRunsRoot(here.filePath(QStringLiteral("runs")));
    QSignalSpy finished(window.session(), &crisp::ui::TrainingSession::finished);
    // Answers each question with the file of that name in checkout-b.
    QStringList asked;
    QTimer answer;
    connect(&answer, &QTimer::timeout, [&] {
      auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
      if (dialog == nullptr) return;
      asked << dialog->windowTitle();
      const bool train = dialog->windowTitle().contains(QStringLiteral("training data"));
      // Typed into its file name field, as a user does.
      auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
      QVERIFY(name != nullptr);
      name->setText(here.filePath(train ? QStringLiteral("checkout-b/train.tsv")
                                        : QStringLiteral("checkout-b/dev.tsv")));
      QTest::keyClick(name, Qt::Key_Return);
    });
    answer.start(20);
    window.resumeRun(run);
    answer.stop();
    QCOMPARE(asked.size(), 2);
    QVERIFY2(asked[0].startsWith(QStringLiteral("The run's training data is gone from ")) &&
                 asked[0].contains(QStringLiteral("checkout-a/train.tsv")),
             qPrintable(asked[0]));
    QVERIFY2(asked[1].contains(QStringLiteral("dev data")), qPrintable(asked[1]));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.last().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Finished);

    // Moved again, and the question cancelled: nothing starts, and the status bar says why.
    QVERIFY(here.rename(QStringLiteral("checkout-b"), QStringLiteral("checkout-c")));
    const ModalCloser closer;
    window.resumeRun(run);
    QCOMPARE(closer.closed(), 1);
    QVERIFY(!window.session()->isActive());
    QVERIFY2(window.statusBar()->toolTip().startsWith(
                 QStringLiteral("Not resumed: the run's training data is gone from ")),
             qPrintable(window.statusBar()->toolTip()));
  }

  // The runs table lists the newest run first (folders named by date and time) and no sort
  // indicator says otherwise; the loss column says which loss it shows.
  void runsTableListsTheNewestFirst() {
    QTemporaryDir root;
    for (const char* folder : {"20261201-101500-dense", "20261201-093000-dense"}) {
      crisp::RunDirectory run(root.filePath(QString::fromLatin1(folder)).toStdString());
      run.writeConfig({{"experiment", {{"name", "dense"}, {"hyperparameters", {{"seed", 1}}}}},
                       {"policy", "dense"}});
      run.writeState({{"state", "finished"}, {"step", 10}});
    }
    crisp::ui::RunsView view;
    view.setRoot(root.path());
    const QAbstractItemModel* table = view.table()->model();
    QCOMPARE(table->rowCount(), 2);
    QVERIFY(table->index(0, 0)
                .data(Qt::ToolTipRole)
                .toString()
                .endsWith(QStringLiteral("20261201-101500-dense")));
    QCOMPARE(view.table()->horizontalHeader()->sortIndicatorSection(), -1);
    QCOMPARE(table->headerData(4, Qt::Horizontal).toString(), QStringLiteral("Last dev loss"));
  }

  void aboutDialogReportsLibrariesBlasAndThreads() {
    crisp::ui::AboutDialog dialog;
    const QString report = dialog.reportHtml();
    for (const char* needle : {"LibTorch", "BLAS", "Threads", "SentencePiece", "Qt", "QCustomPlot",
                               QT_VERSION_STR, QCUSTOMPLOT_VERSION_STR}) {
      QVERIFY2(report.contains(QLatin1String(needle)), needle);
    }
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
