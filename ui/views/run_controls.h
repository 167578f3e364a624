#pragma once

#include <QList>
#include <QWidget>

#include "ui/studio_types.h"

class QAction;

namespace crisp::ui {

// Start, Pause/Resume and Stop. They are actions (the window's Training menu holds them), so
// their shortcuts work wherever the focus is and survive the Pause/Resume relabelling; the
// buttons here mirror them.
class RunControls : public QWidget {
  Q_OBJECT
 public:
  explicit RunControls(QWidget* parent = nullptr);
  QList<QAction*> runActions() const { return {start_, pause_, stop_}; }
  QAction* startAction() const { return start_; }
  QAction* pauseAction() const { return pause_; }  // Pause, or Resume while paused()
  QAction* stopAction() const { return stop_; }
  bool paused() const { return paused_; }
  // Pause/Resume and Stop follow the phase.
  void setRunState(RunPhase phase);
  // Start is offered when startable, its tooltip otherwise saying why not.
  void setStartable(bool startable, const QString& whyNot);

 private:
  QAction *start_, *pause_, *stop_;
  bool paused_ = false;
};

}  // namespace crisp::ui
