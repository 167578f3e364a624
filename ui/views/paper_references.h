#pragma once

#include <QCoreApplication>
#include <QList>

class QCustomPlot;
class QCPGraph;

namespace crisp::ui {

struct PlotColours;

// The Crisp Attention paper's reference accuracies on SST-2 (Gandhi & Gandhi 2025: dense
// DistilBERT 90.62, their best, crisp 0.8, 91.59) as dotted lines across the accuracy plot;
// hidden until shown.
class PaperReferences {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::PaperReferences)

 public:
  explicit PaperReferences(QCustomPlot* accuracyPlot);
  QList<QCPGraph*> graphs() const { return {dense_, sparse_}; }
  void setShown(bool shown);
  bool shown() const { return shown_; }
  void setColours(const PlotColours& colours);
  void span(double low, double high);  // the x range the lines cross
  // Widens an accuracy range (percent) to take the lines in, when shown.
  void include(double* low, double* high) const;

 private:
  QCPGraph *dense_, *sparse_;
  bool shown_ = false;
};

}  // namespace crisp::ui
