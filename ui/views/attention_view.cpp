#include "ui/views/attention_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "ui/plot_style.h"

namespace crisp::ui {
namespace {

constexpr int kMeanOverHeads = -1;

QCPColorMap* addHeatmap(QCustomPlot* plot, int column, const QString& title, QCPColorScale* scale) {
  auto* rect = new QCPAxisRect(plot);
  plot->plotLayout()->addElement(1, column, rect);
  plot->plotLayout()->addElement(0, column,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
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

}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("attentionView"));
  sentence_ = new QComboBox(this);
  sentence_->setObjectName(QStringLiteral("probeCombo"));
  sentence_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  sentence_->setMinimumContentsLength(16);
  sentence_->setPlaceholderText(tr("Probe sentences appear after the first evaluation"));
  layer_ = new QComboBox(this);
  layer_->setObjectName(QStringLiteral("layerCombo"));
  head_ = new QComboBox(this);
  head_->setObjectName(QStringLiteral("headCombo"));
  head_->setToolTip(tr("A head, or the mean over heads"));
  hideSpecial_ = new QCheckBox(tr("Hide [CLS]/[SEP]"), this);
  hideSpecial_->setObjectName(QStringLiteral("hideSpecialTokens"));
  caption_ = new QLabel(this);
  caption_->setObjectName(QStringLiteral("attentionCaption"));
  caption_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Layer"), this));
  controls->addWidget(layer_);
  controls->addWidget(new QLabel(tr("Head"), this));
  controls->addWidget(head_);
  controls->addWidget(hideSpecial_);
  controls->addWidget(caption_, 1);

  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("attentionPlot"));
  plot_->plotLayout()->clear();
  auto* scale = new QCPColorScale(plot_);
  scale->setLabel(tr("attention probability"));
  scale->setGradient(viridisGradient());
  scale->setDataRange(QCPRange(0.0, 1.0));
  beforeMap_ = addHeatmap(plot_, 0, tr("Before pruning (dense softmax)"), scale);
  afterMap_ = addHeatmap(plot_, 1, tr("After pruning (policy applied)"), scale);
  plot_->plotLayout()->addElement(1, 2, scale);
  auto* group = new QCPMarginGroup(plot_);
  for (QCPAxisRect* rect : plot_->axisRects())
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(sentence_);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);

  for (QComboBox* box : {sentence_, layer_, head_}) {
    connect(box, &QComboBox::currentIndexChanged, this, &AttentionView::redraw);
  }
  connect(hideSpecial_, &QCheckBox::toggled, this, &AttentionView::redraw);
  clear();
}

void AttentionView::clear() {
  frames_.clear();
  sentence_->clear();
  caption_->setText(tr("Attention of the probe sentences appears here at each evaluation."));
  beforeMap_->data()->clear();
  afterMap_->data()->clear();
  plot_->replot();
}

void AttentionView::setFrame(const AttentionFrame& frame) {
  const bool newSentence = !frames_.contains(frame.sentence);
  frames_[frame.sentence] = frame;
  if (newSentence) sentence_->addItem(frame.sentence);
  // With a placeholder text, QComboBox selects nothing by itself.
  if (sentence_->currentIndex() < 0) sentence_->setCurrentIndex(0);
  if (layer_->count() != frame.layers) {
    const QSignalBlocker blockLayer(layer_), blockHead(head_);
    layer_->clear();
    for (int l = 0; l < frame.layers; ++l) layer_->addItem(QString::number(l + 1), l);
    head_->clear();
    head_->addItem(tr("mean"), kMeanOverHeads);
    for (int h = 0; h < frame.heads; ++h) head_->addItem(QString::number(h + 1), h);
  }
  redraw();
}

void AttentionView::redraw() {
  const auto it = frames_.constFind(sentence_->currentText());
  if (it == frames_.constEnd() || it->layers == 0) return;
  const AttentionFrame& f = *it;
  const int layer = std::max(0, layer_->currentData().toInt());
  const int head = head_->currentData().isValid() ? head_->currentData().toInt() : kMeanOverHeads;
  QVector<int> shown;
  for (int t = 0; t < f.length; ++t) {
    const bool special =
        f.tokens.value(t) == QLatin1String("[CLS]") || f.tokens.value(t) == QLatin1String("[SEP]");
    if (!(hideSpecial_->isChecked() && special)) shown << t;
  }
  const auto matrix = [&](const QVector<float>& maps) {
    QVector<QVector<double>> m(shown.size(), QVector<double>(shown.size(), 0.0));
    for (int qi = 0; qi < shown.size(); ++qi) {
      for (int ki = 0; ki < shown.size(); ++ki) {
        double v = 0;
        if (head == kMeanOverHeads) {
          for (int h = 0; h < f.heads; ++h) v += f.at(maps, layer, h, shown[qi], shown[ki]);
          v /= f.heads;
        } else {
          v = f.at(maps, layer, head, shown[qi], shown[ki]);
        }
        m[qi][ki] = v;
      }
    }
    return m;
  };
  shownBefore_ = matrix(f.before);
  shownAfter_ = matrix(f.after);

  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < shown.size(); ++i) ticker->addTick(i, f.tokens.value(shown[i]));
  const int n = static_cast<int>(shown.size());
  for (auto [map, values] :
       {std::pair{beforeMap_, &shownBefore_}, std::pair{afterMap_, &shownAfter_}}) {
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    for (int qi = 0; qi < n; ++qi) {
      for (int ki = 0; ki < n; ++ki) map->data()->setCell(ki, qi, (*values)[qi][ki]);
    }
    map->keyAxis()->setTicker(ticker);
    map->valueAxis()->setTicker(ticker);
    map->keyAxis()->setRange(-0.5, n - 0.5);
    map->valueAxis()->setRange(-0.5, n - 0.5);
  }
  QString prediction;
  for (int i = 0; i < f.probabilities.size(); ++i) {
    prediction += QStringLiteral("%1%2%")
                      .arg(i ? QStringLiteral(" / ") : QString())
                      .arg(100.0 * f.probabilities[i], 0, 'f', 1);
  }
  caption_->setText(
      tr("Step %1 · layer %2 · %3 · prediction %4")
          .arg(f.step)
          .arg(layer + 1)
          .arg(head == kMeanOverHeads ? tr("mean over heads") : tr("head %1").arg(head + 1))
          .arg(prediction));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace crisp::ui
