#include "ui/views/attention_heatmap.h"

#include <QObject>

#include "ui/paper_figure.h"

namespace crisp::ui {

QCustomPlot* newHeatmapPlot(QWidget* parent, const QString& objectName, int minimumHeight) {
  auto* plot = new QCustomPlot(parent);
  plot->setObjectName(objectName);
  plot->setMinimumHeight(minimumHeight);
  plot->plotLayout()->clear();
  return plot;
}

QCPColorScale* newProbabilityScale(QCustomPlot* plot, const QString& label,
                                   const QCPColorGradient& gradient) {
  auto* scale = new QCPColorScale(plot);
  scale->setLabel(label);
  scale->setGradient(gradient);
  scale->setDataRange(QCPRange(0.0, 1.0));
  return scale;
}

QCPColorMap* addHeatmap(QCustomPlot* plot, int column, const QString& title, QCPColorScale* scale) {
  auto* rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(1, column, rect);
  auto* label = new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold));
  label->setProperty(kPanelLabelProperty, title);  // a panel's label: figures keep it
  plot->plotLayout()->addElement(0, column, label);
  rect->axis(QCPAxis::atBottom)->setLabel(QObject::tr("key token"));
  rect->axis(QCPAxis::atLeft)->setLabel(QObject::tr("query token"));
  rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
  rect->axis(QCPAxis::atBottom)->setTickLabelRotation(60);
  for (auto type : {QCPAxis::atBottom, QCPAxis::atLeft}) {
    rect->axis(type)->grid()->setVisible(false);
  }
  auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map->setColorScale(scale);
  map->setInterpolate(false);
  return map;
}

QVector<QVector<double>> submatrix(const float* full, int length, const QVector<int>& shown) {
  QVector<QVector<double>> m(shown.size(), QVector<double>(shown.size(), 0.0));
  for (int qi = 0; qi < shown.size(); ++qi) {
    for (int ki = 0; ki < shown.size(); ++ki) m[qi][ki] = full[shown[qi] * length + shown[ki]];
  }
  return m;
}

QSharedPointer<QCPAxisTickerText> tokenTicker(const QStringList& tokens,
                                              const QVector<int>& shown) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < shown.size(); ++i) ticker->addTick(i, tokens.value(shown[i]));
  return ticker;
}

void fillHeatmap(QCPColorMap* map, const QVector<QVector<double>>& values,
                 const QSharedPointer<QCPAxisTickerText>& ticker) {
  const int n = static_cast<int>(values.size());
  map->data()->setSize(n, n);
  map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
  for (int qi = 0; qi < n; ++qi) {
    for (int ki = 0; ki < n; ++ki) map->data()->setCell(ki, qi, values[qi][ki]);
  }
  map->keyAxis()->setTicker(ticker);
  map->valueAxis()->setTicker(ticker);
  map->keyAxis()->setRange(-0.5, n - 0.5);
  map->valueAxis()->setRange(-0.5, n - 0.5);
}

}  // namespace crisp::ui
