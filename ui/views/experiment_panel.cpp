#include "ui/views/experiment_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/train/experiment.h"

namespace crisp::ui {
namespace {

QComboBox* combo(const QString& name, const QList<QPair<QString, QString>>& items,
                 QWidget* parent) {
  auto* box = new QComboBox(parent);
  box->setObjectName(name);
  for (const auto& [label, data] : items) box->addItem(label, data);
  return box;
}

}  // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("experimentPanel"));

  auto* modelGroup = new QGroupBox(tr("Model and data"), this);
  auto* modelForm = new QFormLayout(modelGroup);
  model_ = combo(QStringLiteral("modelCombo"),
                 {{tr("tiny, from scratch (demo)"), QStringLiteral("preset:tiny")},
                  {tr("small, from scratch"), QStringLiteral("preset:small")}},
                 modelGroup);
  modelForm->addRow(tr("Model"), model_);
  data_ = combo(QStringLiteral("dataCombo"),
                {{tr("Embedded demo corpus (4,000 / 500)"), QStringLiteral("demo")},
                 {tr("Quick demo (800 / 200)"), QStringLiteral("quick")}},
                modelGroup);
  modelForm->addRow(tr("Data"), data_);

  auto* attentionGroup = new QGroupBox(tr("Attention policy"), this);
  auto* attentionForm = new QFormLayout(attentionGroup);
  policy_ = combo(QStringLiteral("policyCombo"),
                  {{tr("Dense"), QStringLiteral("dense")},
                   {tr("Crisp top-k"), QStringLiteral("crisp")},
                   {tr("Crisp top-k, layer ramp"), QStringLiteral("ramp")},
                   {tr("No diagonal"), QStringLiteral("nodiag")},
                   {tr("No diagonal + crisp top-k"), QStringLiteral("nodiag+crisp")},
                   {tr("Window (±3) pattern"), QStringLiteral("window:3")},
                   {tr("BigBird pattern"), QStringLiteral("bigbird:2:1:2:0")},
                   {tr("Learned mask (DAM, λ = 1e-3)"), QStringLiteral("dam:0.001")}},
                  attentionGroup);
  attentionForm->addRow(tr("Policy"), policy_);
  sparsity_ = new QDoubleSpinBox(attentionGroup);
  sparsity_->setObjectName(QStringLiteral("sparsitySpin"));
  sparsity_->setRange(0.0, 0.95);
  sparsity_->setSingleStep(0.05);
  sparsity_->setValue(0.8);
  sparsity_->setToolTip(tr("Fraction of allowed keys pruned per query row: k = ⌈(1−s)·n⌉"));
  attentionForm->addRow(tr("Sparsity s"), sparsity_);
  const auto updateSparsity = [this] {
    sparsity_->setEnabled(policy_->currentData().toString().contains(QLatin1String("crisp")) ||
                          policy_->currentData().toString() == QLatin1String("ramp"));
  };
  connect(policy_, &QComboBox::currentIndexChanged, this, updateSparsity);
  updateSparsity();

  auto* trainingGroup = new QGroupBox(tr("Training"), this);
  auto* trainingForm = new QFormLayout(trainingGroup);
  epochs_ = new QSpinBox(trainingGroup);
  epochs_->setObjectName(QStringLiteral("epochsSpin"));
  epochs_->setRange(1, 100);
  epochs_->setValue(ExperimentConfig::demo().hyper.epochs);
  trainingForm->addRow(tr("Epochs"), epochs_);
  seed_ = new QSpinBox(trainingGroup);
  seed_->setObjectName(QStringLiteral("seedSpin"));
  seed_->setRange(0, 1'000'000);
  seed_->setValue(42);
  trainingForm->addRow(tr("Seed"), seed_);

  start_ = new QPushButton(tr("Start"), this);
  start_->setObjectName(QStringLiteral("startButton"));
  start_->setShortcut(QKeySequence(QStringLiteral("Ctrl+R")));
  start_->setToolTip(tr("Start training (Ctrl+R)"));
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setObjectName(QStringLiteral("pauseButton"));
  pause_->setShortcut(QKeySequence(QStringLiteral("Ctrl+P")));
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setObjectName(QStringLiteral("stopButton"));
  stop_->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
  stop_->setToolTip(tr("Stop with a final checkpoint (Ctrl+.)"));
  connect(start_, &QPushButton::clicked, this, &ExperimentPanel::startRequested);
  connect(pause_, &QPushButton::clicked, this,
          [this] { paused_ ? Q_EMIT resumeRequested() : Q_EMIT pauseRequested(); });
  connect(stop_, &QPushButton::clicked, this, &ExperimentPanel::stopRequested);
  auto* buttons = new QHBoxLayout;
  for (QPushButton* b : {start_, pause_, stop_}) buttons->addWidget(b);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(modelGroup);
  layout->addWidget(attentionGroup);
  layout->addWidget(trainingGroup);
  layout->addLayout(buttons);
  layout->addStretch(1);
  setRunState(QString());
}

QString ExperimentPanel::policyText() const {
  const QString choice = policy_->currentData().toString();
  const QString s = QString::number(sparsity_->value(), 'g', 3);
  if (choice == QLatin1String("crisp")) return QStringLiteral("crisp:") + s;
  if (choice == QLatin1String("ramp")) return QStringLiteral("ramp:") + s;
  if (choice == QLatin1String("nodiag+crisp")) return QStringLiteral("nodiag+crisp:") + s;
  return choice;
}

ExperimentConfig ExperimentPanel::experiment() const {
  ExperimentConfig config = ExperimentConfig::demo();
  config.model = model_->currentData().toString().toStdString();
  if (data_->currentData().toString() == QLatin1String("quick")) {
    config.demoTrainSize = 800;
    config.demoDevSize = 200;
  }
  config.policy = policyText().toStdString();
  config.name = config.model.substr(7) + "-" + config.policy;
  config.hyper.epochs = epochs_->value();
  config.hyper.seed = static_cast<uint64_t>(seed_->value());
  return config;
}

void ExperimentPanel::setRunState(const QString& state) {
  const bool active = state == QLatin1String("preparing") || state == QLatin1String("running") ||
                      state == QLatin1String("paused");
  paused_ = state == QLatin1String("paused");
  start_->setEnabled(!active);
  pause_->setEnabled(state == QLatin1String("running") || paused_);
  pause_->setText(paused_ ? tr("Resume") : tr("Pause"));
  stop_->setEnabled(active);
  for (QWidget* w : std::initializer_list<QWidget*>{model_, data_, policy_, epochs_, seed_}) {
    w->setEnabled(!active);
  }
}

}  // namespace crisp::ui
