#include "ui/views/dam_mask_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "core/analysis/attention_stats.h"
#include "ui/plot_style.h"
#include "ui/views/attention_heatmap.h"
#include "ui/views/attention_view.h"

namespace crisp::ui {
namespace {

// Blue (dropped) through near-white at the 0.5 threshold to red (kept): whether a pair is kept
// reads at a glance, and a mask that keeps nothing is plainly blue rather than blank.
QCPColorGradient keepGradient() {
  QCPColorGradient gradient;
  gradient.setColorInterpolation(QCPColorGradient::ciRGB);
  gradient.setColorStopAt(0.0, QColor(33, 102, 172));
  gradient.setColorStopAt(0.25, QColor(146, 197, 222));
  gradient.setColorStopAt(0.5, QColor(247, 247, 247));
  gradient.setColorStopAt(0.75, QColor(244, 165, 130));
  gradient.setColorStopAt(1.0, QColor(178, 24, 43));
  return gradient;
}

}  // namespace

DamMaskPanel::DamMaskPanel(QWidget* parent) : QWidget(parent) {
  note_ = new QLabel(this);
  note_->setObjectName(QStringLiteral("damNote"));
  note_->setWordWrap(true);
  plot_ = newHeatmapPlot(this, QStringLiteral("damPlot"), 160);
  auto* scale = newProbabilityScale(plot_, tr("keep probability σ(α)"), keepGradient());
  scale->axis()->setTickLabelFont(QFont("sans", 8));
  map_ = addHeatmap(plot_, 0, QString(), scale);
  // The tab names the plot: its height goes to the tokens.
  plot_->plotLayout()->remove(plot_->plotLayout()->element(0, 0));
  plot_->plotLayout()->simplify();
  plot_->plotLayout()->addElement(0, 1, scale);
  for (auto type : {QCPAxis::atBottom, QCPAxis::atLeft}) {
    plot_->axisRect()->axis(type)->setTickLabelFont(QFont("sans", 8));
    plot_->axisRect()->axis(type)->setLabel(QString());
  }
  auto* group = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  followTheme(*plot_);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("damSummary"));
  summary_->setWordWrap(true);
  summary_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  summary_->setMinimumWidth(220);

  auto* body = new QHBoxLayout;
  body->setContentsMargins(0, 0, 0, 0);
  body->addWidget(plot_, 3);
  body->addWidget(summary_, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(note_);
  layout->addLayout(body, 1);
  clear();
}

QString DamMaskPanel::summary() const {
  return summary_->text();
}

void DamMaskPanel::clear() {
  map_->data()->clear();
  summary_->clear();
  note_->setText(tr("The learned mask appears when the run's policy uses DAM."));
  plot_->replot();
}

void DamMaskPanel::setFrame(const AttentionFrame& f, int layer, int head,
                            const QVector<int>& shown) {
  const qsizetype cells = static_cast<qsizetype>(f.length) * f.length;
  if (f.damKeep.size() != f.layers * f.heads * cells) {
    note_->setText(
        tr("This run's policy has no learned mask. Choose “Learned mask (DAM)” as "
           "the attention policy to train one (SparseBERT, Shi et al. 2021)."));
    map_->data()->clear();
    summary_->clear();
    plot_->setVisible(false);
    summary_->setVisible(false);
    return;
  }
  plot_->setVisible(true);
  summary_->setVisible(true);
  const float* mask = f.damKeep.constData();
  const float* layerMask = mask + layer * f.heads * cells;
  const QVector<QVector<double>> values =
      head >= 0 ? submatrix(layerMask + head * cells, f.length, shown)
                : submatrix(analysis::meanOverHeads(layerMask, f.heads, f.length).data(), f.length,
                            shown);
  fillHeatmap(map_, values, tokenTicker(f.tokens, shown));

  // Pairs of the shown tokens kept at evaluation (sigma(alpha) > 0.5): in the heads shown, and in
  // every layer and head.
  const auto kept = [&](int l, int h) {
    const float* m = mask + (static_cast<qsizetype>(l) * f.heads + h) * cells;
    int count = 0;
    for (int q : shown) {
      for (int k : shown) count += m[q * f.length + k] > 0.5f ? 1 : 0;
    }
    return count;
  };
  const int pairs = static_cast<int>(shown.size() * shown.size());
  int keptShown = 0, keptAll = 0;
  for (int l = 0; l < f.layers; ++l) {
    for (int h = 0; h < f.heads; ++h) {
      const int k = kept(l, h);
      keptAll += k;
      if (l == layer && (head < 0 || h == head)) keptShown += k;
    }
  }
  bool sameInEveryLayer = f.layers > 1;
  for (int l = 1; l < f.layers && sameInEveryLayer; ++l) {
    sameInEveryLayer = std::equal(mask, mask + f.heads * cells, mask + l * f.heads * cells);
  }
  const int headsShown = head >= 0 ? 1 : f.heads;
  const auto share = [](int k, int n) {
    return QStringLiteral("%1 of %2 (%3%)").arg(k).arg(n).arg(n ? 100.0 * k / n : 0.0, 0, 'f', 1);
  };
  const QString heads = head >= 0 ? tr("head %1").arg(head + 1) : tr("all %1 heads").arg(f.heads);
  QString summary = tr("<b>Pairs kept</b> (σ(α) &gt; 0.5) among the %1 tokens shown:<br>"
                       "layer %2, %3: %4<br>every layer and head: %5")
                        .arg(shown.size())
                        .arg(layer + 1)
                        .arg(heads, share(keptShown, pairs * headsShown),
                             share(keptAll, pairs * f.heads * f.layers));
  if (sameInEveryLayer) summary += tr("<br>One mask shared by all %1 layers.").arg(f.layers);
  if (keptAll == 0) {
    summary +=
        tr("<br><span style=\"color:#b2182b\">The mask drops every pair of this "
           "sentence: at evaluation each query keeps only its best-scoring key (see "
           "After pruning above).</span>");
  }
  summary_->setText(summary);

  QString what = head >= 0 ? tr("head %1").arg(head + 1) : tr("mean over heads");
  if (head == AttentionView::kRollout) {
    what = tr("mean over heads (rollout does not apply to the mask)");
  }
  note_->setText(tr("Learned mask at step %1, layer %2%3, %4: keep probability σ(α) of each "
                    "(query row, key column) pair; a pair is kept when σ(α) > 0.5.")
                     .arg(f.step)
                     .arg(layer + 1)
                     .arg(sameInEveryLayer ? tr(" (the same in every layer)") : QString())
                     .arg(what));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace crisp::ui
