#include "ui/training_session.h"

#include <QCoreApplication>
#include <QDir>
#include <QMetaObject>
#include <atomic>
#include <mutex>
#include <thread>
#include <variant>

#include "core/train/experiment.h"
#include "core/train/trainer.h"
#include "ui/process_run.h"

namespace crisp::ui {

RunPhase phaseOf(RunState state) {
  switch (state) {
    case RunState::Created: return RunPhase::Created;
    case RunState::Running: return RunPhase::Running;
    case RunState::Paused: return RunPhase::Paused;
    case RunState::Finished: return RunPhase::Finished;
    case RunState::Stopped: return RunPhase::Stopped;
    case RunState::Cancelled: return RunPhase::Cancelled;
    case RunState::Failed: return RunPhase::Failed;
  }
  return RunPhase::Failed;
}

namespace {

// The one conversion of core's events into the session's signals, for both backends.
void emitEvent(TrainingSession& session, RunId run, const TrainingEvent& event) {
  if (const auto* s = std::get_if<StepEvent>(&event)) {
    StepPoint point;
    point.run = run;
    point.step = s->step;
    point.epoch = s->epoch;
    point.loss = s->loss;
    point.learningRate = s->learningRate;
    point.seconds = s->elapsedSeconds;
    Q_EMIT session.stepReported(point);
  } else if (const auto* e = std::get_if<EvaluationEvent>(&event)) {
    EvalPoint point;
    point.run = run;
    point.step = e->step;
    point.epoch = e->epoch;
    point.loss = e->metrics.loss;
    point.accuracy = e->metrics.accuracy;
    point.macroF1 = e->metrics.macroF1;
    point.seconds = e->elapsedSeconds;
    point.best = e->best;
    Q_EMIT session.evaluated(point);
  } else if (const auto* p = std::get_if<ProgressEvent>(&event)) {
    ProgressInfo progress;
    progress.run = run;
    progress.step = p->step;
    progress.totalSteps = p->totalSteps;
    progress.sentencesPerSecond = p->sentencesPerSecond;
    progress.etaSeconds = p->etaSeconds;
    Q_EMIT session.progressed(progress);
  } else if (const auto* a = std::get_if<AttentionSnapshot>(&event)) {
    Q_EMIT session.attentionCaptured(attentionFrame(*a, run));
  } else if (const auto* m = std::get_if<MessageEvent>(&event)) {
    Q_EMIT session.message(QString::fromStdString(m->text), m->level == MessageEvent::Level::Error);
  } else if (const auto* st = std::get_if<StateEvent>(&event)) {
    Q_EMIT session.stateChanged(run, phaseOf(st->state), QString::fromStdString(st->message));
  }
}

}  // namespace

struct TrainingSession::Worker {
  std::thread thread;
  std::mutex mutex;  // guards trainer (created on the worker thread)
  std::unique_ptr<Trainer> trainer;
  std::atomic<bool> active{false}, drainPending{false}, stopRequested{false};
  QString runDirectory;
  RunId run = 0;  // the current run's id; read and written on the GUI thread only
  // The multi-process backend (GUI thread only): the current run's, when it has several.
  ProcessRun* process = nullptr;
  int processes = 1;
  QString crisp;  // empty: beside the application
};

TrainingSession::TrainingSession(QObject* parent)
    : QObject(parent), worker_(std::make_unique<Worker>()) {
  qRegisterMetaType<StepPoint>();
  qRegisterMetaType<EvalPoint>();
  qRegisterMetaType<ProgressInfo>();
  qRegisterMetaType<AttentionFrame>();
  qRegisterMetaType<RunId>("crisp::ui::RunId");
  qRegisterMetaType<RunPhase>();
}

TrainingSession::~TrainingSession() {
  stop();
  wait();
  delete worker_->process;  // while what it reports to still exists
  worker_->process = nullptr;
}

bool TrainingSession::start(const ExperimentConfig& config, const QString& runDirectory,
                            int processes) {
  if (isActive()) {
    Q_EMIT message(tr("A run is already active; stop it first."), true);
    return false;
  }
  wait();  // join a finished previous run
  if (worker_->process) {
    // A finished one; later, since this may run inside its `finished` (a slot starting again).
    worker_->process->deleteLater();
    worker_->process = nullptr;
  }
  if (processes > 1) return startProcesses(config, runDirectory, processes);
  worker_->processes = 1;
  const RunId run = ++worker_->run;
  worker_->active = true;
  worker_->stopRequested = false;
  worker_->drainPending = false;
  worker_->runDirectory = runDirectory;
  Q_EMIT stateChanged(run, RunPhase::Preparing, tr("Reading data and building the model"));
  const std::string directory = runDirectory.toStdString();
  worker_->thread = std::thread([this, config, directory, run] {
    RunState state = RunState::Failed;
    try {
      PreparedExperiment prepared = prepareExperiment(config, directory);
      {
        std::lock_guard lock(worker_->mutex);
        worker_->trainer = std::make_unique<Trainer>(std::move(prepared.inputs), config.hyper,
                                                     directory, prepared.runConfig);
        worker_->trainer->events().setNotifier([this, run] {
          // Coalesce: one queued drain per burst of events.
          if (!worker_->drainPending.exchange(true)) {
            QMetaObject::invokeMethod(
                this, [this, run] { drainEvents(run); }, Qt::QueuedConnection);
          }
        });
        if (worker_->stopRequested) worker_->trainer->control().stop();
      }
      state = worker_->trainer->run();
    } catch (const std::exception& e) {
      const QString text = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(
          this,
          [this, run, text] {
            if (run == worker_->run) Q_EMIT message(text, true);
          },
          Qt::QueuedConnection);
    }
    const RunPhase phase = phaseOf(state);
    worker_->active = false;
    QMetaObject::invokeMethod(
        this,
        [this, run, phase] {
          if (run != worker_->run) return;  // a newer run started meanwhile
          drainEvents(run);
          Q_EMIT finished(run, phase);
        },
        Qt::QueuedConnection);
  });
  return true;
}

RunId TrainingSession::currentRun() const {
  return worker_->run;
}

void TrainingSession::drainEvents(RunId run) {
  if (run != worker_->run) return;  // queued by a previous run's trainer, now replaced
  worker_->drainPending = false;
  std::vector<TrainingEvent> events;
  {
    std::lock_guard lock(worker_->mutex);
    if (!worker_->trainer) return;
    events = worker_->trainer->events().drain();
  }
  for (const TrainingEvent& event : events) emitEvent(*this, run, event);
}

bool TrainingSession::startProcesses(const ExperimentConfig& config, const QString& runDirectory,
                                     int processes) {
  const RunId run = worker_->run + 1;
  ProcessRun::Receiver receiver;
  // The process run belongs to this run alone (a new start replaces it), yet its id is checked
  // as the worker's queued signals are.
  receiver.event = [this, run](const TrainingEvent& event) {
    if (run == worker_->run) emitEvent(*this, run, event);
  };
  receiver.message = [this, run](const QString& text, bool isError) {
    if (run == worker_->run) Q_EMIT message(text, isError);
  };
  receiver.paused = [this, run, processes] {
    if (run != worker_->run) return;
    Q_EMIT stateChanged(
        run, RunPhase::Paused,
        tr("checkpoint written, the %1 processes ended; Resume starts them again").arg(processes));
  };
  receiver.finished = [this, run](RunPhase phase) {
    if (run == worker_->run) Q_EMIT finished(run, phase);
  };
  auto* process = new ProcessRun(crispExecutable(), std::move(receiver), this);
  QString error;
  if (!process->prepare(config, runDirectory, processes, &error)) {
    delete process;
    Q_EMIT message(error, true);
    return false;
  }
  worker_->run = run;
  worker_->process = process;
  worker_->processes = processes;
  worker_->runDirectory = runDirectory;
  Q_EMIT stateChanged(run, RunPhase::Preparing,
                      tr("Starting %1 data-parallel processes").arg(processes));
  process->launch();
  return true;
}

void TrainingSession::pause() {
  if (ProcessRun* process = worker_->process) {
    if (!process->isActive() || process->isPaused()) return;
    process->pause();
    Q_EMIT stateChanged(worker_->run, RunPhase::Running,
                        tr("pausing: writing a checkpoint, then the processes end"));
    return;
  }
  std::lock_guard lock(worker_->mutex);
  if (worker_->trainer) worker_->trainer->control().pause();
}

void TrainingSession::resume() {
  if (ProcessRun* process = worker_->process) {
    if (!process->isPaused()) return;
    process->resume();
    Q_EMIT stateChanged(worker_->run, RunPhase::Preparing,
                        tr("Starting %1 data-parallel processes again").arg(worker_->processes));
    return;
  }
  std::lock_guard lock(worker_->mutex);
  if (worker_->trainer) worker_->trainer->control().resume();
}

void TrainingSession::stop() {
  if (worker_->process) {
    worker_->process->stop();
    return;
  }
  worker_->stopRequested = true;
  std::lock_guard lock(worker_->mutex);
  if (worker_->trainer) worker_->trainer->control().stop();
}

bool TrainingSession::isActive() const {
  return worker_->active || (worker_->process && worker_->process->isActive());
}

int TrainingSession::processes() const {
  return worker_->processes;
}

QString TrainingSession::crispExecutable() const {
  return worker_->crisp.isEmpty()
             ? QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("crisp"))
             : worker_->crisp;
}

void TrainingSession::setCrispExecutable(const QString& path) {
  worker_->crisp = path;
}

QString TrainingSession::runDirectory() const {
  return worker_->runDirectory;
}

void TrainingSession::wait() {
  if (worker_->process) worker_->process->wait();
  if (worker_->thread.joinable()) worker_->thread.join();
}

}  // namespace crisp::ui
