#pragma once

#include <QCoreApplication>
#include <functional>

class QCustomPlot;
class QWidget;

namespace crisp::ui {

// The Curves tab's two plots, loss and dev accuracy, sharing their x axis: zooming or panning one
// moves the other. They frame the data until the user zooms or pans; then live updates keep the
// user's view until it is reset (a double click asks for that).
class CurvesPlots {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::CurvesPlots)

 public:
  // Both plots are children of parent.
  CurvesPlots(QWidget* parent, std::function<void()> onResetAsked);
  CurvesPlots(const CurvesPlots&) = delete;
  CurvesPlots& operator=(const CurvesPlots&) = delete;
  QCustomPlot* loss() const { return loss_; }
  QCustomPlot* accuracy() const { return accuracy_; }
  void setXLabel(const QString& label);
  void resetView() { userView_ = false; }  // the next frame() shows all the data
  // Frames keys from low to high and accuracies (percent) from lowAccuracy to highAccuracy,
  // unless the user moved the view; then replots.
  void frame(double low, double high, double lowAccuracy, double highAccuracy);

 private:
  QCustomPlot *loss_, *accuracy_;
  bool userView_ = false;  // the user zoomed or panned: live updates keep the view
  bool syncing_ = false;
};

}  // namespace crisp::ui
