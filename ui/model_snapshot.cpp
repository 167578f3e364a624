#include "ui/model_snapshot.h"

#include <QDir>
#include <QFileInfo>
#include <QtConcurrent>

#include "core/train/predictor.h"

namespace crisp::ui {
namespace {

QString newestCheckpoint(const QString& runDirectory) {
  // Names are zero-padded ("step-00000120"), so the last in name order is the newest.
  const QStringList checkpoints =
      QDir(runDirectory + QStringLiteral("/checkpoints"))
          .entryList({QStringLiteral("step-*")}, QDir::Dirs, QDir::Name);
  return checkpoints.isEmpty() ? QString() : checkpoints.last();
}

}  // namespace

ModelSnapshot::ModelSnapshot(QObject* parent) : QObject(parent) {
  connect(&loading_, &QFutureWatcher<std::shared_ptr<Predictor>>::finished, this, [this] {
    try {
      predictor_ = loading_.result();
      loadedRun_ = loadingRun_;
      loadedCheckpoint_ = loadingCheckpoint_;
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
  const QString checkpoint = newestCheckpoint(runDirectory);
  if (checkpoint.isEmpty()) return;  // nothing to load before the first evaluation
  if (runDirectory == loadedRun_ && checkpoint == loadedCheckpoint_ && predictor_) return;
  loadingRun_ = runDirectory;
  loadingCheckpoint_ = checkpoint;
  const std::string dir = runDirectory.toStdString();
  loading_.setFuture(QtConcurrent::run([dir] { return Predictor::fromRun(dir); }));
}

QString ModelSnapshot::describe() const {
  if (!predictor_) return QString();
  const QString step = QString::number(loadedCheckpoint_.mid(5).toLongLong());
  return tr("%1 · step %2").arg(QFileInfo(loadedRun_).fileName(), step);
}

}  // namespace crisp::ui
