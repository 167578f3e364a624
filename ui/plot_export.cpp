#include "ui/plot_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QSvgGenerator>
#include <QTextStream>

#include "ui/paper_figure.h"
#include "ui/qcp.h"
#include "ui/text_outlines.h"

namespace crisp::ui {
namespace {

QString quoted(QString text) {
  text.replace(QLatin1Char('"'), QLatin1String("\"\""));
  return QLatin1Char('"') + text + QLatin1Char('"');
}

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

namespace {

// The plot as it is (styled by the caller) in the format of the path's suffix.
QString writeFigure(QCustomPlot& plot, const QString& path, QSize size, int dpi) {
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
    // Text as outlines: the SVG looks as the PDF does without its fonts.
    paintTextAsOutlines(&svg, size, [&](QPaintDevice& device) {
      QCPPainter painter;
      if (!painter.begin(&device)) return;
      plot.toPainter(&painter, size.width(), size.height());
      ok = painter.end();
    });
  } else {
    return QObject::tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
  }
  return ok ? QString() : QObject::tr("%1: could not be written").arg(path);
}

}  // namespace

QString exportPlot(QCustomPlot& plot, const QString& path, QSize size, int dpi) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != QLatin1String("png") && suffix != QLatin1String("pdf") &&
      suffix != QLatin1String("svg"))
    return QObject::tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
  const PaperFigure figure(plot, size);
  return writeFigure(plot, path, size, dpi);
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
    const PaperFigure style(*figure.plot, figure.sizePoints);
    for (const char* suffix : {".pdf", ".png", ".svg"}) {
      const QString path = dir.absoluteFilePath(figure.name + QLatin1String(suffix));
      const QString error = writeFigure(*figure.plot, path, figure.sizePoints, dpi);
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
