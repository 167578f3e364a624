#include "ui/views/experiment_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace crisp::ui {
namespace {

QComboBox* combo(const QString& name, const QStringList& items, QWidget* parent) {
  auto* box = new QComboBox(parent);
  box->setObjectName(name);
  box->addItems(items);
  return box;
}

}  // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("experimentPanel"));

  auto* modelGroup = new QGroupBox(tr("Model and data"), this);
  auto* modelForm = new QFormLayout(modelGroup);
  modelForm->addRow(
      tr("Model"),
      combo(QStringLiteral("modelCombo"),
            {tr("Embedded demo (tiny, from scratch)"), tr("Preset from scratch: small"),
             tr("Preset from scratch: distilbert-base"), tr("Hugging Face directory…")},
            modelGroup));
  modelForm->addRow(tr("Data"),
                    combo(QStringLiteral("dataCombo"),
                          {tr("Embedded demo corpus"), tr("GLUE TSV / CSV / JSONL…")}, modelGroup));

  auto* attentionGroup = new QGroupBox(tr("Attention policy"), this);
  auto* attentionForm = new QFormLayout(attentionGroup);
  attentionForm->addRow(tr("Policy"), combo(QStringLiteral("policyCombo"),
                                            {tr("Dense"), tr("Crisp top-k"), tr("No diagonal"),
                                             tr("Fixed pattern"), tr("Learned mask (DAM)")},
                                            attentionGroup));
  auto* sparsity = new QDoubleSpinBox(attentionGroup);
  sparsity->setObjectName(QStringLiteral("sparsitySpin"));
  sparsity->setRange(0.0, 0.99);
  sparsity->setSingleStep(0.05);
  sparsity->setValue(0.8);
  sparsity->setToolTip(tr("Fraction of allowed keys pruned per query row (k = ⌈(1−s)·n⌉)"));
  attentionForm->addRow(tr("Sparsity"), sparsity);

  auto* trainingGroup = new QGroupBox(tr("Training"), this);
  auto* trainingForm = new QFormLayout(trainingGroup);
  auto* epochs = new QSpinBox(trainingGroup);
  epochs->setObjectName(QStringLiteral("epochsSpin"));
  epochs->setRange(1, 100);
  epochs->setValue(3);
  trainingForm->addRow(tr("Epochs"), epochs);
  auto* seed = new QSpinBox(trainingGroup);
  seed->setObjectName(QStringLiteral("seedSpin"));
  seed->setRange(0, 1'000'000);
  seed->setValue(42);
  trainingForm->addRow(tr("Seed"), seed);

  auto* buttons = new QHBoxLayout;
  for (const auto& [name, label] :
       {std::pair{"startButton", tr("Start")}, std::pair{"pauseButton", tr("Pause")},
        std::pair{"stopButton", tr("Stop")}}) {
    auto* button = new QPushButton(label, this);
    button->setObjectName(QString::fromLatin1(name));
    button->setEnabled(false);
    button->setToolTip(tr("The training engine is not part of this build yet"));
    buttons->addWidget(button);
  }

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(modelGroup);
  layout->addWidget(attentionGroup);
  layout->addWidget(trainingGroup);
  layout->addLayout(buttons);
  layout->addStretch(1);
}

}  // namespace crisp::ui
