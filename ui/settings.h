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
};

}  // namespace crisp::ui
