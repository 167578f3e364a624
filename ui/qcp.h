#pragma once
// Include QCustomPlot through this header only. Its header uses Qt's `signals` and `foreach`
// keywords, which the project turns off with QT_NO_KEYWORDS (LibTorch uses `slots` as an
// identifier; docs/ARCHITECTURE.md, "Platform hazards"); map them for this one header, then
// drop them again.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef foreach
#undef slots
#undef signals
