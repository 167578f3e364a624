#pragma once

#include <QObject>
#include <QString>
#include <memory>

#include "ui/studio_types.h"

namespace crisp {
struct ExperimentConfig;
enum class RunState;
}  // namespace crisp

namespace crisp::ui {

// The phase of a state core reports.
RunPhase phaseOf(RunState state);

// The worker bridge: runs core's Trainer on its own thread and turns its events into queued
// Qt signals carrying values. Control goes through the trainer's thread-safe flags (the
// training loop never returns to an event loop). Destroying the session stops the run
// (final checkpoint) and waits for the thread.
//
// Every run gets a RunId, carried by each signal. What a previous run still had queued when
// the next one started (its last events, its `finished`) is dropped, never emitted as the new
// run's.
class TrainingSession : public QObject {
  Q_OBJECT
 public:
  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  // Prepares the experiment (on the worker thread: tokenising can take seconds) and trains
  // into runDirectory. Returns false, with an error signal, if a run is already active.
  bool start(const ExperimentConfig& config, const QString& runDirectory);
  RunId currentRun() const;  // the latest start()'s id; 0 before the first
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
  void stateChanged(crisp::ui::RunId run, crisp::ui::RunPhase phase, const QString& detail);
  void finished(crisp::ui::RunId run, crisp::ui::RunPhase phase);

 private:
  void drainEvents(RunId run);
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace crisp::ui
