#include "ui/plot_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
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

bool isFigureFormat(const QString& suffix) {
  return suffix == QLatin1String("png") || suffix == QLatin1String("pdf") ||
         suffix == QLatin1String("svg");
}

QString writeText(const QString& text, const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    return QObject::tr("%1: cannot open for writing").arg(path);
  }
  const QByteArray bytes = text.toUtf8();
  return file.write(bytes) == bytes.size() && file.flush()
             ? QString()
             : QObject::tr("%1: write failed").arg(path);
}

// The figure, and with `withData` its data as the figure shows it (no raw curves).
RecordedFigure record(QCustomPlot& plot, QSize sizePoints, bool withData) {
  RecordedFigure figure;
  figure.name = plot.objectName();
  figure.sizePoints = sizePoints;
  const PaperFigure paper(plot, sizePoints);
  QCPPainter painter;
  if (painter.begin(&figure.picture)) {
    // Line widths in points at every scale, as QCustomPlot's own PDF and scaled PNG exports.
    painter.setMode(QCPPainter::pmNonCosmetic);
    plot.toPainter(&painter, sizePoints.width(), sizePoints.height());
    painter.end();
  }
  if (withData) figure.csv = plotDataCsv(plot);
  return figure;
}

}  // namespace

RecordedFigure recordFigure(QCustomPlot& plot, QSize sizePoints) {
  return record(plot, sizePoints, false);
}

QString writeFigure(const RecordedFigure& figure, const QString& path, int dpi) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (!isFigureFormat(suffix))
    return QObject::tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
  const QSize size = figure.sizePoints;
  bool ok = false;
  if (suffix == QLatin1String("png")) {
    const double scale = dpi / 72.0;
    QImage image(qRound(size.width() * scale), qRound(size.height() * scale),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.scale(scale, scale);
    painter.drawPicture(0, 0, figure.picture);
    painter.end();
    // After painting: the image's DPI would scale any point-sized font.
    const int dotsPerMeter = qRound(dpi / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    ok = image.save(path, "PNG");
  } else if (suffix == QLatin1String("pdf")) {
    QPdfWriter pdf(path);
    pdf.setCreator(QStringLiteral("Crisp Studio"));
    pdf.setTitle(figure.name);
    pdf.setResolution(72);  // 1 unit = 1 pt, as the picture
    pdf.setPageLayout(
        QPageLayout(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch),
                    QPageLayout::Portrait, QMarginsF()));
    QPainter painter;
    if (painter.begin(&pdf)) {
      painter.drawPicture(0, 0, figure.picture);
      ok = painter.end();
    }
  } else {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setResolution(72);  // the size is in points: width and height come out in inches' worth
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(figure.name);
    svg.setDescription(QStringLiteral("Exported by Crisp Studio"));
    // Text as outlines: the SVG looks as the PDF does without its fonts.
    paintTextAsOutlines(&svg, size, [&](QPaintDevice& device) {
      QPainter painter;
      if (!painter.begin(&device)) return;
      painter.drawPicture(0, 0, figure.picture);
      ok = painter.end();
    });
    ok = ok && QFileInfo::exists(path);
  }
  return ok ? QString() : QObject::tr("%1: could not be written").arg(path);
}

QString exportPlot(QCustomPlot& plot, const QString& path, QSize size, int dpi) {
  if (!isFigureFormat(QFileInfo(path).suffix().toLower()))
    return QObject::tr("%1: unknown figure format (use .png, .pdf or .svg)").arg(path);
  return writeFigure(recordFigure(plot, size), path, dpi);
}

QString plotDataCsv(const QCustomPlot& plot) {
  QString text;
  QTextStream out(&text);
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
  return text;
}

QString exportPlotData(const QCustomPlot& plot, const QString& path) {
  return writeText(plotDataCsv(plot), path);
}

QList<RecordedFigure> recordFigureSet(const QList<FigureSpec>& figures) {
  QList<RecordedFigure> recorded;
  for (const FigureSpec& spec : figures) {
    if (spec.plot == nullptr) continue;
    RecordedFigure figure = record(*spec.plot, spec.sizePoints, true);
    figure.name = spec.name;
    recorded << figure;
  }
  return recorded;
}

FigureSetResult writeFigureSet(const QList<RecordedFigure>& figures, const QString& folder,
                               int dpi) {
  FigureSetResult result;
  if (!QDir().mkpath(folder)) {
    result.errors << QObject::tr("%1: cannot create the folder").arg(folder);
    return result;
  }
  const QDir dir(folder);
  const auto note = [&result](const QString& path, const QString& error) {
    if (error.isEmpty()) {
      result.written << path;
    } else {
      result.errors << error;
    }
  };
  for (const RecordedFigure& figure : figures) {
    for (const char* suffix : {".pdf", ".png", ".svg"}) {
      const QString path = dir.absoluteFilePath(figure.name + QLatin1String(suffix));
      note(path, writeFigure(figure, path, dpi));
    }
    const QString csv = dir.absoluteFilePath(figure.name + QStringLiteral(".csv"));
    note(csv, writeText(figure.csv, csv));
  }
  return result;
}

FigureSetResult exportFigureSet(const QList<FigureSpec>& figures, const QString& folder, int dpi) {
  return writeFigureSet(recordFigureSet(figures), folder, dpi);
}

}  // namespace crisp::ui
