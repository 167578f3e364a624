#pragma once

#include <QSize>
#include <QString>

class QCustomPlot;

namespace crisp::ui {

// Writes a plot as a figure for papers, the format chosen by the file's suffix: .png (size in
// pixels at `dpi`... i.e. size in points scaled by dpi/72), .pdf (vector, fonts embedded), .svg
// (vector, through QSvgGenerator). Returns an error message, empty on success.
QString exportPlot(QCustomPlot& plot, const QString& path, QSize sizePoints, int dpi = 300);

// The plot's graphs as CSV: one row per point, columns graph,x,y.
QString exportPlotData(const QCustomPlot& plot, const QString& path);

}  // namespace crisp::ui
