#include "ui/inference_service.h"

#include <QtConcurrent>
#include <optional>

#include "core/train/predictor.h"
#include "ui/model_snapshot.h"

namespace crisp::ui {

InferenceService::InferenceService(QObject* parent)
    : QObject(parent), running_(new QFutureWatcher<Prediction>(this)) {
  connect(running_, &QFutureWatcher<Prediction>::finished, this, &InferenceService::finish);
}

InferenceService::~InferenceService() {
  running_->waitForFinished();
}

void InferenceService::setSnapshot(ModelSnapshot* snapshot) {
  snapshot_ = snapshot;
}

bool InferenceService::hasModel() const {
  return snapshot_ && snapshot_->predictor();
}

void InferenceService::request(const QString& text, const QString& key) {
  if (busy_ && current_.key == key) superseded_ = true;
  waiting_.removeIf([&key](const Request& r) { return r.key == key; });
  waiting_.append({key, text});
  runNext();
}

void InferenceService::runNext() {
  if (busy_ || waiting_.isEmpty()) return;
  if (!hasModel()) {
    waiting_.clear();
    return;
  }
  current_ = waiting_.takeFirst();
  busy_ = true;
  superseded_ = false;
  const auto predictor = snapshot_->predictor();
  const std::string utf8 = current_.text.toStdString();
  running_->setFuture(QtConcurrent::run([predictor, utf8] { return predictor->predict(utf8); }));
}

void InferenceService::finish() {
  busy_ = false;
  const QString text = current_.text;  // a receiver may request again while it handles this
  if (!superseded_) {
    std::optional<Prediction> prediction;
    try {
      prediction = running_->result();
    } catch (const std::exception& e) {
      Q_EMIT failed(text, QString::fromUtf8(e.what()));
    }
    if (prediction) Q_EMIT inferred(text, *prediction);
  }
  runNext();
}

}  // namespace crisp::ui
