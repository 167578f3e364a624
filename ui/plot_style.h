#pragma once

#include "ui/qcp.h"

namespace crisp::ui {

// Viridis (perceptually uniform, readable in greyscale print); QCustomPlot 2.1.0 lacks it.
QCPColorGradient viridisGradient();

// Okabe & Ito's colour-blind-safe palette (2008) without its black, in the order its colours
// stay apart for the common colour vision deficiencies and in greyscale: blue, vermillion,
// bluish green, reddish purple, orange, sky blue, yellow.
inline const QColor kOkabeIto[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115}, {204, 121, 167},
                                   {230, 159, 0}, {86, 180, 233}, {240, 228, 66}};

}  // namespace crisp::ui
