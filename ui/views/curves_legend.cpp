#include "ui/views/curves_legend.h"

#include <algorithm>

#include "ui/plot_style.h"
#include "ui/run_palette.h"

namespace crisp::ui {
namespace {

constexpr double kKeyInk = 0.725;  // keys for a line style or a kind of curve (70 on paper)

}  // namespace

CurvesLegend::CurvesLegend(QCustomPlot* loss, QCustomPlot* accuracy)
    : plots_{{loss, Qt::AlignTop | Qt::AlignRight}, {accuracy, Qt::AlignBottom | Qt::AlignRight}} {
  for (const Corner& corner : std::as_const(plots_))
    corner.plot->axisRect()->insetLayout()->setInsetAlignment(0, corner.inside);
}

void CurvesLegend::clearKeys() {
  for (QCPGraph* key : std::as_const(keys_)) key->parentPlot()->removeGraph(key);
  keys_.clear();
}

QCPGraph* CurvesLegend::addKey(QCustomPlot* plot, const QString& name, const QPen& pen,
                               const QCPScatterStyle& scatter) {
  QCPGraph* key = plot->addGraph();
  key->setName(name);
  key->setPen(pen);
  key->setScatterStyle(scatter);
  keys_ << key;
  return key;
}

void CurvesLegend::addRunKeys(const QList<RunKey>& runs, const RunPalette& palette,
                              SeedBandKind bands, const PlotColours& colours,
                              const QString& smoothingName) {
  QCustomPlot* loss = plots_[0].plot;
  QCustomPlot* accuracy = plots_[1].plot;
  const QColor keyInk = colours.ink(kKeyInk);
  QStringList named;
  for (const RunKey& run : runs) {
    if (named.contains(run.label)) continue;
    named << run.label;
    addKey(loss, run.label, QPen(run.colour, 2.5));
    addKey(accuracy, run.label, QPen(run.colour, 2.5), run.marker);
  }
  const bool grouped = palette.grouped();
  if (bands == SeedBandKind::Off) {
    for (const qint64 seed : palette.groupedSeeds()) {
      const QString label = seed < 0 ? tr("seed unknown") : tr("seed %1").arg(seed);
      for (QCustomPlot* plot : {loss, accuracy})
        addKey(plot, label, QPen(keyInk, 1.8, palette.seedStyle(seed)));
    }
  } else if (grouped) {  // the band's key: a grey swatch under a grey line
    const QString label =
        bands == SeedBandKind::Sd ? tr("mean ± sd over seeds") : tr("mean, min–max over seeds");
    for (QCustomPlot* plot : {loss, accuracy})
      addKey(plot, label, QPen(keyInk, 1.8))->setBrush(colours.ink(kKeyInk, 60));
  }
  addKey(loss, tr("train (%1)").arg(smoothingName), QPen(keyInk, 1.8));
  addKey(loss, tr("dev"), QPen(keyInk, 1.5, grouped ? Qt::SolidLine : Qt::DashLine),
         QCPScatterStyle(QCPScatterStyle::ssCircle, keyInk, colours.background, 5));
}

bool CurvesLegend::isBeside(const QCustomPlot* plot) {
  return plot->legend->layout() != plot->axisRect()->insetLayout();
}

void CurvesLegend::place(bool beside, const QList<QCPGraph*>& last) {
  for (QCPGraph* g : last) {
    g->removeFromLegend();
    if (g->visible()) g->addToLegend();
  }
  for (const Corner& corner : std::as_const(plots_)) setBeside(corner, beside);
  int width = 0;
  for (const Corner& corner : std::as_const(plots_)) {
    corner.plot->legend->setMinimumSize(0, 0);
    if (beside) width = std::max(width, corner.plot->legend->minimumOuterSizeHint().width());
  }
  for (const Corner& corner : std::as_const(plots_)) {
    corner.plot->legend->setSizeConstraintRect(QCPLayoutElement::scrOuterRect);
    corner.plot->legend->setMinimumSize(width, 0);
  }
}

void CurvesLegend::setBeside(const Corner& corner, bool beside) {
  QCustomPlot* plot = corner.plot;
  QCPLegend* legend = plot->legend;
  QCPLayoutInset* inset = plot->axisRect()->insetLayout();
  if (beside == isBeside(plot)) return;
  if (beside) {
    inset->take(legend);
    inset->simplify();
    // A column right of the axes: the legend at its top, an empty element under it.
    auto* column = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 1, column);
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    column->addElement(0, 0, legend);
    column->addElement(1, 0, new QCPLayoutElement(plot));
    column->setRowStretchFactor(0, 0.001);
    column->setMargins(QMargins(0, 8, 6, 0));
  } else {
    auto* column = qobject_cast<QCPLayoutGrid*>(legend->layout());
    column->take(legend);
    plot->plotLayout()->remove(column);
    plot->plotLayout()->simplify();
    inset->addElement(legend, corner.inside);
  }
}

}  // namespace crisp::ui
