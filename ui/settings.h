#pragma once

#include <QString>
#include <optional>

class QMainWindow;

namespace crisp::ui {

// The studio's persistent settings, one place for their keys.
struct StudioSettings {
  static std::optional<int> threads();
  static void setThreads(std::optional<int> threads);
  static void saveWindow(const QMainWindow& window);
  static void restoreWindow(QMainWindow& window);
  // "light" (the default) or "dark".
  static QString theme();
  static void setTheme(const QString& theme);
};

}  // namespace crisp::ui
