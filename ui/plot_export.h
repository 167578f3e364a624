#pragma once

#include <QList>
#include <QPicture>
#include <QSize>
#include <QString>
#include <QStringList>

class QCustomPlot;

namespace crisp::ui {

// A plot drawn once in the paper style (PaperFigure: 7-8 pt DejaVu Sans, no title, the legend off
// the data, white) at a figure's size, kept as drawing commands. Recording must happen on the GUI
// thread (QCustomPlot is not thread-safe) and takes milliseconds; rasterising, encoding and
// writing the files (most of an export's time) may then happen on any thread.
struct RecordedFigure {
  QString name;  // the files' base name in a figure set, the title in a PDF or SVG
  QSize sizePoints;
  QPicture picture;  // in points
  QString csv;       // the plot's data (plotDataCsv), recorded for figure sets only
};
RecordedFigure recordFigure(QCustomPlot& plot, QSize sizePoints);

// Writes a recorded figure in the format chosen by the file's suffix: .png (size in points scaled
// by dpi/72, the DPI recorded in the file), .pdf (vector, fonts embedded), .svg (vector, text as
// outlines; 1 unit = 1 pt). Returns an error message, empty on success. Any thread.
QString writeFigure(const RecordedFigure& figure, const QString& path, int dpi = 300);

// recordFigure and writeFigure in one go, on the GUI thread.
QString exportPlot(QCustomPlot& plot, const QString& path, QSize sizePoints, int dpi = 300);

// The plot's data as CSV: its graphs as rows graph,x,y; a plot of colour maps only (heatmaps) as
// rows map,x,y,x_label,y_label,value (cell indices and their tick labels, e.g. tokens).
QString plotDataCsv(const QCustomPlot& plot);
// plotDataCsv written to `path`; returns an error message, empty on success.
QString exportPlotData(const QCustomPlot& plot, const QString& path);

// Figure sizes for a two-column paper, in points (72 per inch).
inline constexpr QSize kSingleColumnFigure{252, 180};  // 3.5 x 2.5 in (one column)
inline constexpr QSize kDoubleColumnFigure{504, 216};  // 7 x 3 in (text width)
// The attention figures: two square-ish heatmaps and their token labels need the height.
inline constexpr QSize kSingleColumnHeatmap{252, 216};  // 3.5 x 3 in
inline constexpr QSize kDoubleColumnHeatmap{504, 252};  // 7 x 3.5 in

// One figure of a set: `name` becomes name.pdf, name.png, name.svg and name.csv.
struct FigureSpec {
  QCustomPlot* plot = nullptr;
  QString name;
  QSize sizePoints = kSingleColumnFigure;
};

struct FigureSetResult {
  QStringList written;  // absolute paths
  QStringList errors;
  bool ok() const { return errors.isEmpty(); }
};

// Each figure recorded (recordFigure) with its data, on the GUI thread; null plots are skipped.
QList<RecordedFigure> recordFigureSet(const QList<FigureSpec>& figures);
// Writes every recorded figure as PDF, PNG (at dpi) and SVG plus its CSV data into `folder`
// (created if needed). Any thread.
FigureSetResult writeFigureSet(const QList<RecordedFigure>& figures, const QString& folder,
                               int dpi = 300);
// recordFigureSet and writeFigureSet in one go, on the GUI thread. The plots look as before
// afterwards.
FigureSetResult exportFigureSet(const QList<FigureSpec>& figures, const QString& folder,
                                int dpi = 300);

}  // namespace crisp::ui
