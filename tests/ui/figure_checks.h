#pragma once

// Checks of a paper figure shared by the figure tests: from the plot laid out at the figure's
// size (its layout elements and every text it draws) and from its exported files.
#include <QDir>
#include <QFile>
#include <QRectF>
#include <QRegularExpression>
#include <QStringList>

#include "ui/paper_figure.h"
#include "ui/plot_export.h"
#include "ui/qcp.h"

namespace figure_checks {

inline QByteArray readFile(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline QString describe(const QRectF& r) {
  return QStringLiteral("(%1, %2, %3 x %4)")
      .arg(r.x(), 0, 'f', 1)
      .arg(r.y(), 0, 'f', 1)
      .arg(r.width(), 0, 'f', 1)
      .arg(r.height(), 0, 'f', 1);
}

// Data points of visible graphs inside `r` (pixels at the current layout).
inline int pointsIn(QCustomPlot& plot, const QRectF& r) {
  int count = 0;
  for (int g = 0; g < plot.graphCount(); ++g) {
    const QCPGraph* graph = plot.graph(g);
    if (!graph->visible()) continue;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
      const QPointF p(graph->keyAxis()->coordToPixel(it->key),
                      graph->valueAxis()->coordToPixel(it->value));
      if (r.contains(p)) ++count;
    }
  }
  return count;
}

// What is wrong with the figure of `plot` at `size` (empty: nothing): a text that leaves the
// canvas or overlaps another, a layout element (title, legend, axes) outside it, or a legend on
// the data. `texts` receives every text drawn.
inline QStringList layoutProblems(QCustomPlot& plot, QSize size, QStringList* texts = nullptr) {
  QStringList problems;
  const crisp::ui::PaperFigure figure(plot, size);
  QList<crisp::ui::DrawnText> drawn = figure.texts();
  drawn.erase(std::remove_if(drawn.begin(), drawn.end(),
                             [](const crisp::ui::DrawnText& t) { return t.box.isEmpty(); }),
              drawn.end());
  if (drawn.isEmpty()) problems << QStringLiteral("no text drawn");
  const QRectF canvas(0, 0, size.width(), size.height());
  const QRectF tolerant = canvas.adjusted(-0.5, -0.5, 0.5, 0.5);
  for (const auto& t : std::as_const(drawn)) {
    if (texts != nullptr) *texts << t.text;
    if (!tolerant.contains(t.box))
      problems << QStringLiteral("\"%1\" %2 leaves the canvas").arg(t.text, describe(t.box));
  }
  for (int i = 0; i < drawn.size(); ++i) {
    for (int j = i + 1; j < drawn.size(); ++j) {
      const QRectF both = drawn[i].box.intersected(drawn[j].box);
      if (both.width() > 0.5 && both.height() > 0.5) {
        problems << QStringLiteral("\"%1\" %2 overlaps \"%3\" %4")
                        .arg(drawn[i].text, describe(drawn[i].box), drawn[j].text,
                             describe(drawn[j].box));
      }
    }
  }
  for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
    if (element == nullptr || !element->visible()) continue;
    if (qobject_cast<QCPLegend*>(element) == nullptr &&
        qobject_cast<QCPTextElement*>(element) == nullptr &&
        qobject_cast<QCPAxisRect*>(element) == nullptr)
      continue;
    if (!tolerant.contains(QRectF(element->outerRect())))
      problems << QStringLiteral("%1 %2 leaves the canvas")
                      .arg(QString::fromLatin1(element->metaObject()->className()),
                           describe(element->outerRect()));
  }
  // No dead space: what is drawn reaches from the top of the canvas to its bottom.
  QRectF used;
  for (const auto& t : std::as_const(drawn)) used |= t.box;
  for (QCPAxisRect* rect : plot.axisRects()) {
    used |= QRectF(rect->rect());
    if (qEnvironmentVariableIsSet("CRISP_DEBUG_FIGURES"))
      qDebug() << "rect" << rect->rect() << rect->outerRect() << rect->margins()
               << rect->axis(QCPAxis::atBottom)->tickLabelRotation()
               << rect->axis(QCPAxis::atBottom)->tickLabelFont();
  }
  if (used.top() > 14 || used.bottom() < size.height() - 14)
    problems
        << QStringLiteral("dead space: the figure uses only %1 of its canvas").arg(describe(used));
  QCPLegend* legend = plot.legend;
  if (legend != nullptr && legend->visible() && legend->itemCount() > 0) {
    if (!tolerant.contains(QRectF(legend->outerRect())))
      problems
          << QStringLiteral("the legend %1 leaves the canvas").arg(describe(legend->outerRect()));
    if (const int on = pointsIn(plot, legend->outerRect()); on > 0)
      problems << QStringLiteral("the legend %1 covers %2 data points (axes %3)")
                      .arg(describe(legend->outerRect()))
                      .arg(on)
                      .arg(describe(plot.axisRect()->rect()));
  }
  return problems;
}

// What is wrong with the fonts of the figure's PDF and SVG (written into `folder`): a font not
// embedded in the PDF, or text in the SVG (it is drawn as outlines, needing no font).
inline QStringList fontProblems(QCustomPlot& plot, QSize size, const QString& folder,
                                const QString& name) {
  QStringList problems;
  const QDir dir(folder);
  const QString pdfPath = dir.filePath(name + QStringLiteral(".pdf"));
  const QString svgPath = dir.filePath(name + QStringLiteral(".svg"));
  if (const QString error = crisp::ui::exportPlot(plot, pdfPath, size); !error.isEmpty())
    problems << error;
  if (const QString error = crisp::ui::exportPlot(plot, svgPath, size); !error.isEmpty())
    problems << error;
  const QByteArray pdf = readFile(pdfPath), svg = readFile(svgPath);
  // Each font's descriptor dictionary (its type, not the fonts' references to it).
  const int fonts = static_cast<int>(QString::fromLatin1(pdf).count(
      QRegularExpression(QStringLiteral("/Type\\s*/FontDescriptor"))));
  const int embedded = static_cast<int>(pdf.count("/FontFile2") + pdf.count("/FontFile3"));
  if (fonts == 0) problems << QStringLiteral("%1: no fonts").arg(name);
  if (embedded < fonts)
    problems << QStringLiteral("%1: %2 of %3 fonts embedded").arg(name).arg(embedded).arg(fonts);
  if (const QString keep = qEnvironmentVariable("CRISP_KEEP_FIGURES"); !keep.isEmpty()) {
    QFile::copy(pdfPath, QDir(keep).filePath(name + QStringLiteral(".pdf")));
    QFile::copy(svgPath, QDir(keep).filePath(name + QStringLiteral(".svg")));
  }
  if (svg.contains("<text")) problems << QStringLiteral("%1.svg has <text> elements").arg(name);
  if (!svg.contains("<path")) problems << QStringLiteral("%1.svg draws nothing").arg(name);
  return problems;
}

}  // namespace figure_checks
