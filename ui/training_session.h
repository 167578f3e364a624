#pragma once

#include <QObject>
#include <QString>
#include <memory>

#include "ui/studio_types.h"

namespace crisp {
struct ExperimentConfig;
}

namespace crisp::ui {

// The worker bridge: runs core's Trainer on its own thread and turns its events into queued
// Qt signals carrying values. Control goes through the trainer's thread-safe flags (the
// training loop never returns to an event loop). Destroying the session stops the run
// (final checkpoint) and waits for the thread.
class TrainingSession : public QObject {
  Q_OBJECT
 public:
  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  // Prepares the experiment (on the worker thread: tokenising can take seconds) and trains
  // into runDirectory. Returns false, with an error signal, if a run is already active.
  bool start(const ExperimentConfig& config, const QString& runDirectory);
  void pause();
  void resume();
  void stop();  // final checkpoint, then state "stopped"
  bool isActive() const;
  QString runDirectory() const;
  // Blocks until the worker has finished (for shutdown and tests).
  void wait();

 Q_SIGNALS:
  void stepReported(const crisp::ui::StepPoint& point);
  void evaluated(const crisp::ui::EvalPoint& point);
  void progressed(const crisp::ui::ProgressInfo& progress);
  void attentionCaptured(const crisp::ui::AttentionFrame& frame);
  void message(const QString& text, bool isError);
  void stateChanged(const QString& state, const QString& detail);
  void finished(const QString& state);

 private:
  void drainEvents();
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace crisp::ui
