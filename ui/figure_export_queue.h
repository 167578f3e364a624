#pragma once

#include <QObject>
#include <QThreadPool>

#include "ui/plot_export.h"

namespace crisp::ui {

// Figure exports that leave the GUI responsive. Each plot is recorded in the paper style on the
// GUI thread (recordFigure: milliseconds; QCustomPlot is not thread-safe); rasterising, PNG
// encoding and writing (nearly all of an export's time) run on one worker thread. Exports asked
// for while one runs wait their turn, in order.
class FigureExportQueue : public QObject {
  Q_OBJECT
 public:
  explicit FigureExportQueue(QObject* parent = nullptr);
  ~FigureExportQueue() override;  // waits for the exports queued

  // One figure, its format chosen by the path's suffix (writeFigure).
  void exportFigure(QCustomPlot& plot, const QString& path, QSize sizePoints, int dpi = 300);
  // A figure set into `folder` (writeFigureSet).
  void exportFigureSet(const QList<FigureSpec>& figures, const QString& folder, int dpi = 300);
  // Exports queued or being written.
  int pending() const { return pending_; }
  // Blocks until every queued export is written and reported (shutdown and tests).
  void waitForDone();

 Q_SIGNALS:
  // An export was written (errors empty) or failed; `target` is its file or folder, `written`
  // the files it wrote.
  void finished(const QString& target, const QStringList& written, const QStringList& errors);

 private:
  void enqueue(const QString& target, std::function<FigureSetResult()> write);

  QThreadPool pool_;
  int pending_ = 0;
};

}  // namespace crisp::ui
