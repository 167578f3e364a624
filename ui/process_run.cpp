#include "ui/process_run.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <QDir>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QProcess>
#include <QTemporaryFile>
#include <QTimer>

#include "core/train/experiment.h"
#include "core/train/run_follower.h"
#include "ui/training_session.h"

namespace crisp::ui {

ProcessRun::ProcessRun(QString crispExecutable, Receiver receiver, QObject* parent)
    : QObject(parent), crisp_(std::move(crispExecutable)), receiver_(std::move(receiver)) {
  watcher_ = new QFileSystemWatcher(this);
  connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &ProcessRun::poll);
  connect(watcher_, &QFileSystemWatcher::fileChanged, this, &ProcessRun::poll);
  timer_ = new QTimer(this);
  timer_->setInterval(500);
  connect(timer_, &QTimer::timeout, this, &ProcessRun::poll);
}

ProcessRun::~ProcessRun() {
  if (running_) {
    stop();
    wait();
  }
}

bool ProcessRun::prepare(const ExperimentConfig& config, const QString& runDirectory, int processes,
                         QString* error) {
  const QFileInfo crisp(crisp_);
  if (!crisp.isFile() || !crisp.isExecutable()) {
    *error = tr("Cannot start a run on %1 processes: the crisp command is missing at %2 (the "
                "studio runs the crisp installed beside crisp-studio).")
                 .arg(processes)
                 .arg(crisp_);
    return false;
  }
  // The experiment as core writes it (config.json's "experiment"), which `crisp train
  // --experiment` reads back whole; the ranks read it at their start, the file lives as long
  // as the run. On an existing run directory (a resume, or after a pause) training continues
  // from its newest checkpoint, as `crisp resume` does.
  experimentFile_ = std::make_unique<QTemporaryFile>(
      QDir(QDir::tempPath()).filePath(QStringLiteral("crisp-studio-experiment-XXXXXX.json")));
  const QByteArray json = QByteArray::fromStdString(config.toJson().dump(2) + "\n");
  if (!experimentFile_->open() || experimentFile_->write(json) != json.size() ||
      !experimentFile_->flush()) {
    *error = tr("Cannot write the experiment file %1: %2")
                 .arg(experimentFile_->fileName(), experimentFile_->errorString());
    return false;
  }
  experimentFile_->close();
  runDirectory_ = runDirectory;
  // --quiet: no progress lines (the run directory gives the progress), warnings and errors.
  arguments_ = QStringList{QStringLiteral("--quiet"),      QStringLiteral("train"),
                           QStringLiteral("--experiment"), experimentFile_->fileName(),
                           QStringLiteral("--out"),        runDirectory,
                           QStringLiteral("--nproc"),      QString::number(processes)};
  return true;
}

void ProcessRun::launch() {
  if (process_) process_->deleteLater();  // a paused run's ended launcher
  follower_ = std::make_unique<RunFollower>(runDirectory_.toStdString());
  errors_.clear();
  stderrTail_.clear();
  stopRequested_ = pauseRequested_ = paused_ = false;
  pid_ = 0;
  process_ = new QProcess(this);
  process_->setProgram(crisp_);
  process_->setArguments(arguments_);
  process_->setStandardInputFile(QProcess::nullDevice());
  process_->setStandardOutputFile(QProcess::nullDevice());  // the result line: state.json says it
  process_->setChildProcessModifier([] {
    ::setpgid(0, 0);                         // its own group: the ranks can be killed together
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);      // the studio gone: stop with a checkpoint
    if (::getppid() == 1) ::raise(SIGTERM);  // it went before prctl
  });
  connect(process_, &QProcess::readyReadStandardError, this, &ProcessRun::readErrors);
  connect(process_, &QProcess::started, this, [this] {
    pid_ = process_->processId();
    if (stopRequested_) ::kill(static_cast<pid_t>(pid_), SIGTERM);
  });
  connect(process_, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
    onFinished(exitCode, status == QProcess::CrashExit);
  });
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError failure) {
    if (failure != QProcess::FailedToStart || !running_) return;  // others end in `finished`
    errors_ << tr("Cannot start %1: %2").arg(crisp_, process_->errorString());
    onFinished(-1, true);
  });
  running_ = true;
  process_->start();
  timer_->start();
  poll();  // sets up the watches
}

void ProcessRun::poll() {
  if (!follower_) return;
  // Watched once they exist (rank 0 creates them; until then the folder above is watched); a
  // file replaced by a rename loses its watch.
  const QString parent = QFileInfo(runDirectory_).absolutePath();
  const bool created = QFileInfo::exists(runDirectory_);
  if (created && watcher_->directories().contains(parent)) watcher_->removePath(parent);
  for (const QString& path : {created ? runDirectory_ : parent,
                              QDir(runDirectory_).filePath(QStringLiteral("metrics.jsonl"))}) {
    if (QFileInfo::exists(path) && !watcher_->files().contains(path) &&
        !watcher_->directories().contains(path)) {
      watcher_->addPath(path);
    }
  }
  std::vector<TrainingEvent> events;
  try {
    events = follower_->poll();
  } catch (const std::exception&) {
    // A file caught while it was being replaced: read again at the next poll.
    return;
  }
  for (const TrainingEvent& event : events) {
    // Stopped for a pause: the run is reported paused instead, once the processes have ended.
    const auto* state = std::get_if<StateEvent>(&event);
    if (pauseRequested_ && state && state->state == RunState::Stopped) continue;
    receiver_.event(event);
  }
}

void ProcessRun::readErrors() {
  stderrTail_ += process_->readAllStandardError();
  qsizetype end;
  while ((end = stderrTail_.indexOf('\n')) >= 0) {
    const QString line = QString::fromUtf8(stderrTail_.left(end)).trimmed();
    stderrTail_.remove(0, end + 1);
    if (line.isEmpty()) continue;
    if (line.contains(QLatin1String("error:")) || line.contains(QLatin1String("killed"))) {
      errors_ << line;
    } else {
      receiver_.message(line, false);
    }
  }
}

void ProcessRun::stop() {
  if (paused_) {  // it stopped with its checkpoint when it paused
    paused_ = false;
    experimentFile_.reset();
    receiver_.finished(RunPhase::Stopped);
    return;
  }
  stopRequested_ = true;
  pauseRequested_ = false;
  if (running_ && pid_ > 0) ::kill(static_cast<pid_t>(pid_), SIGTERM);  // forwarded to the ranks
}

void ProcessRun::pause() {
  if (!running_ || stopRequested_) return;
  stop();
  pauseRequested_ = true;
}

void ProcessRun::resume() {
  if (paused_) launch();
}

void ProcessRun::wait() {
  if (!running_ || process_ == nullptr) return;
  if (!stopRequested_) {
    process_->waitForFinished(-1);
    return;
  }
  if (!process_->waitForFinished(kStopGraceMs) && running_) {
    if (pid_ > 0) ::kill(-static_cast<pid_t>(pid_), SIGKILL);  // the launcher and its ranks
    process_->waitForFinished(10000);
  }
}

void ProcessRun::onFinished(int exitCode, bool crashed) {
  if (!running_) return;
  timer_->stop();
  if (process_->state() == QProcess::NotRunning) {
    stderrTail_ += process_->readAllStandardError() + '\n';
    readErrors();
  }
  poll();  // what rank 0 wrote last
  running_ = false;
  RunPhase phase = RunPhase::Failed;
  const std::optional<RunState> state = follower_->lastState();
  if (state && *state != RunState::Running && *state != RunState::Paused &&
      *state != RunState::Created) {
    phase = phaseOf(*state);
  } else if (!crashed && exitCode == 0) {
    phase = RunPhase::Finished;
  } else if (stopRequested_) {
    phase = RunPhase::Stopped;  // before rank 0 wrote anything
  }
  if (phase == RunPhase::Failed && errors_.isEmpty()) {
    errors_ << (crashed ? tr("%1 ended abnormally").arg(crisp_)
                        : tr("%1 exited with code %2").arg(crisp_).arg(exitCode));
  }
  if (!errors_.isEmpty()) receiver_.message(errors_.join(QLatin1Char('\n')), true);
  errors_.clear();
  // Paused: stopped with a checkpoint, as asked (a run that finished or failed meanwhile ends).
  if (pauseRequested_ && phase == RunPhase::Stopped && state) {
    pauseRequested_ = stopRequested_ = false;
    paused_ = true;
    receiver_.paused();
    return;
  }
  experimentFile_.reset();
  receiver_.finished(phase);
}

}  // namespace crisp::ui
