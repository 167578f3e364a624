#pragma once

#include <QObject>
#include <QString>
#include <functional>
#include <memory>

#include "core/train/events.h"
#include "ui/studio_types.h"

class QFileSystemWatcher;
class QProcess;
class QTemporaryFile;
class QTimer;

namespace crisp {
struct ExperimentConfig;
class RunFollower;
}  // namespace crisp

namespace crisp::ui {

// TrainingSession's multi-process backend: `crisp train --experiment FILE --out RUN --nproc N`
// as a child process (the launcher, which starts N ranks of itself, Gloo or on CUDA NCCL; rank 0
// writes RUN), followed through the run directory. A RunFollower (core) turns what rank 0 appends
// to metrics.jsonl and writes to state.json into core's training events; a QFileSystemWatcher wakes
// it at once and a timer every 500 ms (watchers can miss appends). stderr lines become messages;
// errors among them come as one message when the process ends.
//
// Pause cannot reach into other processes (the ranks agree on stopping, not on pausing), so it
// is "checkpoint and stop": the ranks stop as for Stop and the run is reported paused, holding
// no process; resume() starts the launcher again on the same run, which continues from that
// checkpoint. The run then ends only once, with `finished`.
//
// The launcher runs in a process group of its own (so that a launcher that ignores SIGTERM
// is killed with all its ranks) and gets SIGTERM should the studio die first (no orphans).
class ProcessRun : public QObject {
  Q_OBJECT
 public:
  // What the run reports, on the GUI thread.
  struct Receiver {
    std::function<void(const TrainingEvent&)> event;
    std::function<void(const QString& text, bool isError)> message;
    std::function<void()> paused;                  // the processes ended with a checkpoint
    std::function<void(RunPhase phase)> finished;  // once, last
  };

  // How long wait() gives a stopped run for its current step and final checkpoint before it
  // kills the launcher's process group.
  static constexpr int kStopGraceMs = 60000;

  ProcessRun(QString crispExecutable, Receiver receiver, QObject* parent = nullptr);
  ~ProcessRun() override;

  // Writes the experiment to a temporary file for launch(). False, with *error naming the
  // path, when the crisp executable is missing or the file cannot be written.
  bool prepare(const ExperimentConfig& config, const QString& runDirectory, int processes,
               QString* error);
  // Starts the launcher (what it reports may come at once, e.g. a failure to start).
  void launch();
  // Running, or paused: the run has not finished.
  bool isActive() const { return running_ || paused_; }
  bool isPaused() const { return paused_; }
  // SIGTERM to the launcher: every rank stops at one step with a checkpoint. A paused run
  // finishes at once (it stopped with its checkpoint).
  void stop();
  void pause();   // stop with a checkpoint, then `paused`
  void resume();  // a paused run: the launcher again, continuing from the checkpoint
  // Blocks until the process has ended: without a time limit, but once stopped, for at most
  // kStopGraceMs before the launcher's process group is killed.
  void wait();

 private:
  void poll();
  void readErrors();
  void onFinished(int exitCode, bool crashed);

  QString crisp_;
  Receiver receiver_;
  QStringList arguments_;
  QProcess* process_ = nullptr;
  QFileSystemWatcher* watcher_ = nullptr;
  QTimer* timer_ = nullptr;
  std::unique_ptr<QTemporaryFile> experimentFile_;
  std::unique_ptr<RunFollower> follower_;
  QString runDirectory_;
  QByteArray stderrTail_;  // a partial stderr line
  QStringList errors_;
  // running_: a launcher runs (or starts); paused_: none runs, the run goes on at resume().
  bool running_ = false, paused_ = false, stopRequested_ = false, pauseRequested_ = false;
  qint64 pid_ = 0;
};

}  // namespace crisp::ui
