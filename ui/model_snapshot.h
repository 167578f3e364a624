#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>

namespace crisp {
class Predictor;
}

namespace crisp::ui {

// A run's newest checkpoint loaded as a Predictor, off the GUI thread. Views share one snapshot
// (the weights are loaded once); follow() again after each evaluation to pick up new weights.
class ModelSnapshot : public QObject {
  Q_OBJECT
 public:
  explicit ModelSnapshot(QObject* parent = nullptr);
  ~ModelSnapshot() override;  // waits for a load in flight

  // Loads the run's newest checkpoint in the background; a run without one yet is remembered
  // and nothing happens. A call while a load runs is queued (only the latest is kept).
  void follow(const QString& runDirectory);
  std::shared_ptr<Predictor> predictor() const { return predictor_; }
  QString runDirectory() const { return loadedRun_; }
  // The step of the checkpoint the predictor holds, as core loaded it (not as the folder looked
  // when loading began: a newer checkpoint may have landed in between).
  qint64 checkpointStep() const;
  // "<run folder> · step N", or "" before anything loaded.
  QString describe() const;
  void waitForLoad() { loading_.waitForFinished(); }

 Q_SIGNALS:
  void loaded();
  void failed(const QString& message);

 private:
  void startLoad(const QString& runDirectory);
  QFutureWatcher<std::shared_ptr<Predictor>> loading_;
  std::shared_ptr<Predictor> predictor_;
  QString loadingRun_, loadedRun_, pending_;
};

}  // namespace crisp::ui
