#pragma once

#include <QList>
#include <QSize>
#include <functional>
#include <vector>

#include "ui/text_outlines.h"

class QCustomPlot;
class QCPAxis;
class QCPColorScale;
class QCPLegend;

namespace crisp::ui {

// Dynamic properties a view sets on its plot objects to tell the paper style what they are.
// On a plot: a line naming what a figure shows (the attention figure: layer, head, policy and
// sentence), drawn above it in figures only.
inline constexpr char kFigureHeaderProperty[] = "crispFigureHeader";
// On a QCPTextElement: a panel's label (a string: its text in figures), kept where titles go.
inline constexpr char kPanelLabelProperty[] = "crispPanelLabel";
// On a graph: raw per-step values (the training loss), left out of figures: its spikes would set
// the axis range and hide the smoothed curve.
inline constexpr char kRawCurveProperty[] = "crispRawCurve";

// A plot restyled for a paper at `sizePoints` for as long as it lives: black on white whatever
// the theme, DejaVu Sans at 7-8 pt, no titles (captions belong to LaTeX), raw curves left out,
// the legend in the data's emptiest corner when one is empty (measured at this size) or else
// under the axes, without a frame, token axes thinned so that no two labels overlap, and the
// plot laid out at this size. The plot looks as before when it goes.
class PaperFigure {
 public:
  PaperFigure(QCustomPlot& plot, QSize sizePoints);
  ~PaperFigure();
  PaperFigure(const PaperFigure&) = delete;
  PaperFigure& operator=(const PaperFigure&) = delete;

  QSize size() const { return size_; }
  // Every text as it is drawn at the figure's size (from a render through the plot's own
  // painting), for checks that none leaves the canvas or overlaps another.
  QList<DrawnText> texts() const;

 private:
  void relayout();
  void usePaperColours();
  void styleFonts();
  void hideTitles();
  void hideRawCurves();
  void addHeader();
  void styleLegend();
  void placeLegend();
  void moveLegendBelow();
  void shareTokenAxes();
  void thinTokenAxes();

  QCustomPlot& plot_;
  QSize size_;
  QRect viewport_;
  std::vector<std::function<void()>> restore_;
  QList<QCPColorScale*> scales_;
  bool columnsSet_ = false;  // taken out of a margin group: aligned by relayout()
};

}  // namespace crisp::ui
