#include "ui/views/experiment_panel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/data/dataset.h"
#include "core/io/model_location.h"
#include "core/sys/device.h"
#include "core/text/tokenizer.h"
#include "core/train/experiment.h"
#include "ui/settings.h"
#include "ui/views/policy_editor.h"
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

constexpr int kPreviewRows = 8;
const QString kHuggingFace = QStringLiteral("hf");
// A found pretrained checkpoint's name (empty for the presets and the directory choice).
constexpr int kPretrainedNameRole = Qt::UserRole + 1;
enum TokenizerChoice { kModelOwn = 0, kWordPiece = 1, kSentencePiece = 2, kTrainSentencePiece = 3 };
enum DataChoice { kDemo = 0, kQuickDemo = 1, kFiles = 2 };

QComboBox* combo(const QString& name, const QList<QPair<QString, QString>>& items,
                 QWidget* parent) {
  auto* box = new QComboBox(parent);
  box->setObjectName(name);
  for (const auto& [label, data] : items) box->addItem(label, data);
  // Long entries must not widen the dock; the popup still shows them in full.
  box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  box->setMinimumContentsLength(10);
  return box;
}

QString shortPath(const QString& path) {
  return QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName();
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
  // The run controls are actions (the window's Training menu holds them), so their shortcuts
  // work wherever the focus is and survive the Pause/Resume relabelling; the buttons mirror them.
  startAction_ = new QAction(tr("&Start"), this);
  startAction_->setObjectName(QStringLiteral("startAction"));
  startAction_->setShortcut(QKeySequence(QStringLiteral("Ctrl+R")));
  pauseAction_ = new QAction(tr("&Pause"), this);
  pauseAction_->setObjectName(QStringLiteral("pauseAction"));
  pauseAction_->setShortcut(QKeySequence(QStringLiteral("Ctrl+P")));
  stopAction_ = new QAction(tr("S&top"), this);
  stopAction_->setObjectName(QStringLiteral("stopAction"));
  stopAction_->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
  stopAction_->setToolTip(tr("Stop with a final checkpoint (Ctrl+.)"));
  connect(startAction_, &QAction::triggered, this, [this] {
    if (canStart()) Q_EMIT startRequested();
  });
  connect(pauseAction_, &QAction::triggered, this,
          [this] { paused_ ? Q_EMIT resumeRequested() : Q_EMIT pauseRequested(); });
  connect(stopAction_, &QAction::triggered, this, &ExperimentPanel::stopRequested);
  const auto button = [this](QAction* action, const QString& name) {
    auto* b = new QPushButton(this);
    b->setObjectName(name);
    connect(b, &QPushButton::clicked, action, &QAction::trigger);
    const auto mirror = [b, action] {
      b->setText(QString(action->text()).remove(QLatin1Char('&')));  // no mnemonic shortcut
      b->setEnabled(action->isEnabled());
      b->setToolTip(action->toolTip());
    };
    connect(action, &QAction::changed, b, mirror);
    mirror();
    return b;
  };
  for (QAction* action : runActions()) action->setShortcutContext(Qt::ApplicationShortcut);
  addActions(runActions());  // active on their own too, wherever the panel is shown
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(button(startAction_, QStringLiteral("startButton")));
  buttons->addWidget(button(pauseAction_, QStringLiteral("pauseButton")));
  buttons->addWidget(button(stopAction_, QStringLiteral("stopButton")));

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(scroll, 1);
  layout->addWidget(problemLabel_);
  layout->addLayout(buttons);

  new WheelGuard(form);
  onModelChanged();
  setRunState(RunPhase::Idle);
}

QLineEdit* ExperimentPanel::pathEdit(const QString& name, const QString& placeholder,
                                     bool directory, const QString& filter, QWidget* parent,
                                     QWidget** row) {
  *row = new QWidget(parent);
  auto* edit = new QLineEdit(*row);
  edit->setObjectName(name);
  edit->setPlaceholderText(placeholder);
  edit->setClearButtonEnabled(true);
  auto* browse = new QToolButton(*row);
  browse->setText(QStringLiteral("…"));
  browse->setToolTip(directory ? tr("Choose a directory") : tr("Choose a file"));
  auto* layout = new QHBoxLayout(*row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(edit, 1);
  layout->addWidget(browse);
  connect(browse, &QToolButton::clicked, this, [this, edit, directory, filter] {
    const QString start = edit->text().isEmpty() ? QDir::homePath() : edit->text();
    const QString chosen = directory
                               ? QFileDialog::getExistingDirectory(this, tr("Choose"), start)
                               : QFileDialog::getOpenFileName(this, tr("Choose"), start, filter);
    if (!chosen.isEmpty()) edit->setText(chosen);
  });
  edit->setText(StudioSettings::formPath(name));  // where the user left it last time
  connect(edit, &QLineEdit::textChanged, this, [this, name](const QString& text) {
    StudioSettings::setFormPath(name, text);
    previewTimer_->start();
    validate();
  });
  return edit;
}

QWidget* ExperimentPanel::buildModelGroup() {
  auto* group = new QGroupBox(tr("Model"), this);
  auto* form = new QFormLayout(group);
  model_ = combo(QStringLiteral("modelCombo"),
                 {{tr("tiny, from scratch (demo)"), QStringLiteral("preset:tiny")},
                  {tr("small, from scratch"), QStringLiteral("preset:small")},
                  {tr("distilbert-base, from scratch"), QStringLiteral("preset:distilbert-base")},
                  {tr("Hugging Face directory…"), kHuggingFace}},
                 group);
  model_->setToolTip(
      tr("A preset trained from scratch, a pretrained checkpoint found in the Hugging Face cache "
         "or beside a chosen directory, or a Hugging Face checkpoint directory (config.json, "
         "vocab.txt or tokenizer.json, model.safetensors or pytorch_model.bin), a "
         "sentence-transformers package or a hub id in the cache"));
  form->addRow(tr("Model"), model_);
  listPretrainedModels({});
  modelDir_ = pathEdit(QStringLiteral("modelDirEdit"),
                       tr("a folder, or a hub id in the cache: distilbert-base-uncased"), true,
                       QString(), group, &modelDirRow_);
  // A chosen directory's neighbours are listed too (a folder of checkpoints).
  connect(modelDir_, &QLineEdit::editingFinished, this, [this] {
    const QFileInfo chosen(modelDir_->text().trimmed());
    if (chosen.isDir()) listPretrainedModels({chosen.absolutePath()});
  });
  form->addRow(tr("Directory"), modelDirRow_);
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
  vocab_ = pathEdit(QStringLiteral("vocabEdit"), tr("vocab.txt, its directory, or a .model"), false,
                    tr("Tokenizer (*.txt *.model);;All files (*)"), group, &vocabRow_);
  form->addRow(tr("File"), vocabRow_);
  spmRow_ = new QWidget(group);
  spmVocab_ = new QSpinBox(spmRow_);
  spmVocab_->setObjectName(QStringLiteral("sentencePieceVocabSpin"));
  spmVocab_->setRange(kSentencePieceMinVocab, kSentencePieceMaxVocab);
  spmVocab_->setValue(8000);
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
  trainPath_ = pathEdit(QStringLiteral("trainDataEdit"), tr("GLUE TSV, CSV or JSON Lines"), false,
                        filter, group, &trainRow_);
  form->addRow(tr("Training"), trainRow_);
  devPath_ = pathEdit(QStringLiteral("devDataEdit"), tr("the dev (validation) split"), false,
                      filter, group, &devRow_);
  form->addRow(tr("Dev"), devRow_);

  filesBox_ = new QWidget(group);
  auto* filesLayout = new QVBoxLayout(filesBox_);
  filesLayout->setContentsMargins(0, 0, 0, 0);
  previewTabs_ = new QTabWidget(filesBox_);
  previewTabs_->setObjectName(QStringLiteral("dataPreview"));
  previewTabs_->setDocumentMode(true);
  for (int which = 0; which < 2; ++which) {
    auto* page = new QWidget(previewTabs_);
    previewSummary_[which] = new QLabel(page);
    previewSummary_[which]->setWordWrap(true);
    preview_[which] = new QTableWidget(0, 3, page);
    preview_[which]->setObjectName(which == 0 ? QStringLiteral("trainPreview")
                                              : QStringLiteral("devPreview"));
    preview_[which]->setHorizontalHeaderLabels({tr("Line"), tr("Label"), tr("Text")});
    preview_[which]->verticalHeader()->hide();
    preview_[which]->setEditTriggers(QAbstractItemView::NoEditTriggers);
    preview_[which]->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    preview_[which]->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    preview_[which]->horizontalHeader()->setStretchLastSection(true);
    preview_[which]->setWordWrap(false);
    preview_[which]->setMinimumHeight(150);
    auto* pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 2, 0, 0);
    pageLayout->addWidget(previewSummary_[which]);
    pageLayout->addWidget(preview_[which], 1);
    previewTabs_->addTab(page, which == 0 ? tr("Training preview") : tr("Dev preview"));
  }
  filesLayout->addWidget(previewTabs_);
  form->addRow(filesBox_);
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
  const ExperimentConfig demo = ExperimentConfig::demo();
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
  batch_->setValue(demo.hyper.batchSize);
  form->addRow(tr("Batch size"), batch_);
  maxLength_ = new QSpinBox(group);
  maxLength_->setObjectName(QStringLiteral("maxLengthSpin"));
  maxLength_->setRange(8, 512);
  maxLength_->setValue(demo.maxLength);
  maxLength_->setToolTip(tr("Tokens per sentence including [CLS] and [SEP]; longer ones are cut"));
  form->addRow(tr("Max length"), maxLength_);
  epochs_ = new QSpinBox(group);
  epochs_->setObjectName(QStringLiteral("epochsSpin"));
  epochs_->setRange(1, 100);
  epochs_->setValue(demo.hyper.epochs);
  form->addRow(tr("Epochs"), epochs_);
  seed_ = new QSpinBox(group);
  seed_->setObjectName(QStringLiteral("seedSpin"));
  seed_->setRange(0, 1'000'000);
  seed_->setValue(42);
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
  connect(learningRate_, &QLineEdit::textChanged, this, &ExperimentPanel::validate);
  return group;
}

void ExperimentPanel::listPretrainedModels(const QStringList& folders) {
  std::vector<std::string> extra;
  for (const QString& f : folders) extra.push_back(f.toStdString());
  for (const QString& f : std::as_const(pretrainedFolders_)) extra.push_back(f.toStdString());
  for (const QString& f : folders) {
    if (!pretrainedFolders_.contains(f)) pretrainedFolders_ << f;
  }
  const QString current = model_->currentData().toString();
  const QSignalBlocker block(model_);
  // Found entries sit between the presets and "Hugging Face directory…".
  for (int i = model_->count() - 1; i >= 0; --i) {
    if (!model_->itemData(i, kPretrainedNameRole).toString().isEmpty()) model_->removeItem(i);
  }
  int at = model_->findData(kHuggingFace);
  for (const crisp::PretrainedModelInfo& info : crisp::findPretrainedModels(extra)) {
    if (!info.supported) continue;  // only BERT and DistilBERT load
    const QString name = QString::fromStdString(info.name);
    model_->insertItem(at,
                       tr("%1 (pretrained %2, %3 MB)")
                           .arg(name, QString::fromStdString(info.modelType))
                           .arg(static_cast<double>(info.weightsBytes) / 1e6, 0, 'f', 0),
                       QString::fromStdString(info.directory));
    model_->setItemData(at, name, kPretrainedNameRole);
    model_->setItemData(at, QString::fromStdString(info.directory), Qt::ToolTipRole);
    ++at;
  }
  const int keep = model_->findData(current);
  model_->setCurrentIndex(keep >= 0 ? keep : 0);
}

bool ExperimentPanel::fineTunesCheckpoint() const {
  return !model_->currentData().toString().startsWith(QLatin1String("preset:"));
}

void ExperimentPanel::onModelChanged() {
  const bool checkpoint = fineTunesCheckpoint();
  // Assumed defaults: the demo's measured rate for presets from scratch, the usual BERT
  // fine-tuning rate for pretrained checkpoints.
  const double demoRate = ExperimentConfig::demo().hyper.learningRate;
  learningRate_->setText(checkpoint ? QStringLiteral("2e-5") : QString::number(demoRate));
  if (checkpoint && maxLength_->value() < 128) maxLength_->setValue(128);
  updateVisibility();
  validate();
}

void ExperimentPanel::updateVisibility() {
  auto* modelForm = qobject_cast<QFormLayout*>(model_->parentWidget()->layout());
  const bool huggingFace = model_->currentData().toString() == kHuggingFace;
  setFormRowApplies(modelForm, modelDirRow_, huggingFace);
  const int tokenizer = tokenizer_->currentIndex();
  setFormRowApplies(modelForm, vocabRow_, tokenizer == kWordPiece || tokenizer == kSentencePiece);
  setFormRowApplies(modelForm, spmRow_, tokenizer == kTrainSentencePiece);
  vocab_->setPlaceholderText(tokenizer == kSentencePiece
                                 ? tr("e.g. ~/models/spiece.model")
                                 : tr("e.g. ../shared/data/bert-base-uncased"));
  tokenizer_->setItemText(kModelOwn, fineTunesCheckpoint() ? tr("the model directory's tokenizer")
                                                           : tr("the demo's embedded vocabulary"));
  auto* dataForm = qobject_cast<QFormLayout*>(data_->parentWidget()->layout());
  const bool files = data_->currentIndex() == kFiles;
  setFormRowApplies(dataForm, trainRow_, files);
  setFormRowApplies(dataForm, devRow_, files);
  setFormRowApplies(dataForm, filesBox_, files);
}

QString ExperimentPanel::policyText() const {
  return policyEditor_->text();
}

QString ExperimentPanel::chosenModel() const {
  const QString data = model_->currentData().toString();
  return data == kHuggingFace ? modelDir_->text().trimmed() : data;
}

ExperimentConfig ExperimentPanel::experiment() const {
  ExperimentConfig config = ExperimentConfig::demo();
  config.model = chosenModel().toStdString();
  const int tokenizer = tokenizer_->currentIndex();
  if (tokenizer == kWordPiece || tokenizer == kSentencePiece) {
    config.tokenizer = vocab_->text().trimmed().toStdString();
  } else if (tokenizer == kTrainSentencePiece) {
    config.trainSentencePiece.vocabSize = spmVocab_->value();
    config.trainSentencePiece.modelType = spmType_->currentData().toString().toStdString();
  }
  if (data_->currentIndex() == kFiles) {
    config.trainData = trainPath_->text().trimmed().toStdString();
    config.devData = devPath_->text().trimmed().toStdString();
  } else if (data_->currentIndex() == kQuickDemo) {
    config.demoTrainSize = 800;
    config.demoDevSize = 200;
  }
  config.policy = policyText().toStdString();
  config.maxLength = maxLength_->value();
  config.hyper.learningRate = QLocale::c().toDouble(learningRate_->text());
  config.hyper.batchSize = batch_->value();
  config.hyper.epochs = epochs_->value();
  config.hyper.seed = static_cast<uint64_t>(seed_->value());
  config.device = device_->currentData().toString().toStdString();
  config.precision = precision_->currentData().toString().toStdString();
  const QString found = model_->currentData(kPretrainedNameRole).toString();
  const QString model = !found.isEmpty() ? found.section(QLatin1Char('/'), -1)
                        : model_->currentData().toString() == kHuggingFace
                            ? shortPath(QString::fromStdString(config.model))
                            : QString::fromStdString(config.model).mid(7);
  config.name = (model + QLatin1Char('-') + policyText()).toStdString();
  return config;
}

void ExperimentPanel::setModel(const QString& model) {
  const int preset = model_->findData(model);
  if (preset >= 0) {
    model_->setCurrentIndex(preset);
  } else {
    model_->setCurrentIndex(model_->findData(kHuggingFace));
    modelDir_->setText(model);
  }
  validate();
}

void ExperimentPanel::setDataFiles(const QString& train, const QString& dev) {
  trainPath_->setText(train);
  devPath_->setText(dev);
  data_->setCurrentIndex(train.isEmpty() && dev.isEmpty() ? kDemo : kFiles);
  updatePreview();
  validate();
}

void ExperimentPanel::setVocabulary(const QString& path) {
  vocab_->setText(path);
  tokenizer_->setCurrentIndex(path.isEmpty()                           ? kModelOwn
                              : path.endsWith(QLatin1String(".model")) ? kSentencePiece
                                                                       : kWordPiece);
  validate();
}

void ExperimentPanel::setSentencePieceTraining(int vocabSize, const QString& modelType) {
  spmVocab_->setValue(vocabSize);
  spmType_->setCurrentIndex(std::max(0, spmType_->findData(modelType)));
  tokenizer_->setCurrentIndex(kTrainSentencePiece);
  validate();
}

QString ExperimentPanel::tokenizerProblem(const QString& path, qint64* vocabSize) const {
  const QFileInfo info(path);
  const QString key = QStringLiteral("%1|%2|%3")
                          .arg(info.absoluteFilePath())
                          .arg(info.lastModified().toMSecsSinceEpoch())
                          .arg(info.size());
  if (key != checkedTokenizer_) {
    checkedTokenizer_ = key;
    checkedProblem_.clear();
    checkedVocabSize_ = -1;
    try {
      checkedVocabSize_ = static_cast<qint64>(openTokenizer(path.toStdString())->vocabSize());
    } catch (const std::exception& e) {
      checkedProblem_ = QString::fromUtf8(e.what());
    }
  }
  *vocabSize = checkedVocabSize_;
  return checkedProblem_;
}

QTableWidget* ExperimentPanel::previewTable(int which) const {
  return preview_[which];
}

int ExperimentPanel::previewRejectedCount(int which) const {
  return rejected_[which];
}

void ExperimentPanel::updatePreview() {
  previewTimer_->stop();
  const bool files = data_->currentIndex() == kFiles;
  const QString paths[2] = {trainPath_->text().trimmed(), devPath_->text().trimmed()};
  for (int which = 0; which < 2; ++which) {
    QTableWidget* table = preview_[which];
    table->setRowCount(0);
    rejected_[which] = 0;
    previewError_[which].clear();
    const QString& path = paths[which];
    if (!files || path.isEmpty()) {
      previewSummary_[which]->setText(tr("Choose a file to see its first rows."));
      continue;
    }
    try {
      const data::Dataset d = data::preview(path.toStdString(), kPreviewRows);
      const auto addRow = [table](size_t line, const QString& label, const QString& text,
                                  bool bad) {
        const int row = table->rowCount();
        table->insertRow(row);
        const QString cells[3] = {QString::number(line), label, text};
        for (int c = 0; c < 3; ++c) {
          auto* item = new QTableWidgetItem(cells[c]);
          item->setToolTip(text);
          if (bad) item->setForeground(QColor(192, 57, 43));
          table->setItem(row, c, item);
        }
      };
      // Rows in file order: accepted and rejected interleaved as they occur.
      size_t next = 0;
      for (const data::Example& e : d.examples) {
        while (next < d.rejected.size() && d.rejected[next].line < e.line) {
          const data::RejectedRow& r = d.rejected[next++];
          addRow(r.line, tr("rejected"), QString::fromStdString(r.reason + " — " + r.excerpt),
                 true);
        }
        const std::vector<std::string>& names = d.labels.names();
        const QString label = e.label >= 0 && e.label < static_cast<int>(names.size())
                                  ? QString::fromStdString(names[e.label])
                                  : QString::number(e.label);
        addRow(e.line, label, QString::fromStdString(e.text), false);
      }
      while (next < d.rejected.size()) {
        const data::RejectedRow& r = d.rejected[next++];
        addRow(r.line, tr("rejected"), QString::fromStdString(r.reason + " — " + r.excerpt), true);
      }
      rejected_[which] = static_cast<int>(d.rejectedCount);
      QStringList labels;
      for (const std::string& n : d.labels.names()) labels << QString::fromStdString(n);
      QStringList columns;
      for (const std::string& c : d.columns) columns << QString::fromStdString(c);
      const char* format = data::toString(data::guessSource(path.toStdString()).format);
      QString summary =
          tr("%1 · %2 · %3 · labels: %4")
              .arg(shortPath(path), QString::fromLatin1(format),
                   columns.isEmpty() ? tr("JSON keys") : tr("columns: %1").arg(columns.join(", ")),
                   labels.join(QStringLiteral(", ")));
      if (d.rejectedCount > 0) {
        summary +=
            tr("<br><b style='color:#c0392b'>%n rejected row(s) in the first rows</b> — "
               "training reads strictly and would stop there.",
               nullptr, static_cast<int>(d.rejectedCount));
        previewError_[which] =
            tr("%1:%2: %3")
                .arg(shortPath(path))
                .arg(d.rejected.empty() ? 0 : d.rejected.front().line)
                .arg(d.rejected.empty() ? QString()
                                        : QString::fromStdString(d.rejected.front().reason));
      }
      previewSummary_[which]->setText(summary);
    } catch (const std::exception& e) {
      previewError_[which] = QString::fromUtf8(e.what());
      previewSummary_[which]->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>")
                                          .arg(previewError_[which].toHtmlEscaped()));
    }
  }
  validate();
}

void ExperimentPanel::validate() {
  QStringList problems;
  const bool huggingFace = model_->currentData().toString() == kHuggingFace;
  const bool files = data_->currentIndex() == kFiles;
  const int tokenizer = tokenizer_->currentIndex();
  qint64 modelVocabSize = -1;  // a checkpoint's config.json vocab_size, when readable
  if (huggingFace) {
    const QString typed = modelDir_->text().trimmed();
    // Core resolves the name as training will: a folder, a sentence-transformers package or a
    // hub id in the local cache.
    QString dir;
    crisp::PretrainedModelInfo info;
    if (typed.isEmpty()) {
      problems << tr("Choose the Hugging Face model directory.");
    } else {
      try {
        dir = QString::fromStdString(crisp::resolveModelDirectory(typed.toStdString()));
      } catch (const std::exception& e) {
        problems << QString::fromStdString(e.what());
      }
    }
    if (dir.isEmpty()) {
      // the problem is listed above
    } else if (!crisp::describePretrainedModel(dir.toStdString(), info)) {
      problems << tr("%1 has no model.safetensors or pytorch_model.bin.").arg(dir);
    } else if (tokenizer == kModelOwn && !crisp::hasTokenizerFiles(dir.toStdString())) {
      problems << tr("%1 has no vocab.txt, tokenizer.json or spiece.model: choose a tokenizer.")
                      .arg(dir);
    } else {
      modelVocabSize = info.vocabSize;
    }
  }
  if (tokenizer == kWordPiece || tokenizer == kSentencePiece) {
    const QString path = vocab_->text().trimmed();
    const QFileInfo info(path);
    const bool isModel = path.endsWith(QLatin1String(".model"));
    if (path.isEmpty()) {
      problems << (tokenizer == kWordPiece
                       ? tr("Choose a WordPiece vocabulary (vocab.txt or its directory).")
                       : tr("Choose a SentencePiece model (a .model file)."));
    } else if (tokenizer == kWordPiece && isModel) {
      problems << tr("%1 is a SentencePiece model: choose “SentencePiece model” as the tokenizer.")
                      .arg(shortPath(path));
    } else if (tokenizer == kWordPiece &&
               !(info.isFile() ||
                 (info.isDir() && QDir(path).exists(QStringLiteral("vocab.txt"))))) {
      problems << tr("No vocab.txt at %1").arg(path);
    } else if (tokenizer == kSentencePiece && !isModel) {
      problems << tr("%1 is not a SentencePiece model: choose a file ending in .model.")
                      .arg(shortPath(path));
    } else if (tokenizer == kSentencePiece && !info.isFile()) {
      problems << tr("SentencePiece model not found: %1").arg(path);
    } else {
      qint64 size = -1;
      const QString problem = tokenizerProblem(path, &size);
      if (!problem.isEmpty()) {
        problems << tr("Tokenizer: %1").arg(problem);
      } else if (modelVocabSize > 0 && size != modelVocabSize) {
        problems << tr("The tokenizer %1 has %2 entries but the model's config.json says "
                       "vocab_size %3: a checkpoint needs the tokenizer it was trained with.")
                        .arg(shortPath(path))
                        .arg(size)
                        .arg(modelVocabSize);
      }
    }
  } else if (tokenizer == kTrainSentencePiece) {
    try {
      validateTokenizerChoice(experiment());
    } catch (const std::exception& e) {
      problems << tr("Tokenizer: %1").arg(QString::fromUtf8(e.what()));
    }
  } else if (!huggingFace && files) {
    problems << tr(
        "A preset trained on your own data needs a tokenizer: a WordPiece vocabulary (e.g. "
        "../shared/data/bert-base-uncased), a SentencePiece model, or one trained on the data.");
  }
  if (files) {
    const QString names[2] = {tr("Training data"), tr("Dev data")};
    const QString paths[2] = {trainPath_->text().trimmed(), devPath_->text().trimmed()};
    for (int which = 0; which < 2; ++which) {
      if (paths[which].isEmpty()) {
        problems << tr("%1: choose a file.").arg(names[which]);
      } else if (!QFileInfo(paths[which]).isFile()) {
        problems << tr("%1: file not found: %2").arg(names[which], paths[which]);
      } else if (!previewError_[which].isEmpty()) {
        problems << tr("%1: %2").arg(names[which], previewError_[which]);
      }
    }
  }
  if (const QString problem = policyEditor_->problem(); !problem.isEmpty()) problems << problem;
  bool rateOk = false;
  const double rate = QLocale::c().toDouble(learningRate_->text(), &rateOk);
  if (!rateOk || rate <= 0 || rate > 1) {
    problems << tr("Learning rate: enter a positive number such as 2e-4.");
  }
  problems_ = problems;
  problemLabel_->setText(problems.join(QLatin1Char('\n')));
  problemLabel_->setVisible(!problems.isEmpty());
  startAction_->setEnabled(!active_ && problems.isEmpty());
  startAction_->setToolTip(problems.isEmpty() ? tr("Start training (Ctrl+R)")
                                              : problems.join(QLatin1Char('\n')));
}

void ExperimentPanel::setRunState(RunPhase phase) {
  active_ = isActive(phase);
  paused_ = phase == RunPhase::Paused;
  pauseAction_->setEnabled(phase == RunPhase::Running || paused_);
  pauseAction_->setText(paused_ ? tr("&Resume") : tr("&Pause"));
  pauseAction_->setToolTip(paused_ ? tr("Resume training (Ctrl+P)")
                                   : tr("Pause training (Ctrl+P)"));
  stopAction_->setEnabled(active_);
  for (auto* group : findChildren<QGroupBox*>()) group->setEnabled(!active_);
  validate();
}

}  // namespace crisp::ui
