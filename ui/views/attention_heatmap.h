#pragma once

#include <QSharedPointer>
#include <QString>
#include <QStringList>
#include <QVector>

#include "ui/qcp.h"

namespace crisp::ui {

// The token × token heatmaps shared by the attention view's panels and its learned-mask plot:
// query tokens down, key tokens across, one cell per pair.

// An empty plot for heatmaps, and a colour scale of probabilities (0 to 1) for it, to place.
QCustomPlot* newHeatmapPlot(QWidget* parent, const QString& objectName, int minimumHeight);
QCPColorScale* newProbabilityScale(QCustomPlot* plot, const QString& label,
                                   const QCPColorGradient& gradient);

// A titled heatmap in column `column` of the plot (title row 0, map row 1), coloured by `scale`.
QCPColorMap* addHeatmap(QCustomPlot* plot, int column, const QString& title, QCPColorScale* scale);

// [query][key] of the shown tokens, from a full [length, length] matrix.
QVector<QVector<double>> submatrix(const float* full, int length, const QVector<int>& shown);

// The shown tokens as the axes' tick labels.
QSharedPointer<QCPAxisTickerText> tokenTicker(const QStringList& tokens, const QVector<int>& shown);

// Puts values ([query][key]) into the map, labelled by ticker on both axes.
void fillHeatmap(QCPColorMap* map, const QVector<QVector<double>>& values,
                 const QSharedPointer<QCPAxisTickerText>& ticker);

}  // namespace crisp::ui
