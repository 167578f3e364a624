#pragma once

#include <QString>

namespace crisp::ui {

// Applies the studio's "light" or "dark" theme (Fusion style with a matching palette) to the
// whole application. Plots on screen follow it (followTheme); exported figures stay black on
// white (PaperFigure).
void applyTheme(const QString& theme);

}  // namespace crisp::ui
