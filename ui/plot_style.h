#pragma once

#include <QColor>

#include "ui/qcp.h"

class QPalette;

namespace crisp::ui {

// Viridis (perceptually uniform, readable in greyscale print); QCustomPlot 2.1.0 lacks it.
QCPColorGradient viridisGradient();

// Okabe & Ito's colour-blind-safe palette (2008) without its black, in the order its colours
// stay apart for the common colour vision deficiencies and in greyscale: blue, vermillion,
// bluish green, reddish purple, orange, sky blue, yellow.
inline const QColor kOkabeIto[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115}, {204, 121, 167},
                                   {230, 159, 0}, {86, 180, 233}, {240, 228, 66}};

// The colours of a plot's frame (background, axes, ticks and their labels, grid, legend, titles)
// and its neutral inks. On screen they follow the studio's theme; figures are always on paper.
struct PlotColours {
  QColor background, foreground;

  static PlotColours paper();                       // black on white
  static PlotColours fromPalette(const QPalette&);  // text on base, the theme's

  // A grey `strength` of the way from the background (0) to the foreground (1): on paper 0.92 is
  // (20, 20, 20), 0.22 the grid's (200, 200, 200).
  QColor ink(double strength, int alpha = 255) const;
  // A grey of these colours (as strong) in `other`'s; other colours as they are.
  QColor translated(const QColor& colour, const PlotColours& other) const;
};

// The colour of a run's colour slot (RunPalette::slot): Okabe-Ito's for the sparse runs (>= 0),
// greys from the foreground for the dense baselines (< 0; on paper 20, 110, 165), so a baseline
// stands apart from every sparse run, in colour and in print, in either theme.
QColor slotColour(int slot, const PlotColours& colours);

// Paints the plot's frame in `colours` (its data keep theirs). Does not replot.
void applyPlotColours(QCustomPlot& plot, const PlotColours& colours);
// Keeps the plot's frame in its palette's colours: now, and whenever the theme changes.
void followTheme(QCustomPlot& plot);

}  // namespace crisp::ui
