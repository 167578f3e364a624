#include "ui/views/curves_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include "ui/views/elided_label.h"
#include "ui/views/seed_bands.h"

namespace crisp::ui {

CurvesControls::CurvesControls(QWidget* view, QVBoxLayout* layout) {
  xAxis = new QComboBox(view);
  xAxis->setObjectName(QStringLiteral("xAxisMode"));
  xAxis->addItem(tr("Step"));
  xAxis->addItem(tr("Epoch"));
  xAxis->addItem(tr("Wall time"));
  xAxis->setToolTip(tr("What the x axis shows"));
  smoothingKind = new QComboBox(view);
  smoothingKind->setObjectName(QStringLiteral("smoothingKind"));
  smoothingKind->addItem(tr("EMA (debiased)"));
  smoothingKind->addItem(tr("Moving average"));
  smoothing = new QSlider(Qt::Horizontal, view);
  smoothing->setObjectName(QStringLiteral("smoothingSlider"));
  smoothing->setMinimumWidth(110);
  smoothingValue = new QLabel(view);
  smoothingValue->setMinimumWidth(44);
  references = new QCheckBox(tr("Paper lines"), view);
  references->setObjectName(QStringLiteral("referenceLines"));
  references->setToolTip(
      tr("Gandhi & Gandhi 2025 on SST-2: dense DistilBERT 90.62%, crisp 80% sparsity 91.59%"));
  seedBands = new QComboBox(view);
  seedBands->setObjectName(QStringLiteral("seedBands"));
  seedBands->addItem(tr("each seed"), QVariant::fromValue(SeedBandKind::Off));
  seedBands->addItem(tr("mean ± sd"), QVariant::fromValue(SeedBandKind::Sd));
  seedBands->addItem(tr("min–max"), QVariant::fromValue(SeedBandKind::Range));
  seedBands->setToolTip(
      tr("Runs of one configuration with different seeds: each drawn, or their mean "
         "with a band (as W&B's grouping)"));
  reset = new QPushButton(tr("Reset view"), view);
  reset->setObjectName(QStringLiteral("resetView"));
  reset->setToolTip(tr("Fit all curves (or double-click a plot). Drag to pan, wheel to zoom."));
  summary =
      new ElidedLabel(tr("No run yet: configure an experiment on the left and press Start."), view);
  summary->setObjectName(QStringLiteral("curvesSummary"));

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("x:"), view));
  controls->addWidget(xAxis);
  controls->addSpacing(8);
  controls->addWidget(new QLabel(tr("Smoothing:"), view));
  controls->addWidget(smoothingKind);
  controls->addWidget(smoothing);
  controls->addWidget(smoothingValue);
  controls->addSpacing(8);
  controls->addWidget(references);
  controls->addStretch(1);
  controls->addWidget(reset);
  // The seeds' grouping beside the summary: the controls' row stays narrow enough for a small
  // screen.
  auto* summaryRow = new QHBoxLayout;
  summaryRow->addWidget(summary, 1);
  summaryRow->addWidget(new QLabel(tr("Seeds:"), view));
  summaryRow->addWidget(seedBands);
  layout->addLayout(controls);
  layout->addLayout(summaryRow);
}

void CurvesControls::showSmoothingKind(bool ema, int value) {
  smoothingKind->setCurrentIndex(ema ? 0 : 1);
  {
    const QSignalBlocker block(smoothing);
    smoothing->setRange(0, ema ? 99 : 199);
    smoothing->setValue(value);
  }
  smoothing->setToolTip(ema ? tr("Weight of the debiased exponential moving average")
                            : tr("Window of the trailing moving average, in points"));
}

void CurvesControls::showSmoothingValue(int value, const QString& text) {
  smoothingValue->setText(text);
  if (smoothing->value() != value) {
    const QSignalBlocker block(smoothing);
    smoothing->setValue(value);
  }
}

}  // namespace crisp::ui
