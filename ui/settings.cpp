#include "ui/settings.h"

#include <QMainWindow>
#include <QSettings>

namespace crisp::ui {
namespace {
const QString kThreads = QStringLiteral("compute/threads");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kTheme = QStringLiteral("appearance/theme");
const QString kRunsRoot = QStringLiteral("paths/runsRoot");
const QString kCurvesXAxis = QStringLiteral("curves/xAxis");
const QString kCurvesSmoothing = QStringLiteral("curves/smoothing");
const QString kCurvesEma = QStringLiteral("curves/emaPercent");
const QString kCurvesWindow = QStringLiteral("curves/window");
const QString kCurvesSeedBands = QStringLiteral("curves/seedBands");
}  // namespace

CurvesPreferences StudioSettings::curves() {
  const QSettings settings;
  const CurvesPreferences defaults;
  CurvesPreferences p;
  p.xAxis = settings.value(kCurvesXAxis, defaults.xAxis).toString();
  p.smoothing = settings.value(kCurvesSmoothing, defaults.smoothing).toString();
  p.emaPercent = settings.value(kCurvesEma, defaults.emaPercent).toInt();
  p.window = settings.value(kCurvesWindow, defaults.window).toInt();
  p.seedBands = settings.value(kCurvesSeedBands, defaults.seedBands).toString();
  return p;
}

void StudioSettings::setCurves(const CurvesPreferences& p) {
  QSettings settings;
  settings.setValue(kCurvesXAxis, p.xAxis);
  settings.setValue(kCurvesSmoothing, p.smoothing);
  settings.setValue(kCurvesEma, p.emaPercent);
  settings.setValue(kCurvesWindow, p.window);
  settings.setValue(kCurvesSeedBands, p.seedBands);
}

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

QString StudioSettings::runsRoot() {
  return QSettings().value(kRunsRoot).toString();
}

void StudioSettings::setRunsRoot(const QString& directory) {
  QSettings().setValue(kRunsRoot, directory);
}

QString StudioSettings::formPath(const QString& field) {
  return QSettings().value(QStringLiteral("paths/form/") + field).toString();
}

void StudioSettings::setFormPath(const QString& field, const QString& path) {
  QSettings().setValue(QStringLiteral("paths/form/") + field, path);
}

}  // namespace crisp::ui
