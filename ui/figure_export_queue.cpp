#include "ui/figure_export_queue.h"

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QtConcurrent>

namespace crisp::ui {

FigureExportQueue::FigureExportQueue(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(1);  // one at a time: exports are written in the order asked for
}

FigureExportQueue::~FigureExportQueue() {
  pool_.waitForDone();
}

void FigureExportQueue::exportFigure(QCustomPlot& plot, const QString& path, QSize sizePoints,
                                     int dpi) {
  enqueue(path, [figure = recordFigure(plot, sizePoints), path, dpi] {
    FigureSetResult result;
    if (const QString error = writeFigure(figure, path, dpi); error.isEmpty()) {
      result.written << path;
    } else {
      result.errors << error;
    }
    return result;
  });
}

void FigureExportQueue::exportFigureSet(const QList<FigureSpec>& figures, const QString& folder,
                                        int dpi) {
  enqueue(folder, [recorded = recordFigureSet(figures), folder, dpi] {
    return writeFigureSet(recorded, folder, dpi);
  });
}

void FigureExportQueue::enqueue(const QString& target, std::function<FigureSetResult()> write) {
  ++pending_;
  auto* watcher = new QFutureWatcher<FigureSetResult>(this);
  connect(watcher, &QFutureWatcher<FigureSetResult>::finished, this, [this, watcher, target] {
    watcher->deleteLater();
    --pending_;
    const FigureSetResult result = watcher->result();
    Q_EMIT finished(target, result.written, result.errors);
  });
  watcher->setFuture(QtConcurrent::run(&pool_, std::move(write)));
}

void FigureExportQueue::waitForDone() {
  while (pending_ > 0) {
    pool_.waitForDone();
    QCoreApplication::processEvents();  // the watchers report
  }
}

}  // namespace crisp::ui
