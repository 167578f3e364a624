#include <QImage>
#include <QtTest>

#include "ui/plot_export.h"
#include "ui/qcp.h"
#include "ui/views/attention_view.h"
#include "ui/views/curves_view.h"

using namespace crisp::ui;

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
    QVERIFY(svgBytes.contains("cross-entropy"));  // axis labels are text, not pixels

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
};

QTEST_MAIN(TestPlotExport)
#include "test_plot_export.moc"
