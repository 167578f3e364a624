#include "ui/settings.h"

#include <QMainWindow>
#include <QSettings>

namespace crisp::ui {
namespace {
const QString kThreads = QStringLiteral("compute/threads");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kTheme = QStringLiteral("appearance/theme");
}  // namespace

std::optional<int> StudioSettings::threads() {
  const QSettings settings;
  bool ok = false;
  const int value = settings.value(kThreads).toInt(&ok);
  return ok && value > 0 ? std::optional<int>(value) : std::nullopt;
}

void StudioSettings::setThreads(std::optional<int> threads) {
  QSettings settings;
  if (threads) {
    settings.setValue(kThreads, *threads);
  } else {
    settings.remove(kThreads);
  }
}

void StudioSettings::saveWindow(const QMainWindow& window) {
  QSettings settings;
  settings.setValue(kGeometry, window.saveGeometry());
  settings.setValue(kState, window.saveState());
}

void StudioSettings::restoreWindow(QMainWindow& window) {
  const QSettings settings;
  window.restoreGeometry(settings.value(kGeometry).toByteArray());
  window.restoreState(settings.value(kState).toByteArray());
}

QString StudioSettings::theme() {
  const QString value = QSettings().value(kTheme).toString();
  return value == QLatin1String("dark") ? value : QStringLiteral("light");
}

void StudioSettings::setTheme(const QString& theme) {
  QSettings().setValue(kTheme, theme);
}

}  // namespace crisp::ui
