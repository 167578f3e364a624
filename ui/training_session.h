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

// The worker bridge, with two backends behind the same signals and RunId rules, so that the
// views never ask which one trains:
//  - one process: core's Trainer on a worker thread. Control goes through the trainer's
//    thread-safe flags (the training loop never returns to an event loop).
//  - several (data-parallel ranks, CPU): the `crisp` command beside crisp-studio as a child
//    process (ProcessRun: `crisp train --nproc N`), followed through the run directory rank 0
//    writes (core's RunFollower). Stop is SIGTERM, forwarded to every rank; Pause is "write a
//    checkpoint and end the processes" and Resume starts them again from it (the ranks agree on
//    stopping, not on pausing); live attention frames do not cross processes: the views follow
//    the run's checkpoints instead.
// Both hand core's TrainingEvents to one conversion into the signals' values. Destroying the
// session stops the run (final checkpoint) and waits for it.
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
  // into runDirectory (a run there already is resumed from its newest checkpoint), in this
  // process or, with processes > 1, in that many data-parallel processes. Returns false, with
  // an error signal, if a run is already active or the crisp command is missing.
  bool start(const ExperimentConfig& config, const QString& runDirectory, int processes = 1);
  RunId currentRun() const;  // the latest start()'s id; 0 before the first
  void pause();
  void resume();
  void stop();  // final checkpoint, then state "stopped"
  bool isActive() const;
  int processes() const;  // of the current run
  QString runDirectory() const;
  // Blocks until the run has ended (for shutdown and tests); a stopped multi-process run gets
  // ProcessRun::kStopGraceMs, then its processes are killed.
  void wait();
  // The crisp command multi-process runs use: by default beside the application's executable.
  QString crispExecutable() const;
  void setCrispExecutable(const QString& path);

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
  bool startProcesses(const ExperimentConfig& config, const QString& runDirectory, int processes);
  struct Worker;
  std::unique_ptr<Worker> worker_;
};

}  // namespace crisp::ui
