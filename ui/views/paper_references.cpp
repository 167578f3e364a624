#include "ui/views/paper_references.h"

#include <algorithm>

#include "ui/plot_style.h"
#include "ui/qcp.h"

namespace crisp::ui {
namespace {

constexpr double kPaperDense = 90.62;
constexpr double kPaperSparse = 91.59;

}  // namespace

PaperReferences::PaperReferences(QCustomPlot* accuracyPlot) {
  dense_ = accuracyPlot->addGraph();
  dense_->setName(tr("paper: dense 90.62"));
  sparse_ = accuracyPlot->addGraph();
  sparse_->setName(tr("paper: crisp 0.8 91.59"));
  sparse_->setPen(QPen(kOkabeIto[3], 1.2, Qt::DotLine));  // not the first run's blue
  setShown(false);
}

void PaperReferences::setShown(bool shown) {
  shown_ = shown;
  for (QCPGraph* g : graphs()) {
    g->setVisible(shown);
    shown ? g->addToLegend() : g->removeFromLegend();
  }
}

void PaperReferences::setColours(const PlotColours& colours) {
  dense_->setPen(QPen(colours.ink(0.53), 1.2, Qt::DotLine));  // (120) on paper
}

void PaperReferences::span(double low, double high) {
  dense_->setData({low, high}, {kPaperDense, kPaperDense}, true);
  sparse_->setData({low, high}, {kPaperSparse, kPaperSparse}, true);
}

void PaperReferences::include(double* low, double* high) const {
  if (!shown_) return;
  *low = std::min(*low, kPaperDense);
  *high = std::max(*high, kPaperSparse);
}

}  // namespace crisp::ui
