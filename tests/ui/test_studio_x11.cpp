// Runs under xvfb-run on the xcb platform: the studio window maps in a real X server, paints,
// and is captured from the screen (not from the widget), proving what a user would see.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QGuiApplication>
#include <QScreen>
#include <QtTest>

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include "tiny_run.h"
#include "ui/main_window.h"
#include "ui/studio_types.h"
#include "ui/training_session.h"
#include "ui/views/curves_view.h"
#include "ui/views/experiment_panel.h"
#include "ui/views/policy_editor.h"
#include "ui/views/predict_view.h"
#include "ui/views/problem_mark.h"
#include "ui/views/runs_view.h"

namespace {

// The studio at the screenshots' size in the screen's corner; false if it never appears.
bool showAtScreenshotSize(QWidget& window) {
  window.resize(1280, 800);
  window.move(0, 0);
  window.show();
  return QTest::qWaitForWindowExposed(&window);
}

}  // namespace

class TestStudioX11 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { QCoreApplication::setOrganizationName(QStringLiteral("CrispStudioTests")); }

  // Without a window manager nothing gives a new window the keyboard focus, and a closed dialog's
  // focus goes to the root window: the studio asks for it, so that Ctrl+E exports from the
  // Curves tab before any click and again after the export's dialog (it did nothing).
  void shortcutsWorkWithoutAWindowManager() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    crisp::ui::MainWindow window;
    QVERIFY(showAtScreenshotSize(window));
    QVERIFY2(QTest::qWaitForWindowActive(&window), "no keyboard focus: no shortcut would work");
    window.views()->setCurrentIndex(0);  // Curves
    QSignalSpy exported(window.findChild<QAction*>(QStringLiteral("exportFigureAction")),
                        &QAction::triggered);
    QTimer closer;  // the file dialog
    connect(&closer, &QTimer::timeout, [] {
      if (QWidget* modal = QApplication::activeModalWidget()) modal->close();
    });
    closer.start(50);
    QTest::keyClick(window.views()->currentWidget(), Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(exported.count(), 1);
    QVERIFY2(QTest::qWaitForWindowActive(&window), "the closed dialog took the focus along");
    QTest::keyClick(window.views()->currentWidget(), Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(exported.count(), 2);
  }

  void windowAppearsOnARealXServer() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) {
      QSKIP("needs the xcb platform (run through xvfb-run)");
    }
    crisp::ui::MainWindow window;
    QVERIFY(showAtScreenshotSize(window));
    QTest::qWait(500);  // let the first paint reach the X server

    const QImage shot = window.screen()->grabWindow(0).toImage();
    QVERIFY(!shot.isNull());
    // A painted window has many colours; a blank screen has one.
    QSet<QRgb> colours;
    for (int y = 0; y < shot.height(); y += 7) {
      for (int x = 0; x < shot.width(); x += 7) colours.insert(shot.pixel(x, y));
    }
    QVERIFY2(colours.size() > 20, qPrintable(QStringLiteral("%1 colours").arg(colours.size())));

    const QString dir = qEnvironmentVariable("CRISP_SCREENSHOT_DIR", QDir::tempPath());
    QVERIFY(QDir().mkpath(dir));
    const QString path = QDir(dir).filePath(QStringLiteral("studio-main-window.png"));
    QVERIFY(shot.save(path));
    qInfo("screenshot: %s", qPrintable(path));
    window.close();
  }

  // A short demo training in the real window; each main view is captured afterwards.
  void viewsAfterAShortDemoTraining() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    QTemporaryDir runs;
    crisp::ui::MainWindow window;
    window.setRunsRoot(runs.path());
    QVERIFY(showAtScreenshotSize(window));
    auto* selection = window.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    selection->setCurrentIndex(selection->findData(QStringLiteral("crisp")));
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(6);
    QSignalSpy finished(window.session(), &crisp::ui::TrainingSession::finished);
    window.startTraining();
    QVERIFY(finished.wait(240000 * CRISP_TEST_TIME_SCALE));
    QCOMPARE(finished.first().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Finished);
    QTest::qWait(300);

    const QString dir = qEnvironmentVariable("CRISP_SCREENSHOT_DIR", QDir::tempPath());
    auto* predict = window.findChild<crisp::ui::PredictView*>();
    QSignalSpy predicted(predict, &crisp::ui::PredictView::predicted);
    predict->setText(QStringLiteral("honestly , the acting was not bad but the ending was dull ."));
    QVERIFY(predicted.wait(20000));
    QTabWidget* tabs = window.views();
    // Show the most telling head: the last layer, mean over heads.
    auto* layer = window.findChild<QComboBox*>(QStringLiteral("layerCombo"));
    layer->setCurrentIndex(layer->count() - 1);
    const QStringList names = {QStringLiteral("curves"), QStringLiteral("attention"),
                               QStringLiteral("predict"), QStringLiteral("runs")};
    for (int i = 0; i < tabs->count(); ++i) {
      tabs->setCurrentIndex(i);
      QTest::qWait(400);
      QVERIFY(grab(window, window.rect(),
                   QDir(dir).filePath(QStringLiteral("studio-%1.png").arg(names[i]))));
    }
    QVERIFY(window.findChild<crisp::ui::CurvesView*>()->evalCount() >= 6);

    // A dense run stopped early: the Runs tab offers to resume it.
    selection->setCurrentIndex(0);  // none: dense
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(2);
    QSignalSpy steps(window.session(), &crisp::ui::TrainingSession::stepReported);
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(
        !steps.isEmpty() && steps.last().first().value<crisp::ui::StepPoint>().step >= 650, 120000);
    window.session()->stop();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.last().at(1).value<crisp::ui::RunPhase>(), crisp::ui::RunPhase::Stopped);
    auto* runsView = window.findChild<crisp::ui::RunsView*>();
    QTRY_COMPARE(runsView->table()->model()->rowCount(), 2);
    tabs->setCurrentWidget(runsView);
    runsView->table()->selectRow(0);  // newest first: the stopped one
    QVERIFY(window.findChild<QPushButton*>(QStringLiteral("resumeRunButton"))->isEnabled());
    QTest::qWait(600);  // the statistics of the selection
    QVERIFY(
        grab(window, window.rect(), QDir(dir).filePath(QStringLiteral("studio-runs-resume.png"))));

    // Both runs overlaid in the dark theme: plots and the dense run's grey follow it.
    runsView->table()->selectAll();
    window.findChild<QAction*>(QStringLiteral("theme-dark"))->trigger();
    tabs->setCurrentIndex(0);
    QTest::qWait(600);
    QVERIFY(grab(window, window.rect(), QDir(dir).filePath(QStringLiteral("studio-dark.png"))));
    window.findChild<QAction*>(QStringLiteral("theme-light"))->trigger();
  }

  // The policy editor, built from core's registry, with a policy of three terms.
  // A pretrained checkpoint without a head: the status bar says which tensors are new as the
  // run starts (studio-load-report.png).
  void loadReportInTheStatusBar() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    QTemporaryDir dir;
    const QString base = dir.filePath(QStringLiteral("base"));
    tiny_run::writeHeadlessBertCheckpoint(base.toStdString());
    crisp::ui::MainWindow window;
    window.setRunsRoot(dir.filePath(QStringLiteral("runs")));
    QVERIFY(showAtScreenshotSize(window));
    window.findChild<crisp::ui::ExperimentPanel*>()->setModel(base);
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(1);
    QSignalSpy finished(window.session(), &crisp::ui::TrainingSession::finished);
    window.startTraining();
    // The long message loses its middle (the checkpoint's path), not what it says; the tooltip
    // holds all of it.
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().endsWith(QStringLiteral(
                                 "initialized: ['classifier.weight', 'classifier.bias']")),
                             60000 * CRISP_TEST_TIME_SCALE);
    QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Some weights")));
    QVERIFY(window.statusBar()->toolTip().contains(base + QStringLiteral("/model.safetensors")));
    QTest::qWait(300);
    const QString shots = qEnvironmentVariable("CRISP_SCREENSHOT_DIR", QDir::tempPath());
    const QRect bar = window.statusBar()->geometry();
    QVERIFY(grab(window, QRect(0, bar.top() - 120, window.width(), bar.height() + 120),
                 QDir(shots).filePath(QStringLiteral("studio-load-report.png"))));
    QVERIFY(finished.wait(120000 * CRISP_TEST_TIME_SCALE));
  }

  void policyEditor() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    crisp::ui::MainWindow window;
    QVERIFY(showAtScreenshotSize(window));
    auto* editor = window.findChild<crisp::ui::PolicyEditor*>(QStringLiteral("policyEditor"));
    editor->setText(QStringLiteral("nodiag+bigbird:3:1:2:7+crisp:0.5"));
    QVERIFY(editor->problem().isEmpty());
    // The form scrolled to the policy's group, at the top.
    QVERIFY(grabFormAt(window, editor, 40, QStringLiteral("studio-policy-editor.png")));
  }

  // The hyperparameters with 2 data-parallel processes chosen (a run on them starts the crisp
  // launcher and follows its run directory).
  void processesField() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    crisp::ui::MainWindow window;
    QVERIFY(showAtScreenshotSize(window));
    auto* processes = window.findChild<QSpinBox*>(QStringLiteral("processesSpin"));
    QVERIFY(processes != nullptr);
    if (processes->maximum() < 2) QSKIP("one usable CPU: the form offers 1 process only");
    processes->setValue(2);
    QVERIFY(window.findChild<crisp::ui::ExperimentPanel*>()->canStart());
    QVERIFY(grabFormAt(window, processes, 300, QStringLiteral("studio-processes.png")));
  }

  // The form with problems: each one listed above Start and marked beside its field.
  void formProblems() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    QTemporaryDir dir;
    const QString dev = dir.filePath(QStringLiteral("dev.tsv"));
    QFile file(dev);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("sentence\tlabel\ngood\t1\nbad\t0\n");
    file.close();
    crisp::ui::MainWindow window;
    QVERIFY(showAtScreenshotSize(window));
    auto* panel = window.findChild<crisp::ui::ExperimentPanel*>();
    panel->setDataFiles(dir.filePath(QStringLiteral("trian.tsv")), dev);
    window.findChild<QLineEdit*>(QStringLiteral("learningRateEdit"))->setText(QStringLiteral("0"));
    QVERIFY(!panel->canStart());
    // From the tokenizer choice (its problem marked on it) down to the data files.
    const auto* tokenizer = window.findChild<QComboBox*>(QStringLiteral("tokenizerCombo"));
    QVERIFY(!crisp::ui::markedProblem(tokenizer).isEmpty());
    QVERIFY(grabFormAt(window, tokenizer, 60, QStringLiteral("studio-form-problems.png")));
  }

  // The Runs tab on a sweep's folder (CRISP_SCREENSHOT_SWEEP, e.g. the MiniLM screen's runs):
  // the runs and their statistics against dense.
  void runsOfASweep() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    const QString sweep = qEnvironmentVariable("CRISP_SCREENSHOT_SWEEP");
    if (sweep.isEmpty()) QSKIP("CRISP_SCREENSHOT_SWEEP names no sweep folder");
    crisp::ui::MainWindow window;
    auto* runsView = window.findChild<crisp::ui::RunsView*>();
    QSignalSpy statistics(runsView, &crisp::ui::RunsView::statisticsUpdated);
    window.setRunsRoot(sweep);
    window.resize(1280, 900);
    window.move(0, 0);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.views()->setCurrentWidget(runsView);
    QVERIFY(statistics.wait(120000));
    QTest::qWait(400);
    const QString dir = qEnvironmentVariable("CRISP_SCREENSHOT_DIR", QDir::tempPath());
    const QWidget* views = window.views();
    QVERIFY(grab(window, QRect(views->mapTo(&window, QPoint(0, 0)), views->size()),
                 QDir(dir).filePath(QStringLiteral("studio-runs-minilm.png"))));
  }

 private:
  // The part `area` (window coordinates) of the window as the X server shows it.
  // The experiment form's strip of the window, scrolled so that field sits margin pixels below
  // its top, saved as name in CRISP_SCREENSHOT_DIR.
  static bool grabFormAt(const QWidget& window, const QWidget* field, int margin,
                         const QString& name) {
    auto* scroll = window.findChild<QScrollArea*>(QStringLiteral("experimentScroll"));
    const QWidget* dock = window.findChild<QWidget*>(QStringLiteral("experimentDock"));
    if (scroll == nullptr || dock == nullptr || field == nullptr) return false;
    scroll->verticalScrollBar()->setValue(field->mapTo(scroll->widget(), QPoint(0, 0)).y() -
                                          margin);
    QTest::qWait(400);
    const QString dir = qEnvironmentVariable("CRISP_SCREENSHOT_DIR", QDir::tempPath());
    return grab(window, QRect(0, 0, dock->geometry().right() + 1, window.height()),
                QDir(dir).filePath(name));
  }

  static bool grab(const QWidget& window, const QRect& area, const QString& path) {
    const QPoint at = window.mapToGlobal(area.topLeft());
    const QImage shot =
        window.screen()->grabWindow(0, at.x(), at.y(), area.width(), area.height()).toImage();
    qInfo("screenshot: %s", qPrintable(path));
    return !shot.isNull() && shot.save(path);
  }
};

QTEST_MAIN(TestStudioX11)
#include "test_studio_x11.moc"
