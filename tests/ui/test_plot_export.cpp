#include <QCheckBox>
#include <QImage>
#include <QtTest>
#include <cmath>

#include "figure_checks.h"
#include "ui/paper_figure.h"
#include "ui/plot_export.h"
#include "ui/qcp.h"
#include "ui/views/attention_view.h"
#include "ui/views/curves_view.h"

using namespace crisp::ui;

namespace {

// One run's curves: a noisy falling loss with raw spikes, and rising dev accuracy.
void fillRun(CurvesView& curves) {
  for (int s = 1; s <= 400; ++s) {
    const double spike = s % 37 == 0 ? 1.5 : 0.15 * std::sin(s * 1.7);
    curves.addStep({s, s / 100.0, 0.7 * std::exp(-s / 120.0) + 0.05 + spike, 1e-3, s * 0.1});
    if (s % 40 == 0) {
      const double accuracy = 0.55 + 0.4 * (1 - std::exp(-s / 100.0));
      curves.addEval(
          {s, s / 100.0, 0.5 * std::exp(-s / 150.0) + 0.2, accuracy, accuracy, s * 0.1, true});
    }
  }
}

// A long sentence (32 tokens with [CLS]/[SEP]) over 2 layers x 2 heads.
AttentionFrame longFrame() {
  AttentionFrame frame;
  frame.sentence = QStringLiteral(
      "the film is a slow , thoughtful and often very funny look at a family that never quite "
      "learns to talk about what matters most to them");
  frame.tokens << QStringLiteral("[CLS]");
  for (const QString& word : frame.sentence.split(' ')) frame.tokens << word;
  frame.tokens << QStringLiteral("[SEP]");
  frame.layers = 2;
  frame.heads = 2;
  frame.length = static_cast<int>(frame.tokens.size());
  const int n = frame.length;
  for (int m = 0; m < frame.layers * frame.heads; ++m) {
    for (int q = 0; q < n; ++q) {
      for (int k = 0; k < n; ++k) {
        frame.before << 1.0f / n;
        frame.after << (k == (q + m) % n ? 1.0f : 0.0f);
      }
    }
  }
  frame.probabilities = {0.2f, 0.8f};
  frame.step = 500;
  return frame;
}

}  // namespace

class TestPlotExport : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesPngPdfSvgAndCsv() {
    CurvesView curves;
    for (int s = 1; s <= 50; ++s) curves.addStep({s, s / 10.0, 1.0 / s, 1e-3, s * 0.1});
    curves.addEval({25, 2.5, 0.4, 0.81, 0.8, 2.5, true});
    curves.addEval({50, 5.0, 0.3, 0.86, 0.85, 5.0, true});
    QTemporaryDir dir;
    QCustomPlot& plot = *curves.lossPlot();

    const QString png = dir.filePath(QStringLiteral("loss.png"));
    QVERIFY(exportPlot(plot, png, QSize(504, 288), 300).isEmpty());
    const QImage image(png);
    QCOMPARE(image.size(), QSize(2100, 1200));  // 504 x 288 points at 300 dpi
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 300);

    const QString pdf = dir.filePath(QStringLiteral("loss.pdf"));
    QVERIFY(exportPlot(plot, pdf, QSize(504, 288)).isEmpty());
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdfFile.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF-"));
    QVERIFY(pdfBytes.contains("/FontFile"));  // fonts embedded
    QVERIFY(pdfBytes.contains("504"));        // the media box in points

    const QString svg = dir.filePath(QStringLiteral("loss.svg"));
    QVERIFY(exportPlot(plot, svg, QSize(504, 288)).isEmpty());
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgBytes = svgFile.readAll();
    QVERIFY(svgBytes.contains("<svg"));
    QVERIFY(svgBytes.contains("viewBox=\"0 0 504 288\""));
    // Text as vector outlines: no font family for a viewer to swap for a generic "sans".
    QVERIFY(!svgBytes.contains("<text"));

    const QString csv = dir.filePath(QStringLiteral("loss.csv"));
    QVERIFY(exportPlotData(plot, csv).isEmpty());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csvFile.readAll().split('\n');
    QCOMPARE(lines.first(), QByteArray("graph,x,y"));
    QVERIFY(lines.size() >= 1 + 50 + 50 + 2);

    QVERIFY(!exportPlot(plot, dir.filePath(QStringLiteral("x.bmp")), QSize(10, 10)).isEmpty());
    QVERIFY(!exportPlot(plot, QStringLiteral("/nonexistent/dir/x.png"), QSize(10, 10)).isEmpty());
  }

  // Every figure type at one and two columns: no text leaves the canvas or overlaps another, no
  // layout element leaves it, the legend is off the data, and the fonts are embedded (PDF) or
  // outlines (SVG).
  void figuresFitAtBothSizes_data() {
    QTest::addColumn<QString>("figure");
    QTest::addColumn<bool>("wide");
    for (const char* figure : {"loss", "accuracy", "attention"}) {
      QTest::addRow("%s, one column", figure) << QString::fromLatin1(figure) << false;
      QTest::addRow("%s, two columns", figure) << QString::fromLatin1(figure) << true;
    }
  }
  void figuresFitAtBothSizes() {
    QFETCH(QString, figure);
    QFETCH(bool, wide);
    CurvesView curves;
    fillRun(curves);
    // The paper's reference lines on: their legend entries are the longest.
    curves.findChild<QCheckBox*>(QStringLiteral("referenceLines"))->setChecked(true);
    AttentionView attention;
    attention.setFrame(longFrame());
    attention.setPolicy(QStringLiteral("crisp:0.8"));
    // Drawn on screen first, as in the studio: what QCustomPlot caches then must not leak into
    // the figure (its cached tick labels once left a fifth of the attention figure blank).
    for (QWidget* view : {static_cast<QWidget*>(&curves), static_cast<QWidget*>(&attention)}) {
      view->resize(1100, 700);
      view->show();
      QVERIFY(QTest::qWaitForWindowExposed(view));
    }
    curves.lossPlot()->replot();
    curves.accuracyPlot()->replot();
    attention.heatmapPlot()->replot();
    QCustomPlot* plot = figure == QLatin1String("loss")       ? curves.lossPlot()
                        : figure == QLatin1String("accuracy") ? curves.accuracyPlot()
                                                              : attention.heatmapPlot();
    const bool heatmap = figure == QLatin1String("attention");
    const QSize size = heatmap ? (wide ? kDoubleColumnHeatmap : kSingleColumnHeatmap)
                               : (wide ? kDoubleColumnFigure : kSingleColumnFigure);
    QStringList texts;
    const QStringList problems = figure_checks::layoutProblems(*plot, size, &texts);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    // No titles: captions belong to LaTeX.
    for (const char* title : {"Loss", "Dev accuracy"}) QVERIFY(!texts.contains(title));
    if (figure == QLatin1String("loss")) {
      QVERIFY(!texts.contains(QStringLiteral("train loss")));  // the raw loss is left out
      QVERIFY(texts.contains(QStringLiteral("dev loss")));
    } else if (figure == QLatin1String("accuracy")) {
      QVERIFY(texts.contains(QStringLiteral("paper: dense 90.62")));  // whole, not cut
      QVERIFY(texts.contains(QStringLiteral("paper: crisp 0.8 91.59")));
    } else {
      // The figure names layer, head, policy and sentence, and its panels.
      const QString header = texts.filter(QStringLiteral("Layer 1")).value(0);
      QVERIFY2(header.contains(QStringLiteral("head")) &&
                   header.contains(QStringLiteral("crisp:0.8")) &&
                   header.contains(QStringLiteral("the film is")),
               qPrintable(texts.join(" | ")));
      QVERIFY(texts.contains(QStringLiteral("crisp:0.8")));  // the after panel's second line
      // Long sentences are thinned, never overlapped: at one column some tokens go unlabelled,
      // yet every axis (the right panel shares the left one's rows) keeps a good share of them.
      const AttentionFrame frame = longFrame();
      int labels = 0;
      for (const QString& token : frame.tokens) labels += static_cast<int>(texts.count(token));
      QVERIFY2(labels >= 3 * 6, qPrintable(QString::number(labels)));
      if (!wide) QVERIFY2(labels < 3 * frame.length, qPrintable(QString::number(labels)));
    }
    QTemporaryDir dir;
    const QStringList fonts = figure_checks::fontProblems(
        *plot, size, dir.path(),
        figure + (wide ? QStringLiteral("-2col") : QStringLiteral("-1col")));
    QVERIFY2(fonts.isEmpty(), qPrintable(fonts.join('\n')));
  }

  // Under a dark theme a figure is still on paper: black axes on white, and a dense run's grey,
  // light on the dark screen, as dark as in the light theme; the screen's colours come back.
  void figuresStayOnPaperUnderADarkTheme() {
    CurvesView curves;
    curves.setLiveRun(QStringLiteral("dense"), QStringLiteral("dense"), QString(), 1);
    fillRun(curves);
    QPalette dark = curves.palette();
    dark.setColor(QPalette::Base, QColor(30, 31, 34));
    dark.setColor(QPalette::Text, QColor(225, 226, 228));
    curves.setPalette(dark);
    QCustomPlot& plot = *curves.lossPlot();
    QCPGraph* smooth = nullptr;
    for (int g = 0; g < plot.graphCount(); ++g) {
      if (plot.graph(g)->name().startsWith(QStringLiteral("train loss ("))) smooth = plot.graph(g);
    }
    QVERIFY(smooth != nullptr);
    QVERIFY2(smooth->pen().color().lightness() > 180, qPrintable(smooth->pen().color().name()));
    QCOMPARE(plot.xAxis->basePen().color(), QColor(225, 226, 228));
    {
      const PaperFigure figure(plot, kSingleColumnFigure);
      const QColor paper = smooth->pen().color();  // (20, 20, 20), give or take rounding
      QVERIFY2(qAbs(paper.red() - 20) <= 2 && paper.red() == paper.blue(),
               qPrintable(paper.name()));
      QCOMPARE(plot.xAxis->basePen().color(), QColor(Qt::black));
      QCOMPARE(plot.xAxis->tickLabelColor(), QColor(Qt::black));
    }
    QVERIFY(smooth->pen().color().lightness() > 180);
    QCOMPARE(plot.xAxis->basePen().color(), QColor(225, 226, 228));
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("loss.png"));
    QVERIFY(exportPlot(plot, png, kSingleColumnFigure).isEmpty());
    QCOMPARE(QImage(png).pixelColor(2, 2), QColor(Qt::white));
  }

  // The figure leaves the plot as it was: titles, raw loss, legend and fonts.
  void paperFigureRestoresThePlot() {
    CurvesView curves;
    fillRun(curves);
    QCustomPlot& plot = *curves.lossPlot();
    plot.replot();
    const int rows = plot.plotLayout()->rowCount();
    const QRect legend = plot.legend->outerRect();
    const int items = plot.legend->itemCount();
    {
      const PaperFigure figure(plot, kSingleColumnFigure);
      QVERIFY(qobject_cast<QCPTextElement*>(plot.plotLayout()->element(0, 0)) == nullptr);
    }
    plot.replot();
    QCOMPARE(plot.plotLayout()->rowCount(), rows);
    QVERIFY(qobject_cast<QCPTextElement*>(plot.plotLayout()->element(0, 0)) != nullptr);
    QCOMPARE(plot.legend->itemCount(), items);
    QCOMPARE(plot.legend->outerRect(), legend);
    for (int g = 0; g < plot.graphCount(); ++g) {
      if (plot.graph(g)->property(kRawCurveProperty).toBool()) QVERIFY(plot.graph(g)->visible());
    }
  }
};

QTEST_MAIN(TestPlotExport)
#include "test_plot_export.moc"
