#include "ui/views/attention_view.h"

#include "ui/plot_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace crisp::ui {
namespace {

QCPAxisRect* addHeatmapRect(QCustomPlot* plot, int column, const QString& title,
                            QCPColorScale* scale) {
  auto* rect = column == 0 ? plot->axisRect() : new QCPAxisRect(plot);
  if (column != 0) plot->plotLayout()->addElement(1, column, rect);
  plot->plotLayout()->addElement(0, column,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
  rect->axis(QCPAxis::atBottom)->setLabel(QObject::tr("key token"));
  rect->axis(QCPAxis::atLeft)->setLabel(QObject::tr("query token"));
  rect->axis(QCPAxis::atLeft)->setRangeReversed(true);
  auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map->setColorScale(scale);
  auto* hint = new QCPItemText(plot);
  hint->setClipAxisRect(rect);
  hint->position->setAxisRect(rect);
  hint->position->setType(QCPItemPosition::ptAxisRectRatio);
  hint->position->setCoords(0.5, 0.5);
  hint->setText(QObject::tr("No sentence yet"));
  hint->setColor(QColor(120, 120, 120));
  return rect;
}

}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("attentionView"));

  auto* sentence = new QLineEdit(this);
  sentence->setObjectName(QStringLiteral("attentionSentence"));
  sentence->setPlaceholderText(tr("Sentence to inspect (or pick a probe sentence)"));
  auto* layer = new QComboBox(this);
  layer->setObjectName(QStringLiteral("layerCombo"));
  layer->setToolTip(tr("Layer"));
  auto* head = new QComboBox(this);
  head->setObjectName(QStringLiteral("headCombo"));
  head->setToolTip(tr("Head, or an aggregate (mean over heads, attention rollout)"));
  auto* hideSpecial = new QCheckBox(tr("Hide [CLS]/[SEP]"), this);
  hideSpecial->setObjectName(QStringLiteral("hideSpecialTokens"));

  auto* controls = new QHBoxLayout;
  controls->addWidget(sentence, 1);
  controls->addWidget(new QLabel(tr("Layer"), this));
  controls->addWidget(layer);
  controls->addWidget(new QLabel(tr("Head"), this));
  controls->addWidget(head);
  controls->addWidget(hideSpecial);

  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("attentionPlot"));
  plot_->plotLayout()->clear();
  plot_->plotLayout()->addElement(1, 0, new QCPAxisRect(plot_));
  auto* scale = new QCPColorScale(plot_);
  scale->setLabel(tr("attention probability"));
  scale->setDataRange(QCPRange(0.0, 1.0));
  scale->setGradient(viridisGradient());
  auto* group = new QCPMarginGroup(plot_);
  auto* before = addHeatmapRect(plot_, 0, tr("Before pruning (dense softmax)"), scale);
  auto* after = addHeatmapRect(plot_, 1, tr("After pruning (policy applied)"), scale);
  plot_->plotLayout()->addElement(1, 2, scale);
  for (QCPLayoutElement* element :
       {static_cast<QCPLayoutElement*>(before), static_cast<QCPLayoutElement*>(after),
        static_cast<QCPLayoutElement*>(scale)}) {
    element->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  }

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(plot_, 1);
}

}  // namespace crisp::ui
