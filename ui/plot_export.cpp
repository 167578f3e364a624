#include "ui/plot_export.h"

#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QSvgGenerator>
#include <QTextStream>

#include "ui/qcp.h"

namespace crisp::ui {

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
  out << "graph,x,y\n";
  for (int g = 0; g < plot.graphCount(); ++g) {
    const QCPGraph* graph = plot.graph(g);
    if (!graph->visible()) continue;
    QString name = graph->name();
    name.replace(QLatin1Char('"'), QLatin1String("\"\""));
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
      out << '"' << name << "\"," << QString::number(it->key, 'g', 10) << ','
          << QString::number(it->value, 'g', 10) << '\n';
    }
  }
  return file.error() == QFile::NoError ? QString() : QObject::tr("%1: write failed").arg(path);
}

}  // namespace crisp::ui
