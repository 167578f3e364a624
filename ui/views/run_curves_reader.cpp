#include "ui/views/run_curves_reader.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace crisp::ui {

RunCurvesReader::RunCurvesReader(QObject* owner, std::function<void(Result)> done)
    : owner_(owner), done_(std::move(done)) {}

void RunCurvesReader::read(const QStringList& paths) {
  const int request = ++request_;
  auto* watcher = new QFutureWatcher<Result>(owner_);
  QObject::connect(watcher, &QFutureWatcher<Result>::finished, owner_, [this, watcher, request] {
    watcher->deleteLater();
    if (request == request_) done_(watcher->result());
  });
  watcher->setFuture(QtConcurrent::run([paths] {
    Result result;
    for (const QString& path : paths) {
      try {
        result.runs.emplace_back(path, readRunCurves(path.toStdString()));
      } catch (const std::exception&) {
        result.unreadable << path;
      }
    }
    return result;
  }));
}

}  // namespace crisp::ui
