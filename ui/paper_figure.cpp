#include "ui/paper_figure.h"

#include <QFontMetricsF>
#include <QHash>
#include <QLineF>
#include <algorithm>
#include <cmath>

#include "ui/plot_style.h"
#include "ui/qcp.h"

namespace crisp::ui {
namespace {

// A pixel-sized font: every exporter lays the plot out in points (PNG scales by dpi/72), so a
// pixel size is a point size on paper, whatever the screen's DPI. DejaVu Sans: installed with
// Qt everywhere, and embedded in the PDF.
QFont paperFont(const QFont& base, int points, bool bold = false) {
  QFont font(base);
  font.setFamily(QStringLiteral("DejaVu Sans"));
  font.setPixelSize(points);
  font.setBold(bold);
  return font;
}

bool isTokenAxis(const QCPAxis* axis) {
  return !axis->ticker().dynamicCast<QCPAxisTickerText>().isNull();
}

bool segmentHits(const QPointF& a, const QPointF& b, const QRectF& r) {
  if (r.contains(a) || r.contains(b)) return true;
  const QLineF line(a, b);
  const QLineF edges[] = {{r.topLeft(), r.topRight()},
                          {r.topRight(), r.bottomRight()},
                          {r.bottomRight(), r.bottomLeft()},
                          {r.bottomLeft(), r.topLeft()}};
  return std::any_of(std::begin(edges), std::end(edges), [&](const QLineF& edge) {
    return line.intersects(edge, nullptr) == QLineF::BoundedIntersection;
  });
}

// Points and line segments of the visible graphs that fall in `r` (pixels).
int dataHits(QCustomPlot& plot, const QRectF& r) {
  int hits = 0;
  for (int g = 0; g < plot.graphCount(); ++g) {
    const QCPGraph* graph = plot.graph(g);
    if (!graph->visible()) continue;
    const QCPAxis *x = graph->keyAxis(), *y = graph->valueAxis();
    bool previous = false;
    QPointF last;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
      if (std::isnan(it->value)) {
        previous = false;
        continue;
      }
      const QPointF p(x->coordToPixel(it->key), y->coordToPixel(it->value));
      if (previous ? segmentHits(last, p, r) : r.contains(p)) ++hits;
      last = p;
      previous = true;
    }
  }
  return hits;
}

// The grid cell holding `element`, or (-1, -1).
QPoint cellOf(QCPLayoutGrid* grid, const QCPLayoutElement* element) {
  for (int r = 0; r < grid->rowCount(); ++r) {
    for (int c = 0; c < grid->columnCount(); ++c) {
      if (grid->hasElement(r, c) && grid->element(r, c) == element) return {c, r};
    }
  }
  return {-1, -1};
}

}  // namespace

PaperFigure::PaperFigure(QCustomPlot& plot, QSize sizePoints)
    : plot_(plot), size_(sizePoints), viewport_(plot.viewport()) {
  // QCustomPlot sizes axis margins from its cache of tick label pixmaps, keyed by text only:
  // those drawn on screen (larger, turned 60 degrees) would leave a figure's margins too wide.
  if (plot.plottingHints().testFlag(QCP::phCacheLabels)) {
    plot.setPlottingHint(QCP::phCacheLabels, false);
    restore_.push_back([&plot] { plot.setPlottingHint(QCP::phCacheLabels, true); });
  }
  // Paper colours first: restored last, they recolour the legend's items rebuilt by then.
  usePaperColours();
  // Raw curves next: restoring them rebuilds the legend's items, which must come after the
  // items' fonts are restored (those lambdas hold the items).
  hideRawCurves();
  styleFonts();
  hideTitles();
  addHeader();
  styleLegend();
  // On-screen helpers (the crosshair and its label) do not belong in a figure.
  if (QCPLayer* layer = plot.layer(QStringLiteral("crosshair")); layer && layer->visible()) {
    layer->setVisible(false);
    restore_.push_back([layer] { layer->setVisible(true); });
  }
  // Room for the outermost tick labels, which QCustomPlot lets run past the axes' ends, in
  // place of its 15-pixel minimum margins (dead space in a figure a few inches wide).
  for (QCPAxisRect* rect : plot.axisRects()) {
    const QMargins minimum = rect->minimumMargins();
    rect->setMinimumMargins(QMargins(0, 4, 0, 0));
    restore_.push_back([rect, minimum] { rect->setMinimumMargins(minimum); });
  }
  QCPLayoutGrid* grid = plot.plotLayout();
  const QMargins margins = grid->margins();
  grid->setMargins(QMargins(2, 4, 8, 2));
  restore_.push_back([grid, margins] { grid->setMargins(margins); });
  shareTokenAxes();
  thinTokenAxes();
  placeLegend();
  relayout();
}

PaperFigure::~PaperFigure() {
  for (auto it = restore_.rbegin(); it != restore_.rend(); ++it) (*it)();
  plot_.setViewport(viewport_);
  plot_.replot(QCustomPlot::rpQueuedReplot);
}

QList<DrawnText> PaperFigure::texts() const {
  return paintTextAsOutlines(nullptr, size_, [this](QPaintDevice& device) {
    QCPPainter painter(&device);
    plot_.toPainter(&painter, size_.width(), size_.height());
  });
}

void PaperFigure::relayout() {
  // What QCustomPlot does before drawing at a size, so that pixel positions are the figure's.
  plot_.setViewport(QRect(QPoint(0, 0), size_));
  const auto layout = [this] {
    for (auto phase :
         {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout})
      plot_.plotLayout()->update(phase);
  };
  layout();
  if (scales_.isEmpty() || plot_.axisRects().isEmpty()) return;
  // Panels side by side get columns that leave their heatmaps equally wide: the first column
  // also holds the row labels.
  QCPLayoutGrid* grid = plot_.plotLayout();
  const QList<QCPAxisRect*> rects = plot_.axisRects();
  if (rects.size() == 2 && grid->columnCount() >= 2) {
    const QMargins m0 = rects[0]->margins(), m1 = rects[1]->margins();
    const double outer = rects[0]->outerRect().width() + rects[1]->outerRect().width();
    const double l0 = m0.left() + m0.right(), l1 = m1.left() + m1.right();
    const double inner = std::max(1.0, (outer - l0 - l1) / 2);
    QList<double> factors = grid->columnStretchFactors();
    if (!columnsSet_) {
      columnsSet_ = true;
      restore_.push_back([grid, factors] { grid->setColumnStretchFactors(factors); });
    }
    factors[0] = inner + l0;
    factors[1] = inner + l1;
    grid->setColumnStretchFactors(factors);
    layout();
  }
  // The colour scale spans exactly the heatmaps' height.
  const QMargins heatmap = plot_.axisRects().first()->margins();
  for (QCPColorScale* scale : std::as_const(scales_)) {
    const QMargins m = scale->margins();
    scale->setAutoMargins(QCP::msLeft | QCP::msRight);
    scale->setMargins(QMargins(m.left(), heatmap.top(), m.right(), heatmap.bottom()));
  }
  layout();
}

void PaperFigure::usePaperColours() {
  const PlotColours screen = PlotColours::fromPalette(plot_.palette());
  const PlotColours paper = PlotColours::paper();
  applyPlotColours(plot_, paper);
  restore_.push_back([this, screen] { applyPlotColours(plot_, screen); });
  if (screen.background == paper.background && screen.foreground == paper.foreground) return;
  // A dark theme draws greys (dense runs, legend keys, marker fills) as shades between its
  // background and text: on paper, the same shades between white and black.
  for (int g = 0; g < plot_.graphCount(); ++g) {
    QCPGraph* graph = plot_.graph(g);
    const QPen pen = graph->pen();
    const QBrush brush = graph->brush();
    const QCPScatterStyle scatter = graph->scatterStyle();
    QPen paperPen = pen;
    paperPen.setColor(screen.translated(pen.color(), paper));
    graph->setPen(paperPen);
    QBrush paperBrush = brush;
    paperBrush.setColor(screen.translated(brush.color(), paper));
    graph->setBrush(paperBrush);
    QCPScatterStyle paperScatter = scatter;
    QPen scatterPen = scatter.pen();
    scatterPen.setColor(screen.translated(scatterPen.color(), paper));
    paperScatter.setPen(scatterPen);
    QBrush scatterBrush = scatter.brush();
    scatterBrush.setColor(screen.translated(scatterBrush.color(), paper));
    paperScatter.setBrush(scatterBrush);
    graph->setScatterStyle(paperScatter);
    restore_.push_back([graph, pen, brush, scatter] {
      graph->setPen(pen);
      graph->setBrush(brush);
      graph->setScatterStyle(scatter);
    });
  }
}

void PaperFigure::hideRawCurves() {
  if (plot_.legend == nullptr) return;  // the heatmaps rebuild their layout without one
  QList<QCPAbstractPlottable*> legendOrder;
  bool inLegend = false;
  for (int i = 0; i < plot_.legend->itemCount(); ++i) {
    if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot_.legend->item(i)))
      legendOrder << item->plottable();
  }
  QList<QCPAxis*> rescaled;
  for (int g = 0; g < plot_.graphCount(); ++g) {
    QCPGraph* graph = plot_.graph(g);
    if (!graph->property(kRawCurveProperty).toBool() || !graph->visible()) continue;
    graph->setVisible(false);
    inLegend = graph->removeFromLegend() || inLegend;
    restore_.push_back([graph] { graph->setVisible(true); });
    if (!rescaled.contains(graph->valueAxis())) rescaled << graph->valueAxis();
  }
  if (inLegend) {
    QCPLegend* legend = plot_.legend;
    restore_.push_back([legend, legendOrder] {
      legend->clearItems();
      for (QCPAbstractPlottable* p : legendOrder) p->addToLegend(legend);
    });
  }
  // Without the raw spikes the axis closes in on the smoothed curves.
  for (QCPAxis* axis : std::as_const(rescaled)) {
    const QCPRange range = axis->range();
    axis->rescale(true);
    const QCPRange fitted = axis->range();
    if (range.lower >= 0 && fitted.upper > 0) axis->setRange(0, fitted.upper * 1.05);
    restore_.push_back([axis, range] { axis->setRange(range); });
  }
}

void PaperFigure::styleFonts() {
  const auto style = [this](QCPAxis* axis) {
    const QFont label = axis->labelFont(), ticks = axis->tickLabelFont();
    const int padding = axis->labelPadding();
    const double rotation = axis->tickLabelRotation();
    const bool tokens = isTokenAxis(axis);
    axis->setLabelFont(paperFont(label, 8));
    axis->setTickLabelFont(paperFont(ticks, tokens ? 6 : 7));
    axis->setLabelPadding(3);
    // Tokens on the x axis stand upright: turned 90 degrees they need only a line's width each.
    if (tokens && axis->orientation() == Qt::Horizontal) axis->setTickLabelRotation(90);
    restore_.push_back([axis, label, ticks, padding, rotation] {
      axis->setLabelFont(label);
      axis->setTickLabelFont(ticks);
      axis->setLabelPadding(padding);
      axis->setTickLabelRotation(rotation);
    });
  };
  for (QCPLayoutElement* element : plot_.plotLayout()->elements(true)) {
    if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
      for (QCPAxis* axis : rect->axes()) style(axis);
    } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
      style(scale->axis());
      const int width = scale->barWidth();
      scale->setBarWidth(8);
      restore_.push_back([scale, width] { scale->setBarWidth(width); });
      // Out of the heatmaps' margin group: it carries the margins the scale had on screen
      // (a fifth of the figure blank); the scale follows the heatmaps' margins instead.
      if (QCPMarginGroup* group = scale->marginGroup(QCP::msTop)) {
        scale->setMarginGroup(QCP::msTop | QCP::msBottom, nullptr);
        restore_.push_back(
            [scale, group] { scale->setMarginGroup(QCP::msTop | QCP::msBottom, group); });
        const QCP::MarginSides sides = scale->autoMargins();
        restore_.push_back([scale, sides] { scale->setAutoMargins(sides); });
        scales_ << scale;
      }
    }
  }
}

void PaperFigure::hideTitles() {
  QCPLayoutGrid* grid = plot_.plotLayout();
  for (int r = 0; r < grid->rowCount(); ++r) {
    for (int c = 0; c < grid->columnCount(); ++c) {
      auto* text =
          grid->hasElement(r, c) ? qobject_cast<QCPTextElement*>(grid->element(r, c)) : nullptr;
      if (text == nullptr) continue;
      const QString label = text->property(kPanelLabelProperty).toString();
      if (!label.isEmpty()) {
        const QString old = text->text();
        const QFont font = text->font();
        text->setText(label);
        text->setFont(paperFont(font, 8));
        restore_.push_back([text, old, font] {
          text->setText(old);
          text->setFont(font);
        });
        continue;
      }
      // A title: an empty element holds its cell, so that the layout goes back as it was.
      // Out of the layout it would still draw itself (at its old place): hidden.
      grid->take(text);
      text->setVisible(false);
      auto* spacer = new QCPLayoutElement(&plot_);
      spacer->setMaximumSize(QWIDGETSIZE_MAX, 0);  // unbounded, it would share the height
      grid->addElement(r, c, spacer);
      restore_.push_back([grid, text, spacer, r, c] {
        grid->remove(spacer);
        grid->addElement(r, c, text);
        text->setVisible(true);
      });
    }
  }
}

void PaperFigure::addHeader() {
  const QString header = plot_.property(kFigureHeaderProperty).toString();
  if (header.isEmpty()) return;
  QCPLayoutGrid* grid = plot_.plotLayout();
  grid->insertRow(0);
  const QFont font = paperFont(QFont(), 7);
  const QString line = QFontMetricsF(font).elidedText(header, Qt::ElideRight, size_.width() - 12.0);
  auto* text = new QCPTextElement(&plot_, line, font);
  text->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip);
  text->setMargins(QMargins(4, 0, 0, 2));
  text->setMinimumSize(1, 0);  // runs across the columns without widening the first
  grid->addElement(0, 0, text);
  restore_.push_back([grid, text] {
    grid->remove(text);
    grid->simplify();  // the header's row goes
  });
}

void PaperFigure::styleLegend() {
  QCPLegend* legend = plot_.legend;
  if (legend == nullptr) return;
  const QFont font = legend->font();
  const QSize icon = legend->iconSize();
  const QSize minimum = legend->minimumSize();
  const int padding = legend->iconTextPadding();
  const QPen border = legend->borderPen();
  const QBrush brush = legend->brush();
  // The items' own fonts first: QCPLegend::setFont sets every item's font too, so read after it
  // they would be the paper font, and "restored" to it.
  for (int i = 0; i < legend->itemCount(); ++i) {
    if (QCPAbstractLegendItem* item = legend->item(i)) {
      const QFont itemFont = item->font();
      restore_.push_back([item, itemFont] { item->setFont(itemFont); });
    }
  }
  legend->setFont(paperFont(font, 7));  // and its items'
  legend->setIconSize(16, 8);
  legend->setIconTextPadding(5);  // the label clear of its line sample
  legend->setMinimumSize(0, 0);   // a width fitted to the screen's fonts is too wide here
  // No frame (as matplotlib's paper styles): the legend sits where no data is.
  legend->setBorderPen(Qt::NoPen);
  legend->setBrush(Qt::NoBrush);
  restore_.push_back([legend, font, icon, minimum, padding, border, brush] {
    legend->setFont(font);
    legend->setIconSize(icon);
    legend->setMinimumSize(minimum);
    legend->setIconTextPadding(padding);
    legend->setBorderPen(border);
    legend->setBrush(brush);
  });
}

void PaperFigure::placeLegend() {
  QCPLegend* legend = plot_.legend;  // null where the layout was rebuilt (the heatmaps)
  if (legend == nullptr || !legend->visible() || legend->itemCount() == 0) return;
  QCPAxisRect* rect = plot_.axisRect();
  QCPLayoutInset* inset = rect != nullptr ? rect->insetLayout() : nullptr;
  int index = -1;
  for (int i = 0; inset != nullptr && i < inset->elementCount(); ++i) {
    if (inset->elementAt(i) == legend) index = i;
  }
  if (index < 0) {  // beside the axes (runs compared): under them, as wide as the figure
    moveLegendBelow();
    return;
  }
  relayout();
  const QSize hint = legend->minimumOuterSizeHint();
  const QRect area = rect->rect();
  const Qt::Alignment current = inset->insetAlignment(index);
  const Qt::Alignment corners[] = {current, Qt::AlignTop | Qt::AlignRight,
                                   Qt::AlignTop | Qt::AlignLeft, Qt::AlignBottom | Qt::AlignRight,
                                   Qt::AlignBottom | Qt::AlignLeft};
  for (const Qt::Alignment corner : corners) {
    const double left = corner & Qt::AlignLeft ? area.left() : area.right() - hint.width();
    const double top = corner & Qt::AlignTop ? area.top() : area.bottom() - hint.height();
    if (dataHits(plot_, QRectF(left, top, hint.width(), hint.height())) == 0) {
      inset->setInsetAlignment(index, corner);
      restore_.push_back([inset, index, current] { inset->setInsetAlignment(index, current); });
      return;
    }
  }
  moveLegendBelow();  // no corner is empty at this size
}

void PaperFigure::moveLegendBelow() {
  QCPLegend* legend = plot_.legend;
  QCPLayoutGrid* grid = plot_.plotLayout();
  // The most columns whose widest entries, side by side, fit the figure's width.
  QList<int> widths;
  for (int i = 0; i < legend->itemCount(); ++i)
    widths << legend->item(i)->minimumOuterSizeHint().width();
  const QMargins margins = legend->margins();
  const int room = size_.width() - margins.left() - margins.right() - 12;
  int columnCount = static_cast<int>(widths.size());
  for (; columnCount > 1; --columnCount) {
    int total = legend->columnSpacing() * (columnCount - 1);
    for (int c = 0; c < columnCount; ++c) {
      int widest = 0;
      for (int i = c; i < widths.size(); i += columnCount) widest = std::max(widest, widths[i]);
      total += widest;
    }
    if (total <= room) break;
  }
  const int wrap = legend->wrap();
  const QCPLayoutGrid::FillOrder order = legend->fillOrder();
  const QList<double> rows = grid->rowStretchFactors(), columns = grid->columnStretchFactors();
  std::function<void()> putBack;
  if (auto* column = qobject_cast<QCPLayoutGrid*>(legend->layout()); column && column != grid) {
    const QPoint cell = cellOf(grid, column);
    if (cell.x() < 0) return;
    column->take(legend);
    grid->take(column);
    grid->simplify();
    putBack = [grid, legend, column, cell] {
      column->addElement(0, 0, legend);
      grid->addElement(cell.y(), cell.x(), column);
    };
  } else if (auto* inset = qobject_cast<QCPLayoutInset*>(legend->layout())) {
    int index = 0;
    while (index < inset->elementCount() && inset->elementAt(index) != legend) ++index;
    const Qt::Alignment alignment = inset->insetAlignment(index);
    inset->take(legend);
    inset->simplify();
    putBack = [inset, legend, alignment] { inset->addElement(legend, alignment); };
  } else {
    return;
  }
  const int below = grid->rowCount();
  grid->addElement(below, 0, legend);
  grid->setRowStretchFactor(below, 0.001);
  legend->setWrap(std::max(1, columnCount));
  legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  restore_.push_back([grid, legend, putBack, rows, columns, wrap, order] {
    grid->take(legend);
    grid->simplify();
    legend->setWrap(wrap);
    legend->setFillOrder(order);
    putBack();
    grid->setRowStretchFactors(rows);
    grid->setColumnStretchFactors(columns);
  });
}

void PaperFigure::shareTokenAxes() {
  // Panels side by side on the same tokens (before and after pruning) label their rows once,
  // at the left: the width goes to the heatmaps.
  const QList<QCPAxisRect*> rects = plot_.axisRects();
  for (int i = 1; i < rects.size(); ++i) {
    QCPAxis* axis = rects[i]->axis(QCPAxis::atLeft);
    const QCPAxis* first = rects[0]->axis(QCPAxis::atLeft);
    if (!isTokenAxis(axis) || axis->ticker() != first->ticker()) continue;
    const QString label = axis->label();
    axis->setTickLabels(false);
    axis->setLabel(QString());
    restore_.push_back([axis, label] {
      axis->setTickLabels(true);
      axis->setLabel(label);
    });
  }
}

void PaperFigure::thinTokenAxes() {
  // Each token axis keeps its full ticker; the thinned one shows every k-th token, k the
  // fewest that leaves a line's height (plus a point) between neighbouring labels.
  struct Thinned {
    QCPAxis* axis;
    QSharedPointer<QCPAxisTickerText> full;
  };
  QList<Thinned> axes;
  for (QCPAxisRect* rect : plot_.axisRects()) {
    for (QCPAxis* axis : rect->axes()) {
      const auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
      if (ticker.isNull() || !axis->visible() || !axis->tickLabels() || ticker->ticks().size() < 2)
        continue;
      axes.push_back({axis, ticker});
      restore_.push_back([axis, ticker] { axis->setTicker(ticker); });
    }
  }
  // Margins follow the labels and spacing follows the margins: a few rounds settle it.
  for (int round = 0; round < 3 && !axes.isEmpty(); ++round) {
    relayout();
    // The stride each axis needs; axes on the same tokens (the panels) take the largest, so
    // that both panels label the same tokens.
    QHash<QCPAxisTickerText*, int> strides;
    for (const Thinned& t : std::as_const(axes)) {
      const QMap<double, QString> ticks = t.full->ticks();
      const QList<double> keys = ticks.keys();
      const double spacing =
          std::abs(t.axis->coordToPixel(keys[1]) - t.axis->coordToPixel(keys[0]));
      const QFontMetricsF metrics(t.axis->tickLabelFont());
      double across = metrics.height();  // upright labels, or labels beside a vertical axis
      if (t.axis->orientation() == Qt::Horizontal && std::abs(t.axis->tickLabelRotation()) < 45) {
        across = 0;
        for (const QString& label : ticks)
          across = std::max(across, metrics.horizontalAdvance(label));
        across += metrics.averageCharWidth();
      }
      const int stride =
          std::max(1, static_cast<int>(std::ceil((across + 1.0) / std::max(spacing, 0.1))));
      int& shared = strides[t.full.data()];
      shared = std::max(shared, stride);
    }
    bool changed = false;
    for (const Thinned& t : std::as_const(axes)) {
      const int stride = strides.value(t.full.data());
      const QMap<double, QString> ticks = t.full->ticks();
      const QList<double> keys = ticks.keys();
      QSharedPointer<QCPAxisTickerText> shown(new QCPAxisTickerText);
      for (int i = 0; i < keys.size(); i += stride) shown->addTick(keys[i], ticks[keys[i]]);
      const auto now = t.axis->ticker().dynamicCast<QCPAxisTickerText>();
      if (now->ticks().size() != shown->ticks().size()) changed = true;
      t.axis->setTicker(stride == 1 ? t.full : shown);
    }
    if (!changed) break;
  }
}

}  // namespace crisp::ui
