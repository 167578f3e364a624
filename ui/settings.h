#pragma once

#include <QString>
#include <optional>

class QMainWindow;

namespace crisp::ui {

// How the curves view draws: x axis ("step", "epoch", "time") and smoothing ("ema", "mean").
struct CurvesPreferences {
  QString xAxis = QStringLiteral("step");
  QString smoothing = QStringLiteral("ema");
  int emaPercent = 90;  // EMA weight in percent
  int window = 20;      // moving-average window in points
  // A configuration's seeds: "off" (each drawn), "sd" (mean ± sd band), "range" (min-max band).
  QString seedBands = QStringLiteral("off");
};

// The studio's persistent settings, one place for their keys.
struct StudioSettings {
  static CurvesPreferences curves();
  static void setCurves(const CurvesPreferences& preferences);
  static std::optional<int> threads();
  static void setThreads(std::optional<int> threads);
  static void saveWindow(const QMainWindow& window);
  static void restoreWindow(QMainWindow& window);
  // "light" (the default) or "dark".
  static QString theme();
  static void setTheme(const QString& theme);
  // The folder whose run directories the studio lists and trains into; empty: the default.
  static QString runsRoot();
  static void setRunsRoot(const QString& directory);
  // The experiment form's last paths (model directory, vocabulary, data files), by field name.
  static QString formPath(const QString& field);
  static void setFormPath(const QString& field, const QString& path);
};

}  // namespace crisp::ui
