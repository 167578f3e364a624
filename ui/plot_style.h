#pragma once

#include "ui/qcp.h"

namespace crisp::ui {

// Viridis (perceptually uniform, readable in greyscale print); QCustomPlot 2.1.0 lacks it.
QCPColorGradient viridisGradient();

}  // namespace crisp::ui
