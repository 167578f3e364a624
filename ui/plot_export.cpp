#include "ui/plot_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QSvgGenerator>
#include <QTextStream>
#include <algorithm>
#include <functional>
#include <vector>

#include "ui/qcp.h"

namespace crisp::ui {
namespace {

QString quoted(QString text) {
  text.replace(QLatin1Char('"'), QLatin1String("\"\""));
  return QLatin1Char('"') + text + QLatin1Char('"');
}

// A pixel-sized font: every exporter lays the plot out in points (PNG scales by dpi/72), so a
// pixel size is a point size on paper, whatever the screen's DPI.
QFont paperFont(const QFont& base, int points, bool bold = false) {
  QFont font(base);
  font.setFamily(QStringLiteral("DejaVu Sans"));
  font.setPixelSize(points);
  font.setBold(bold);
  return font;
}

// Applies the paper style to a plot and restores the on-screen style when it goes.
class PaperStyle {
 public:
  PaperStyle(QCustomPlot& plot, QSize sizePoints) : plot_(plot) {
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
      if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
        for (QCPAxis* axis : rect->axes()) style(axis);
      } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
        style(scale->axis());
        const int width = scale->barWidth();
        scale->setBarWidth(8);
        restore_.push_back([scale, width] { scale->setBarWidth(width); });
      } else if (auto* text = qobject_cast<QCPTextElement*>(element)) {
        const QFont font = text->font();
        text->setFont(paperFont(font, 9, true));
        restore_.push_back([text, font] { text->setFont(font); });
      } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
        const QFont font = legend->font();
        const QSize icon = legend->iconSize();
        const QSize minimum = legend->minimumSize();
        // The items' own fonts first: QCPLegend::setFont sets every item's font too, so read
        // after it they would be the paper font, and "restored" to it.
        for (int i = 0; i < legend->itemCount(); ++i) {
          if (QCPAbstractLegendItem* item = legend->item(i)) {
            const QFont itemFont = item->font();
            restore_.push_back([item, itemFont] { item->setFont(itemFont); });
          }
        }
        legend->setFont(paperFont(font, 7));  // and its items'
        legend->setIconSize(16, 8);
        legend->setMinimumSize(0, 0);  // a width fitted to the screen's fonts is too wide here
        restore_.push_back([legend, font, icon, minimum] {
          legend->setFont(font);
          legend->setIconSize(icon);
          legend->setMinimumSize(minimum);
        });
      }
    }
    legendBelow(sizePoints);
    // On-screen helpers (the crosshair and its label) do not belong in a figure.
    if (QCPLayer* layer = plot.layer(QStringLiteral("crosshair")); layer && layer->visible()) {
      layer->setVisible(false);
      restore_.push_back([layer] { layer->setVisible(true); });
    }
  }
  ~PaperStyle() {
    for (auto it = restore_.rbegin(); it != restore_.rend(); ++it) (*it)();
    plot_.replot(QCustomPlot::rpQueuedReplot);
  }
  PaperStyle(const PaperStyle&) = delete;
  PaperStyle& operator=(const PaperStyle&) = delete;

 private:
  // A legend beside the axes (in a column of the layout, as the curves view puts one when it
  // compares runs) goes under them, its entries in as many columns as the width takes: a
  // single-column figure cannot spare a third of its width for it.
  void legendBelow(QSize sizePoints) {
    QCPLegend* legend = plot_.legend;  // null where the layout was rebuilt (the heatmaps)
    if (legend == nullptr) return;
    QCPLayoutGrid* grid = plot_.plotLayout();
    auto* column = qobject_cast<QCPLayoutGrid*>(legend->layout());
    if (column == nullptr || column == grid || !legend->visible()) return;
    int row = -1, col = -1;
    for (int r = 0; r < grid->rowCount(); ++r) {
      for (int c = 0; c < grid->columnCount(); ++c) {
        if (grid->hasElement(r, c) && grid->element(r, c) == column) {
          row = r;
          col = c;
        }
      }
    }
    if (row < 0) return;
    const QList<double> rows = grid->rowStretchFactors(), columns = grid->columnStretchFactors();
    const int wrap = legend->wrap();
    const QCPLayoutGrid::FillOrder order = legend->fillOrder();
    // The most columns whose widest entries, side by side, fit the figure's width.
    QList<int> widths;
    for (int i = 0; i < legend->itemCount(); ++i)
      widths << legend->item(i)->minimumOuterSizeHint().width();
    const QMargins margins = legend->margins();
    const int room = sizePoints.width() - margins.left() - margins.right() - 8;
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
    column->take(legend);
    grid->take(column);
    grid->simplify();
    const int below = grid->rowCount();
    grid->addElement(below, 0, legend);
    grid->setRowStretchFactor(below, 0.001);
    legend->setWrap(std::max(1, columnCount));
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    restore_.push_back([this, legend, column, row, col, rows, columns, wrap, order] {
      QCPLayoutGrid* layout = plot_.plotLayout();
      layout->take(legend);
      layout->simplify();
      legend->setWrap(wrap);
      legend->setFillOrder(order);
      column->addElement(0, 0, legend);
      layout->addElement(row, col, column);
      layout->setRowStretchFactors(rows);
      layout->setColumnStretchFactors(columns);
    });
  }

  void style(QCPAxis* axis) {
    const QFont label = axis->labelFont(), ticks = axis->tickLabelFont();
    const int padding = axis->labelPadding();
    axis->setLabelFont(paperFont(label, 8));
    axis->setTickLabelFont(paperFont(ticks, 7));
    axis->setLabelPadding(3);
    restore_.push_back([axis, label, ticks, padding] {
      axis->setLabelFont(label);
      axis->setTickLabelFont(ticks);
      axis->setLabelPadding(padding);
    });
  }
  QCustomPlot& plot_;
  std::vector<std::function<void()>> restore_;
};

// The tick label at `coord` of a text ticker (tokens), or empty.
QString tickLabel(const QCPAxis* axis, double coord) {
  const auto ticker = axis->ticker().dynamicCast<QCPAxisTickerText>();
  if (ticker.isNull()) return {};
  const auto it = ticker->ticks().constFind(coord);
  return it == ticker->ticks().constEnd() ? QString() : it.value();
}

// A heatmap's name: its own, or the title above its axis rect in the plot's layout.
QString mapName(const QCustomPlot& plot, const QCPColorMap* map, int index) {
  if (!map->name().isEmpty()) return map->name();
  QCPLayoutGrid* grid = plot.plotLayout();
  for (int r = 0; r < grid->rowCount(); ++r) {
    for (int c = 0; c < grid->columnCount(); ++c) {
      if (!grid->hasElement(r, c) || grid->element(r, c) != map->keyAxis()->axisRect()) continue;
      for (int above = r - 1; above >= 0; --above) {
        if (!grid->hasElement(above, c)) continue;
        if (auto* title = qobject_cast<QCPTextElement*>(grid->element(above, c)))
          return title->text();
      }
    }
  }
  return QStringLiteral("map%1").arg(index + 1);
}

}  // namespace

QString exportPlot(QCustomPlot& plot, const QString& path, QSize size, int dpi) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  bool ok = false;
  if (suffix == QLatin1String("png")) {
    ok = plot.savePng(path, size.width(), size.height(), dpi / 72.0, -1, dpi);
  } else if (suffix == QLatin1String("pdf")) {
    ok = plot.savePdf(path, size.width(), size.height(), QCP::epNoCosmetic,
                      QStringLiteral("Crisp Studio"), plot.objectName());
  } else if (suffix == QLatin1String("svg")) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setResolution(72);  // the size is in points: width and height come out in inches' worth
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(plot.objectName());
    svg.setDescription(QStringLiteral("Exported by Crisp Studio"));
    QCPPainter painter;
    ok = painter.begin(&svg);
    if (ok) {
      plot.toPainter(&painter, size.width(), size.height());
      ok = painter.end();
    }
  } else {
    return QObject::tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
  }
  return ok ? QString() : QObject::tr("%1: could not be written").arg(path);
}

QString exportPlotData(const QCustomPlot& plot, const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    return QObject::tr("%1: cannot open for writing").arg(path);
  }
  QTextStream out(&file);
  // QCustomPlot 2.1's plottable() and cell() are not const, though they only read.
  auto& readable = const_cast<QCustomPlot&>(plot);
  QList<QCPColorMap*> maps;
  for (int i = 0; i < readable.plottableCount(); ++i) {
    if (auto* map = qobject_cast<QCPColorMap*>(readable.plottable(i))) maps << map;
  }
  if (plot.graphCount() == 0 && !maps.isEmpty()) {
    out << "map,x,y,x_label,y_label,value\n";
    for (int m = 0; m < maps.size(); ++m) {
      QCPColorMap* map = maps[m];
      QCPColorMapData* data = map->data();
      const QString name = quoted(mapName(plot, map, m));
      for (int y = 0; y < data->valueSize(); ++y) {
        for (int x = 0; x < data->keySize(); ++x) {
          double key = 0, value = 0;
          data->cellToCoord(x, y, &key, &value);
          out << name << ',' << QString::number(key, 'g', 10) << ','
              << QString::number(value, 'g', 10) << ',' << quoted(tickLabel(map->keyAxis(), key))
              << ',' << quoted(tickLabel(map->valueAxis(), value)) << ','
              << QString::number(data->cell(x, y), 'g', 8) << '\n';
        }
      }
    }
  } else {
    out << "graph,x,y\n";
    for (int g = 0; g < plot.graphCount(); ++g) {
      const QCPGraph* graph = plot.graph(g);
      if (!graph->visible()) continue;
      const QString name = quoted(graph->name());
      for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out << name << ',' << QString::number(it->key, 'g', 10) << ','
            << QString::number(it->value, 'g', 10) << '\n';
      }
    }
  }
  out.flush();
  return file.error() == QFile::NoError ? QString() : QObject::tr("%1: write failed").arg(path);
}

FigureSetResult exportFigureSet(const QList<FigureSpec>& figures, const QString& folder, int dpi) {
  FigureSetResult result;
  if (!QDir().mkpath(folder)) {
    result.errors << QObject::tr("%1: cannot create the folder").arg(folder);
    return result;
  }
  const QDir dir(folder);
  for (const FigureSpec& figure : figures) {
    if (figure.plot == nullptr) continue;
    const PaperStyle style(*figure.plot, figure.sizePoints);
    for (const char* suffix : {".pdf", ".png", ".svg"}) {
      const QString path = dir.absoluteFilePath(figure.name + QLatin1String(suffix));
      const QString error = exportPlot(*figure.plot, path, figure.sizePoints, dpi);
      if (error.isEmpty()) {
        result.written << path;
      } else {
        result.errors << error;
      }
    }
    const QString csv = dir.absoluteFilePath(figure.name + QStringLiteral(".csv"));
    const QString error = exportPlotData(*figure.plot, csv);
    if (error.isEmpty()) {
      result.written << csv;
    } else {
      result.errors << error;
    }
  }
  return result;
}

}  // namespace crisp::ui
