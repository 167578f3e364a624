#include "ui/model_snapshot.h"

#include <QFileInfo>
#include <QtConcurrent>

#include "core/train/predictor.h"
#include "core/train/run_directory.h"

namespace crisp::ui {
namespace {

// The newest complete checkpoint, as core counts them (-1 when there is none yet).
int64_t newestCheckpointStep(const QString& runDirectory) {
  const std::vector<int64_t> steps = RunDirectory(runDirectory.toStdString()).checkpointSteps();
  return steps.empty() ? -1 : steps.back();
}

}  // namespace

ModelSnapshot::ModelSnapshot(QObject* parent) : QObject(parent) {
  connect(&loading_, &QFutureWatcher<std::shared_ptr<Predictor>>::finished, this, [this] {
    try {
      predictor_ = loading_.result();
      loadedRun_ = loadingRun_;
      Q_EMIT loaded();
    } catch (const std::exception& e) {
      Q_EMIT failed(QString::fromUtf8(e.what()));
    }
    if (!pending_.isEmpty()) startLoad(std::exchange(pending_, QString()));
  });
}

ModelSnapshot::~ModelSnapshot() {
  loading_.waitForFinished();
}

void ModelSnapshot::follow(const QString& runDirectory) {
  if (runDirectory.isEmpty()) return;
  if (loading_.isRunning()) {
    pending_ = runDirectory;
    return;
  }
  startLoad(runDirectory);
}

void ModelSnapshot::startLoad(const QString& runDirectory) {
  const int64_t newest = newestCheckpointStep(runDirectory);
  if (newest < 0) return;  // nothing to load before the first evaluation
  if (runDirectory == loadedRun_ && predictor_ && newest == predictor_->checkpointStep()) return;
  loadingRun_ = runDirectory;
  const std::string dir = runDirectory.toStdString();
  loading_.setFuture(QtConcurrent::run([dir] { return Predictor::fromRun(dir); }));
}

qint64 ModelSnapshot::checkpointStep() const {
  return predictor_ ? predictor_->checkpointStep() : -1;
}

QString ModelSnapshot::describe() const {
  if (!predictor_) return QString();
  return tr("%1 · step %2").arg(QFileInfo(loadedRun_).fileName()).arg(checkpointStep());
}

}  // namespace crisp::ui
