// crisp-studio: the desktop application. Parses options, configures threads, shows the window.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>
#include <QTimer>

#include "core/sys/threads.h"
#include "ui/main_window.h"
#include "ui/settings.h"
#include "ui/stop_signals.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Crisp Studio"));
  QApplication::setOrganizationDomain(QStringLiteral("crispstudio.org"));
  QApplication::setApplicationName(QStringLiteral("Crisp Studio"));
  QApplication::setApplicationVersion(QStringLiteral(CRISP_VERSION));
  QApplication::setDesktopFileName(QStringLiteral("org.crispstudio.CrispStudio"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Crisp Studio: fine-tune BERT-family classifiers with crisp and SparseBERT attention."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption threadsOption(
      QStringLiteral("threads"),
      QStringLiteral("Intra-op threads (default: CRISP_THREADS, OMP_NUM_THREADS, the saved "
                     "setting, the usable CPUs)."),
      QStringLiteral("n"));
  const QCommandLineOption quitAfterOption(
      QStringLiteral("quit-after"),
      QStringLiteral("Close the window after <ms> milliseconds (smoke tests, screenshots)."),
      QStringLiteral("ms"));
  const QCommandLineOption runsOption(
      QStringLiteral("runs"),
      QStringLiteral("List and train runs in <dir> (e.g. the --out of a crisp sweep)."),
      QStringLiteral("dir"));
  parser.addOption(runsOption);
  parser.addOption(threadsOption);
  parser.addOption(quitAfterOption);
  parser.process(app);

  std::optional<int> threads;
  if (parser.isSet(threadsOption)) {
    bool ok = false;
    threads = parser.value(threadsOption).toInt(&ok);
    if (!ok) {
      qCritical("crisp-studio: --threads expects a positive integer");
      return 2;
    }
  }
  try {
    crisp::configureThreads(threads, crisp::ui::StudioSettings::threads());
  } catch (const std::exception& e) {
    QMessageBox::critical(nullptr, QStringLiteral("Crisp Studio"), QString::fromUtf8(e.what()));
    return 2;
  }

  crisp::ui::MainWindow window;
  if (parser.isSet(runsOption)) {
    const QString runs = parser.value(runsOption);
    if (!QFileInfo(runs).isDir()) {
      qCritical("crisp-studio: --runs: %s is not a directory", qPrintable(runs));
      return 2;
    }
    window.setRunsRoot(QFileInfo(runs).absoluteFilePath());
  }
  window.show();
  // kill, logout or Ctrl-C in its terminal: close as the window's close button does (a running
  // training stops with a checkpoint).
  crisp::ui::StopSignals stopSignals;
  QObject::connect(&stopSignals, &crisp::ui::StopSignals::received, &window, &QWidget::close);
  if (parser.isSet(quitAfterOption)) {
    QTimer::singleShot(parser.value(quitAfterOption).toInt(), &window, &QWidget::close);
  }
  return QApplication::exec();
}
