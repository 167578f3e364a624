#pragma once

#include <QString>

namespace crisp::ui {

// Applies the studio's "light" or "dark" theme (Fusion style with a matching palette) to the
// whole application. Plots keep white backgrounds in both: they are figures for papers.
void applyTheme(const QString& theme);

}  // namespace crisp::ui
