#pragma once

#include <QFutureWatcher>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

namespace crisp {
struct Prediction;
}

namespace crisp::ui {

class ModelSnapshot;

// Runs sentences through a snapshot's current model off the GUI thread, one at a time in the
// order asked, and delivers each prediction on the GUI thread. A request supersedes an earlier
// one with the same key: a waiting one is dropped, and a running one's result is never
// delivered. The attention view keys requests by sentence (every probe is shown), the predict
// view uses one key (only the latest text counts).
class InferenceService : public QObject {
  Q_OBJECT
 public:
  explicit InferenceService(QObject* parent = nullptr);
  ~InferenceService() override;  // waits for the inference in flight

  void setSnapshot(ModelSnapshot* snapshot);
  ModelSnapshot* snapshot() const { return snapshot_; }
  bool hasModel() const;
  // Without a model, the request and those waiting are dropped.
  void request(const QString& text, const QString& key = QString());

 Q_SIGNALS:
  void inferred(const QString& text, const crisp::Prediction& prediction);
  void failed(const QString& text, const QString& message);

 private:
  struct Request {
    QString key, text;
  };
  void runNext();
  void finish();
  QPointer<ModelSnapshot> snapshot_;
  QFutureWatcher<Prediction>* running_;
  Request current_;
  bool busy_ = false;
  bool superseded_ = false;  // current_'s key was asked again while it ran
  QList<Request> waiting_;
};

}  // namespace crisp::ui
