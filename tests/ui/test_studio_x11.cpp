// Runs under xvfb-run on the xcb platform: the studio window maps in a real X server, paints,
// and is captured from the screen (not from the widget), proving what a user would see.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QGuiApplication>
#include <QScreen>
#include <QtTest>

#include <QComboBox>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>

#include "ui/main_window.h"
#include "ui/training_session.h"
#include "ui/views/curves_view.h"
#include "ui/views/predict_view.h"

class TestStudioX11 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Without a window manager nothing gives a new window the keyboard focus, and a closed dialog's
  // focus goes to the root window: the studio asks for it, so that Ctrl+E exports from the
  // Curves tab before any click and again after the export's dialog (it did nothing).
  void shortcutsWorkWithoutAWindowManager() {
    if (QGuiApplication::platformName() != QLatin1String("xcb")) QSKIP("needs xcb");
    crisp::ui::MainWindow window;
    window.resize(1280, 800);
    window.move(0, 0);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
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
    QCoreApplication::setOrganizationName(QStringLiteral("CrispStudioTests"));
    crisp::ui::MainWindow window;
    window.resize(1280, 800);
    window.move(0, 0);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
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
    window.resize(1280, 800);
    window.move(0, 0);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* selection = window.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    selection->setCurrentIndex(selection->findData(QStringLiteral("crisp")));
    window.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(6);
    QSignalSpy finished(window.session(), &crisp::ui::TrainingSession::finished);
    window.startTraining();
    QVERIFY(finished.wait(240000));
    QCOMPARE(finished.first().first().toString(), QStringLiteral("finished"));
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
      const QImage shot =
          window.screen()->grabWindow(0, 0, 0, window.width(), window.height() + 40).toImage();
      QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("studio-%1.png").arg(names[i]))));
    }
    QVERIFY(window.findChild<crisp::ui::CurvesView*>()->evalCount() >= 6);
  }
};

QTEST_MAIN(TestStudioX11)
#include "test_studio_x11.moc"
