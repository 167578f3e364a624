#include "ui/views/experiment_panel.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include "core/sys/device.h"
#include "core/text/tokenizer.h"
#include "core/train/experiment.h"
#include "ui/views/data_preview.h"
#include "ui/views/model_choice.h"
#include "ui/views/policy_editor.h"
#include "ui/views/problem_mark.h"
#include "ui/wheel_guard.h"

namespace crisp::ui {
namespace {

// Greys out a form row that does not apply. Why not hide it (QFormLayout::setRowVisible, or
// hiding the row's widgets): with hidden rows, Qt 6.4.2's QFormLayout::setGeometry wrote past
// the end of a heap block (valgrind), and the window later crashed in its destructor.
void setFormRowApplies(QFormLayout* form, QWidget* field, bool applies) {
  field->setEnabled(applies);
  if (QWidget* label = form->labelForField(field)) label->setEnabled(applies);
}

// The tokenizer and data combos list their choices in the order of these enums.
using Tokenizer = ExperimentFormValues::Tokenizer;
using Data = ExperimentFormValues::Data;

// Whether the tokenizer choice reads the vocabulary field's file.
bool takesTokenizerFile(Tokenizer choice) {
  return choice == Tokenizer::WordPiece || choice == Tokenizer::SentencePiece;
}

template <typename Combo>
Combo* narrow(Combo* box) {
  // Long entries must not widen the dock; the popup still shows them in full.
  box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  box->setMinimumContentsLength(10);
  return box;
}

QComboBox* combo(const QString& name, const QList<QPair<QString, QString>>& items,
                 QWidget* parent) {
  auto* box = new QComboBox(parent);
  box->setObjectName(name);
  for (const auto& [label, data] : items) box->addItem(label, data);
  return narrow(box);
}

}  // namespace

ExperimentPanel::ExperimentPanel(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("experimentPanel"));
  previewTimer_ = new QTimer(this);
  previewTimer_->setSingleShot(true);
  previewTimer_->setInterval(250);  // typing a path: preview once it settles
  connect(previewTimer_, &QTimer::timeout, this, &ExperimentPanel::updatePreview);

  auto* form = new QWidget;
  auto* formLayout = new QVBoxLayout(form);
  formLayout->setContentsMargins(0, 0, 4, 0);
  formLayout->addWidget(buildModelGroup());
  formLayout->addWidget(buildDataGroup());
  formLayout->addWidget(buildPolicyGroup());
  formLayout->addWidget(buildTrainingGroup());
  formLayout->addStretch(1);
  auto* scroll = new QScrollArea(this);
  scroll->setObjectName(QStringLiteral("experimentScroll"));
  scroll->setWidget(form);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  problemLabel_ = new QLabel(this);
  problemLabel_->setObjectName(QStringLiteral("experimentProblems"));
  problemLabel_->setWordWrap(true);
  problemLabel_->setStyleSheet(QStringLiteral("color: #c0392b"));
  controls_ = new RunControls(this);
  connect(controls_->startAction(), &QAction::triggered, this, [this] {
    if (canStart()) Q_EMIT startRequested();
  });
  connect(controls_->pauseAction(), &QAction::triggered, this,
          [this] { controls_->paused() ? Q_EMIT resumeRequested() : Q_EMIT pauseRequested(); });
  connect(controls_->stopAction(), &QAction::triggered, this, &ExperimentPanel::stopRequested);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(scroll, 1);
  layout->addWidget(problemLabel_);
  layout->addWidget(controls_);

  new WheelGuard(form);
  onModelChanged();
  setRunState(RunPhase::Idle);
}

PathField* ExperimentPanel::pathField(const QString& name, const QString& placeholder,
                                      PathField::Kind kind, const QString& filter,
                                      QWidget* parent) {
  auto* field = new PathField(name, placeholder, kind, filter, parent);
  connect(field, &PathField::changed, this, [this] {
    previewTimer_->start();
    validate();
  });
  return field;
}

QWidget* ExperimentPanel::buildModelGroup() {
  auto* group = new QGroupBox(tr("Model"), this);
  auto* form = new QFormLayout(group);
  model_ = narrow(new ModelChoice(group));
  form->addRow(tr("Model"), model_);
  modelDir_ = pathField(QStringLiteral("modelDirEdit"),
                        tr("a folder, or a hub id in the cache: distilbert-base-uncased"),
                        PathField::Directory, QString(), group);
  // A chosen directory's neighbours are listed too (a folder of checkpoints).
  connect(modelDir_->edit(), &QLineEdit::editingFinished, this, [this] {
    const QFileInfo chosen(modelDir_->path());
    if (chosen.isDir()) model_->listPretrainedModels({chosen.absolutePath()});
  });
  form->addRow(tr("Directory"), modelDir_);
  tokenizer_ = combo(QStringLiteral("tokenizerCombo"),
                     {{tr("the model's own"), QStringLiteral("model")},
                      {tr("WordPiece vocabulary (vocab.txt)…"), QStringLiteral("wordpiece")},
                      {tr("SentencePiece model (.model)…"), QStringLiteral("sentencepiece")},
                      {tr("Train SentencePiece on the data"), QStringLiteral("train")}},
                     group);
  tokenizer_->setToolTip(
      tr("The model's own (the demo's vocabulary, or the checkpoint's vocab.txt / spiece.model), "
         "a WordPiece vocabulary, a SentencePiece .model, or a SentencePiece vocabulary trained "
         "on the training sentences before a model from scratch is built. The run keeps a copy."));
  form->addRow(tr("Tokenizer"), tokenizer_);
  vocab_ = pathField(QStringLiteral("vocabEdit"), tr("vocab.txt, its directory, or a .model"),
                     PathField::File, tr("Tokenizer (*.txt *.model);;All files (*)"), group);
  form->addRow(tr("File"), vocab_);
  spmRow_ = new QWidget(group);
  spmVocab_ = new QSpinBox(spmRow_);
  spmVocab_->setObjectName(QStringLiteral("sentencePieceVocabSpin"));
  spmVocab_->setRange(kSentencePieceMinVocab, kSentencePieceMaxVocab);
  spmVocab_->setValue(ExperimentFormValues().sentencePieceVocabSize);
  spmVocab_->setToolTip(
      tr("Pieces in the trained vocabulary, its 4 special ones included; SentencePiece says "
         "when the data cannot fill that many"));
  spmType_ = combo(QStringLiteral("sentencePieceTypeCombo"),
                   {{tr("unigram"), QStringLiteral("unigram")}, {tr("BPE"), QStringLiteral("bpe")}},
                   spmRow_);
  spmType_->setMinimumContentsLength(6);
  auto* spmLayout = new QHBoxLayout(spmRow_);
  spmLayout->setContentsMargins(0, 0, 0, 0);
  spmLayout->addWidget(spmVocab_, 1);
  spmLayout->addWidget(spmType_);
  form->addRow(tr("Vocab size"), spmRow_);
  connect(spmVocab_, &QSpinBox::valueChanged, this, &ExperimentPanel::validate);
  connect(model_, &QComboBox::currentIndexChanged, this, &ExperimentPanel::onModelChanged);
  connect(tokenizer_, &QComboBox::currentIndexChanged, this, [this] {
    updateVisibility();
    validate();
  });
  return group;
}

QWidget* ExperimentPanel::buildDataGroup() {
  auto* group = new QGroupBox(tr("Data"), this);
  auto* form = new QFormLayout(group);
  const ExperimentConfig demo = ExperimentConfig::demo();
  data_ =
      combo(QStringLiteral("dataCombo"),
            {{tr("Embedded demo corpus (%L1 / %L2)").arg(demo.demoTrainSize).arg(demo.demoDevSize),
              QStringLiteral("demo")},
             {tr("Quick demo (800 / 200)"), QStringLiteral("quick")},
             {tr("Files…"), QStringLiteral("files")}},
            group);
  form->addRow(tr("Data"), data_);
  const QString filter = tr("Data (*.tsv *.csv *.jsonl *.ndjson *.txt);;All files (*)");
  trainPath_ = pathField(QStringLiteral("trainDataEdit"), tr("GLUE TSV, CSV or JSON Lines"),
                         PathField::File, filter, group);
  form->addRow(tr("Training"), trainPath_);
  devPath_ = pathField(QStringLiteral("devDataEdit"), tr("the dev (validation) split"),
                       PathField::File, filter, group);
  form->addRow(tr("Dev"), devPath_);

  preview_ = new DataPreview(group);
  form->addRow(preview_);
  connect(data_, &QComboBox::currentIndexChanged, this, [this] {
    updateVisibility();
    updatePreview();
    validate();
  });
  return group;
}

QWidget* ExperimentPanel::buildPolicyGroup() {
  auto* group = new QGroupBox(tr("Attention policy"), this);
  auto* layout = new QVBoxLayout(group);
  policyEditor_ = new PolicyEditor(group);
  policyEditor_->setObjectName(QStringLiteral("policyEditor"));
  layout->addWidget(policyEditor_);
  connect(policyEditor_, &PolicyEditor::changed, this, &ExperimentPanel::validate);
  return group;
}

QWidget* ExperimentPanel::buildTrainingGroup() {
  auto* group = new QGroupBox(tr("Training"), this);
  auto* form = new QFormLayout(group);
  const ExperimentFormValues defaults;  // the form as it opens
  learningRate_ = new QLineEdit(group);
  learningRate_->setObjectName(QStringLiteral("learningRateEdit"));
  auto* validator = new QDoubleValidator(1e-8, 1.0, 10, learningRate_);
  validator->setNotation(QDoubleValidator::ScientificNotation);
  validator->setLocale(QLocale::c());
  learningRate_->setValidator(validator);
  learningRate_->setToolTip(tr("Peak learning rate of AdamW (linear warm-up, then linear decay)"));
  form->addRow(tr("Learning rate"), learningRate_);
  batch_ = new QSpinBox(group);
  batch_->setObjectName(QStringLiteral("batchSpin"));
  batch_->setRange(1, 1024);
  batch_->setValue(defaults.batchSize);
  form->addRow(tr("Batch size"), batch_);
  maxLength_ = new QSpinBox(group);
  maxLength_->setObjectName(QStringLiteral("maxLengthSpin"));
  maxLength_->setRange(8, 512);
  maxLength_->setValue(defaults.maxLength);
  maxLength_->setToolTip(tr("Tokens per sentence including [CLS] and [SEP]; longer ones are cut"));
  form->addRow(tr("Max length"), maxLength_);
  epochs_ = new QSpinBox(group);
  epochs_->setObjectName(QStringLiteral("epochsSpin"));
  epochs_->setRange(1, 100);
  epochs_->setValue(defaults.epochs);
  form->addRow(tr("Epochs"), epochs_);
  seed_ = new QSpinBox(group);
  seed_->setObjectName(QStringLiteral("seedSpin"));
  seed_->setRange(0, 1'000'000);
  seed_->setValue(defaults.seed);
  form->addRow(tr("Seed"), seed_);
  device_ = new QComboBox(group);
  device_->setObjectName(QStringLiteral("deviceCombo"));
  for (const std::string& device : availableDevices()) {
    const QString name = QString::fromStdString(device);
    device_->addItem(name == QLatin1String("cpu") ? tr("CPU") : name.toUpper(), name);
  }
  device_->setToolTip(device_->count() > 1
                          ? tr("Where the run trains; checkpoints load on any device")
                          : tr("Where the run trains: this LibTorch finds no CUDA device"));
  form->addRow(tr("Device"), device_);
  precision_ = new QComboBox(group);
  precision_->setObjectName(QStringLiteral("precisionCombo"));
  precision_->addItem(tr("FP32"), QStringLiteral("fp32"));
  precision_->addItem(tr("BF16 (mixed)"), QStringLiteral("bf16"));
  precision_->setToolTip(
      tr("BF16: matrix products in bfloat16 on a GPU; attention scores, top-k "
         "and softmax stay float32"));
  form->addRow(tr("Precision"), precision_);
  // bf16 runs on CUDA only: on the CPU the choice is fp32, shown but not offered.
  const auto followDevice = [this] {
    const bool gpu = device_->currentData().toString() != QLatin1String("cpu");
    if (!gpu) precision_->setCurrentIndex(0);
    precision_->setEnabled(gpu);
  };
  connect(device_, &QComboBox::currentIndexChanged, this, followDevice);
  followDevice();
  processes_ = new QSpinBox(group);
  processes_->setObjectName(QStringLiteral("processesSpin"));
  processes_->setRange(1, maxProcesses());
  processes_->setValue(defaults.processes);
  processes_->setToolTip(
      tr("Data-parallel processes (crisp train --nproc): each trains on its share of every "
         "batch, at most one per usable CPU (%1 here); on CUDA one per GPU (NCCL, where "
         "LibTorch has it). 1 trains inside the "
         "studio, with live attention; with more, the attention view follows the checkpoints, "
         "and Pause writes a checkpoint and ends the processes until Resume.")
          .arg(maxProcesses()));
  form->addRow(tr("Processes"), processes_);
  connect(device_, &QComboBox::currentIndexChanged, this, &ExperimentPanel::validate);
  connect(processes_, &QSpinBox::valueChanged, this, &ExperimentPanel::validate);
  connect(learningRate_, &QLineEdit::textChanged, this, &ExperimentPanel::validate);
  return group;
}

void ExperimentPanel::onModelChanged() {
  const bool checkpoint = model_->fineTunesCheckpoint();
  // Assumed defaults: the demo's measured rate for presets from scratch, the usual BERT
  // fine-tuning rate for pretrained checkpoints.
  learningRate_->setText(checkpoint ? QStringLiteral("2e-5") : ExperimentFormValues().learningRate);
  if (checkpoint && maxLength_->value() < 128) maxLength_->setValue(128);
  updateVisibility();
  validate();
}

void ExperimentPanel::updateVisibility() {
  auto* modelForm = qobject_cast<QFormLayout*>(model_->parentWidget()->layout());
  setFormRowApplies(modelForm, modelDir_, model_->typed());
  const Tokenizer tokenizer = tokenizerChoice();
  setFormRowApplies(modelForm, vocab_, takesTokenizerFile(tokenizer));
  setFormRowApplies(modelForm, spmRow_, tokenizer == Tokenizer::TrainSentencePiece);
  vocab_->edit()->setPlaceholderText(tokenizer == Tokenizer::SentencePiece
                                         ? tr("e.g. ~/models/spiece.model")
                                         : tr("e.g. ../shared/data/bert-base-uncased"));
  tokenizer_->setItemText(static_cast<int>(Tokenizer::ModelOwn),
                          model_->fineTunesCheckpoint() ? tr("the model directory's tokenizer")
                                                        : tr("the demo's embedded vocabulary"));
  auto* dataForm = qobject_cast<QFormLayout*>(data_->parentWidget()->layout());
  const bool files = dataChoice() == Data::Files;
  setFormRowApplies(dataForm, trainPath_, files);
  setFormRowApplies(dataForm, devPath_, files);
  setFormRowApplies(dataForm, preview_, files);
}

QString ExperimentPanel::policyText() const {
  return policyEditor_->text();
}

Tokenizer ExperimentPanel::tokenizerChoice() const {
  return static_cast<Tokenizer>(tokenizer_->currentIndex());
}

Data ExperimentPanel::dataChoice() const {
  return static_cast<Data>(data_->currentIndex());
}

ExperimentFormValues ExperimentPanel::formValues() const {
  ExperimentFormValues form;
  form.modelTyped = model_->typed();
  form.model = form.modelTyped ? modelDir_->path() : model_->listedModel();
  form.pretrainedName = model_->pretrainedName();
  form.tokenizer = tokenizerChoice();
  form.tokenizerPath = vocab_->path();
  form.sentencePieceVocabSize = spmVocab_->value();
  form.sentencePieceType = spmType_->currentData().toString();
  form.data = dataChoice();
  form.trainPath = trainPath_->path();
  form.devPath = devPath_->path();
  form.trainPreviewProblem = preview_->problem(DataPreview::Train);
  form.devPreviewProblem = preview_->problem(DataPreview::Dev);
  form.policy = policyText();
  form.learningRate = learningRate_->text();
  form.batchSize = batch_->value();
  form.maxLength = maxLength_->value();
  form.epochs = epochs_->value();
  form.seed = seed_->value();
  form.device = device_->currentData().toString();
  form.precision = precision_->currentData().toString();
  form.processes = processes_->value();
  return form;
}

ExperimentConfig ExperimentPanel::experiment() const {
  return experimentFromForm(formValues());
}

int ExperimentPanel::processes() const {
  return processes_->value();
}

void ExperimentPanel::setProcesses(int processes) {
  processes_->setValue(processes);
  validate();
}

void ExperimentPanel::setModel(const QString& model) {
  if (!model_->choose(model)) modelDir_->edit()->setText(model);
  validate();
}

void ExperimentPanel::setDataFiles(const QString& train, const QString& dev) {
  trainPath_->edit()->setText(train);
  devPath_->edit()->setText(dev);
  data_->setCurrentIndex(
      static_cast<int>(train.isEmpty() && dev.isEmpty() ? Data::Demo : Data::Files));
  updatePreview();
  validate();
}

void ExperimentPanel::setVocabulary(const QString& path) {
  vocab_->edit()->setText(path);
  const Tokenizer kind = path.isEmpty()                           ? Tokenizer::ModelOwn
                         : path.endsWith(QLatin1String(".model")) ? Tokenizer::SentencePiece
                                                                  : Tokenizer::WordPiece;
  tokenizer_->setCurrentIndex(static_cast<int>(kind));
  validate();
}

void ExperimentPanel::setSentencePieceTraining(int vocabSize, const QString& modelType) {
  spmVocab_->setValue(vocabSize);
  spmType_->setCurrentIndex(std::max(0, spmType_->findData(modelType)));
  tokenizer_->setCurrentIndex(static_cast<int>(Tokenizer::TrainSentencePiece));
  validate();
}

QTableWidget* ExperimentPanel::previewTable(int which) const {
  return preview_->table(static_cast<DataPreview::File>(which));
}

int ExperimentPanel::previewRejectedCount(int which) const {
  return preview_->rejectedCount(static_cast<DataPreview::File>(which));
}

void ExperimentPanel::updatePreview() {
  previewTimer_->stop();
  const bool files = dataChoice() == Data::Files;
  preview_->showFiles(files ? trainPath_->path() : QString(), files ? devPath_->path() : QString());
  validate();
}

void ExperimentPanel::validate() {
  const ExperimentFormCheck check = checkExperimentForm(formValues(), tokenizers_);
  problems_ = check.messages();
  problemLabel_->setText(problems_.join(QLatin1Char('\n')));
  problemLabel_->setVisible(!check.ready());
  // Each problem also beside the field it belongs to (the policy editor shows its own).
  const auto problemOf = [&check](FormField field) {
    QStringList messages;
    for (const FormProblem& problem : check.problems) {
      if (problem.field == field) messages << problem.message;
    }
    return messages.join(QLatin1Char('\n'));
  };
  markProblem(modelDir_->edit(), problemOf(FormField::Model));
  // A tokenizer problem sits on the vocabulary field where it applies, else on the choice.
  const QString tokenizerProblem = problemOf(FormField::Tokenizer);
  const bool vocabularyApplies = takesTokenizerFile(tokenizerChoice());
  markProblem(vocab_->edit(), vocabularyApplies ? tokenizerProblem : QString());
  markProblem(tokenizer_, vocabularyApplies ? QString() : tokenizerProblem);
  markProblem(trainPath_->edit(), problemOf(FormField::TrainData));
  markProblem(devPath_->edit(), problemOf(FormField::DevData));
  markProblem(learningRate_, problemOf(FormField::LearningRate));
  // A spin box's own line edit carries the mark.
  markProblem(processes_->findChild<QLineEdit*>(), problemOf(FormField::Processes));
  controls_->setStartable(!active_ && check.ready(), problems_.join(QLatin1Char('\n')));
}

void ExperimentPanel::setRunState(RunPhase phase) {
  active_ = isActive(phase);
  controls_->setRunState(phase);
  for (auto* group : findChildren<QGroupBox*>()) group->setEnabled(!active_);
  validate();
}

}  // namespace crisp::ui
