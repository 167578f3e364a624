#pragma once

#include <QStringList>
#include <functional>
#include <utility>
#include <vector>

#include "core/train/run_curves.h"

class QObject;

namespace crisp::ui {

// Reads runs' curves off the GUI thread, for the runs compared on the Curves tab. A newer read
// supersedes one still running: only the latest result is handed over.
class RunCurvesReader {
 public:
  struct Result {
    std::vector<std::pair<QString, RunCurves>> runs;  // run directory, its curves
    QStringList unreadable;                           // no readable config.json
  };
  // done runs on owner's thread; owner outlives the reader.
  RunCurvesReader(QObject* owner, std::function<void(Result)> done);
  void read(const QStringList& paths);

 private:
  QObject* owner_;
  std::function<void(Result)> done_;
  int request_ = 0;  // the latest read's: older results are stale
};

}  // namespace crisp::ui
