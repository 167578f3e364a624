#pragma once

#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <functional>

#include "ui/plot_style.h"

class QMouseEvent;

namespace crisp::ui {

// A crosshair over a set of plots, as PlotJuggler's tracker: it follows the mouse to the data
// point nearest to it and labels it with its curve's name and values; one plot shows it at a
// time, and it hides when the mouse leaves. It owns its items, on a "crosshair" layer that
// figure export hides.
class CurveTracker : public QObject {
  Q_OBJECT
 public:
  // The label's x and y of a point of `plot` (units, digits).
  using Format = std::function<QString(const QCustomPlot* plot, double key, double value)>;

  CurveTracker(const QList<QCustomPlot*>& plots, Format format, QObject* parent = nullptr);
  // Curves the crosshair never lands on (reference lines).
  void ignore(const QCPGraph* graph) { ignored_.insert(graph); }
  // The label's text; empty while hidden.
  QString text() const { return text_; }
  // Puts the crosshair on the data point nearest to `pos` (widget pixels of `plot`); false (and
  // hidden) when `pos` is outside the axis rectangle or nothing is drawn.
  bool trackAt(QCustomPlot* plot, const QPointF& pos);
  void hide();
  // The theme's colours.
  void setColours(const PlotColours& colours);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct Items {
    QCustomPlot* plot = nullptr;
    QCPItemTracer *lines = nullptr, *dot = nullptr;
    QCPItemText* label = nullptr;
    QList<QCPAbstractItem*> all() const { return {lines, dot, label}; }
  };

  QList<Items> items_;
  Format format_;
  QSet<const QCPGraph*> ignored_;
  QColor background_;  // the dot's fill
  QString text_;
};

}  // namespace crisp::ui
