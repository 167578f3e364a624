#include "ui/views/attention_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <cmath>

#include "core/analysis/attention_stats.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "ui/model_snapshot.h"
#include "ui/paper_figure.h"
#include "ui/plot_style.h"
#include "ui/views/attention_grid.h"

namespace crisp::ui {
namespace {

QString hoverHint() {
  return QObject::tr("Point at a cell for its exact values.");
}

constexpr int kKeyRole = Qt::UserRole;  // the sentence (frames_ key) of a sentence combo item
constexpr int kTypedRole = Qt::UserRole + 1;

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

bool isSpecial(const QString& token) {
  return token == QLatin1String("[CLS]") || token == QLatin1String("[SEP]");
}

// [query][key] of the shown tokens, from a full [T, T] matrix.
QVector<QVector<double>> submatrix(const float* full, int length, const QVector<int>& shown) {
  QVector<QVector<double>> m(shown.size(), QVector<double>(shown.size(), 0.0));
  for (int qi = 0; qi < shown.size(); ++qi) {
    for (int ki = 0; ki < shown.size(); ++ki) m[qi][ki] = full[shown[qi] * length + shown[ki]];
  }
  return m;
}

void fill(QCPColorMap* map, const QVector<QVector<double>>& values,
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

// A page of the details tabs: widgets stacked with a small margin, the last one stretching.
QWidget* addPage(QTabWidget* tabs, const QString& title, QWidget* page,
                 std::initializer_list<QWidget*> widgets) {
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(4, 4, 4, 4);
  for (QWidget* w : widgets) layout->addWidget(w, w == *(widgets.end() - 1) ? 1 : 0);
  tabs->addTab(page, title);
  return page;
}

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

// The probe sentences a run was trained with (config.json); none if unreadable.
QStringList probesOf(const QString& runDirectory) {
  QStringList probes;
  try {
    const nlohmann::json config = RunDirectory(runDirectory.toStdString()).readConfig();
    const nlohmann::json experiment = config.value("experiment", nlohmann::json::object());
    for (const nlohmann::json& probe : experiment.value("probes", nlohmann::json::array())) {
      if (probe.is_string()) probes << QString::fromStdString(probe.get<std::string>());
    }
  } catch (const std::exception&) {
    // A run without a readable config.json still takes typed sentences.
  }
  return probes;
}

QTableWidgetItem* number(double value, int decimals) {
  auto* item = new QTableWidgetItem;
  item->setData(Qt::DisplayRole, QString::number(value, 'f', decimals).toDouble());
  item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

}  // namespace

AttentionView::AttentionView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("attentionView"));
  sentence_ = new QComboBox(this);
  sentence_->setObjectName(QStringLiteral("probeCombo"));
  sentence_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  sentence_->setMinimumContentsLength(16);
  sentence_->setPlaceholderText(tr("Probe sentences appear after the first evaluation"));
  sentence_->setToolTip(tr("Probe sentences (tracked during training) and sentences you typed"));
  typed_ = new QLineEdit(this);
  typed_->setObjectName(QStringLiteral("attentionInput"));
  typed_->setPlaceholderText(tr("Type any sentence and press Enter to see its attention"));
  typed_->setClearButtonEnabled(true);
  auto* showTyped = new QPushButton(tr("Show"), this);
  showTyped->setObjectName(QStringLiteral("attentionShowButton"));
  modelLabel_ = new QLabel(tr("No model yet"), this);
  modelLabel_->setObjectName(QStringLiteral("attentionModel"));
  modelLabel_->setStyleSheet(QStringLiteral("color: gray"));
  modelLabel_->setToolTip(tr("Typed sentences run through the newest checkpoint of the run"));

  layer_ = new QComboBox(this);
  layer_->setObjectName(QStringLiteral("layerCombo"));
  head_ = new QComboBox(this);
  head_->setObjectName(QStringLiteral("headCombo"));
  head_->setToolTip(
      tr("A head, the mean over the layer's heads, or attention rollout through "
         "layers 1 to the chosen one (Abnar & Zuidema 2020)"));
  hideSpecial_ = new QCheckBox(tr("Hide [CLS]/[SEP]"), this);
  hideSpecial_->setObjectName(QStringLiteral("hideSpecialTokens"));
  caption_ = new QLabel(this);
  caption_->setObjectName(QStringLiteral("attentionCaption"));
  caption_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

  auto* typedRow = new QHBoxLayout;
  typedRow->addWidget(typed_, 1);
  typedRow->addWidget(showTyped);
  typedRow->addWidget(modelLabel_);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Layer"), this));
  controls->addWidget(layer_);
  controls->addWidget(new QLabel(tr("Head"), this));
  controls->addWidget(head_);
  controls->addWidget(hideSpecial_);
  controls->addWidget(caption_, 1);

  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("attentionPlot"));
  plot_->setMinimumHeight(220);
  plot_->plotLayout()->clear();
  auto* scale = new QCPColorScale(plot_);
  scale->setLabel(tr("attention probability"));
  scale->setGradient(viridisGradient());
  scale->setDataRange(QCPRange(0.0, 1.0));
  beforeMap_ = addHeatmap(plot_, 0, tr("Before pruning (dense softmax)"), scale);
  afterMap_ = addHeatmap(plot_, 1, tr("After pruning (policy applied)"), scale);
  beforeTitle_ = qobject_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0));
  afterTitle_ = qobject_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 1));
  plot_->plotLayout()->addElement(1, 2, scale);
  auto* group = new QCPMarginGroup(plot_);
  for (QCPAxisRect* rect : plot_->axisRects())
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
  followTheme(*plot_);
  plot_->setMouseTracking(true);
  hover_ = new QLabel(hoverHint(), this);
  hover_->setObjectName(QStringLiteral("attentionHover"));
  hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  // Details: the thumbnails, the statistics table, the learned mask.
  details_ = new QTabWidget(this);
  details_->setObjectName(QStringLiteral("attentionDetails"));
  details_->setDocumentMode(true);
  auto* gridPage = new QWidget(details_);
  gridSource_ = new QComboBox(gridPage);
  gridSource_->setObjectName(QStringLiteral("gridSourceCombo"));
  gridSource_->addItem(tr("after pruning"));
  gridSource_->addItem(tr("before pruning"));
  grid_ = new AttentionGrid(gridPage);
  auto* gridHeader = new QHBoxLayout;
  gridHeader->addWidget(new QLabel(tr("Every layer × head,"), gridPage));
  gridHeader->addWidget(gridSource_);
  gridHeader->addWidget(
      new QLabel(tr("— each scaled to its own maximum; click one to show it above."), gridPage), 1);
  auto* gridHeaderRow = new QWidget(gridPage);
  gridHeaderRow->setLayout(gridHeader);
  gridHeader->setContentsMargins(0, 0, 0, 0);
  addPage(details_, tr("All heads"), gridPage, {gridHeaderRow, grid_});

  auto* statsPage = new QWidget(details_);
  stats_ = new QTableWidget(0, 7, statsPage);
  stats_->setObjectName(QStringLiteral("headStatistics"));
  stats_->setHorizontalHeaderLabels({tr("Layer"), tr("Head"), tr("Entropy before"),
                                     tr("Entropy after"), tr("Kept %"), tr("Diagonal before"),
                                     tr("Diagonal after")});
  stats_->horizontalHeaderItem(2)->setToolTip(tr("Mean over query rows of −Σ p ln p (nats)"));
  stats_->horizontalHeaderItem(4)->setToolTip(
      tr("Share of (query, key) pairs with non-zero attention after the policy"));
  stats_->horizontalHeaderItem(5)->setToolTip(tr("Mean attention of a token to itself"));
  stats_->verticalHeader()->hide();
  stats_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  stats_->setSelectionBehavior(QAbstractItemView::SelectRows);
  stats_->setSelectionMode(QAbstractItemView::SingleSelection);
  stats_->setSortingEnabled(true);
  stats_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  statsNote_ = new QLabel(statsPage);
  statsNote_->setWordWrap(true);
  statsNote_->setStyleSheet(QStringLiteral("color: gray"));
  addPage(details_, tr("Head statistics"), statsPage, {statsNote_, stats_});

  auto* damPage = new QWidget(details_);
  damNote_ = new QLabel(damPage);
  damNote_->setObjectName(QStringLiteral("damNote"));
  damNote_->setWordWrap(true);
  damPlot_ = new QCustomPlot(damPage);
  damPlot_->setObjectName(QStringLiteral("damPlot"));
  damPlot_->setMinimumHeight(160);
  damPlot_->plotLayout()->clear();
  auto* damScale = new QCPColorScale(damPlot_);
  damScale->setLabel(tr("keep probability σ(α)"));
  damScale->setGradient(keepGradient());
  damScale->setDataRange(QCPRange(0.0, 1.0));
  damScale->axis()->setTickLabelFont(QFont("sans", 8));
  damMap_ = addHeatmap(damPlot_, 0, QString(), damScale);
  // The tab names the plot: its height goes to the tokens.
  damPlot_->plotLayout()->remove(damPlot_->plotLayout()->element(0, 0));
  damPlot_->plotLayout()->simplify();
  damPlot_->plotLayout()->addElement(0, 1, damScale);
  for (auto type : {QCPAxis::atBottom, QCPAxis::atLeft}) {
    damPlot_->axisRect()->axis(type)->setTickLabelFont(QFont("sans", 8));
    damPlot_->axisRect()->axis(type)->setLabel(QString());
  }
  auto* damGroup = new QCPMarginGroup(damPlot_);
  damPlot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, damGroup);
  damScale->setMarginGroup(QCP::msTop | QCP::msBottom, damGroup);
  followTheme(*damPlot_);
  damSummary_ = new QLabel(damPage);
  damSummary_->setObjectName(QStringLiteral("damSummary"));
  damSummary_->setWordWrap(true);
  damSummary_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  damSummary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  damSummary_->setMinimumWidth(220);
  auto* damBody = new QWidget(damPage);
  auto* damBodyLayout = new QHBoxLayout(damBody);
  damBodyLayout->setContentsMargins(0, 0, 0, 0);
  damBodyLayout->addWidget(damPlot_, 3);
  damBodyLayout->addWidget(damSummary_, 2);
  addPage(details_, tr("Learned mask (DAM)"), damPage, {damNote_, damBody});

  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(0, 0, 0, 0);
  topLayout->addWidget(plot_, 1);
  topLayout->addWidget(hover_);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->setObjectName(QStringLiteral("attentionSplitter"));
  splitter->addWidget(top);
  splitter->addWidget(details_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  splitter->setChildrenCollapsible(false);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(sentence_);
  layout->addLayout(typedRow);
  layout->addLayout(controls);
  layout->addWidget(splitter, 1);

  for (QComboBox* box : {sentence_, layer_, head_, gridSource_}) {
    connect(box, &QComboBox::currentIndexChanged, this, &AttentionView::redraw);
  }
  connect(hideSpecial_, &QCheckBox::toggled, this, &AttentionView::redraw);
  connect(plot_, &QCustomPlot::mouseMove, this, &AttentionView::onMouseMove);
  connect(grid_, &AttentionGrid::cellClicked, this, &AttentionView::select);
  connect(stats_, &QTableWidget::cellClicked, this, [this](int row) {
    select(stats_->item(row, 0)->data(Qt::DisplayRole).toInt() - 1,
           stats_->item(row, 1)->data(Qt::DisplayRole).toInt() - 1);
  });
  connect(typed_, &QLineEdit::returnPressed, this, [this] { showSentence(typed_->text()); });
  connect(showTyped, &QPushButton::clicked, this, [this] { showSentence(typed_->text()); });
  inference_ = new QFutureWatcher<Prediction>(this);
  connect(inference_, &QFutureWatcher<Prediction>::finished, this, [this] {
    try {
      addInferredFrame(inference_->result(), inferenceText_, inferenceTyped_);
    } catch (const std::exception& e) {
      modelLabel_->setText(tr("Inference failed: %1").arg(QString::fromUtf8(e.what())));
    }
    inferring_ = false;
    runNext();
  });
  clear();
}

AttentionView::~AttentionView() {
  inference_->waitForFinished();
}

void AttentionView::clear() {
  frames_.clear();
  typedSentences_.clear();
  sentence_->clear();
  shownBefore_.clear();
  shownAfter_.clear();
  shown_.clear();
  statsKey_.clear();
  caption_->setText(tr("Attention of the probe sentences appears here at each evaluation."));
  hover_->setText(hoverHint());  // no values of a map no longer shown
  beforeMap_->data()->clear();
  afterMap_->data()->clear();
  damMap_->data()->clear();
  damSummary_->clear();
  framesRun_.clear();
  grid_->clear();
  stats_->setRowCount(0);
  statsNote_->setText(tr("Statistics of every head appear with the first attention map."));
  damNote_->setText(tr("The learned mask appears when the run's policy uses DAM."));
  plot_->replot();
  damPlot_->replot();
}

void AttentionView::setModelSnapshot(ModelSnapshot* snapshot) {
  snapshot_ = snapshot;
  connect(snapshot, &ModelSnapshot::loaded, this, [this] {
    modelLabel_->setText(tr("model: %1").arg(snapshot_->describe()));
    const QString run = snapshot_->runDirectory();
    // Frames that came while no run was named are the live run's, the one now loaded.
    if (framesRun_.isEmpty() && !frames_.isEmpty()) framesRun_ = run;
    if (run != framesRun_) {
      showRun(run);
      return;
    }
    // Typed sentences follow the model as training goes on.
    if (sentence_->currentData(kTypedRole).toBool()) {
      showSentence(sentence_->currentData(kKeyRole).toString());
    }
  });
  if (snapshot->predictor()) modelLabel_->setText(tr("model: %1").arg(snapshot->describe()));
}

void AttentionView::showSentence(const QString& text) {
  const QString sentence = text.simplified();
  if (sentence.isEmpty()) return;
  if (!snapshot_ || !snapshot_->predictor()) {
    modelLabel_->setText(tr("No model yet: train until the first evaluation, or open a run."));
    return;
  }
  enqueue(sentence, true);
}

void AttentionView::showRun(const QString& runDirectory) {
  // Another run's model: its probe sentences, then what was typed, all through that model.
  const QStringList typed = typedSentences_;
  clear();
  framesRun_ = runDirectory;
  const QStringList probes = probesOf(runDirectory);
  for (const QString& probe : probes) enqueue(probe, false);
  for (const QString& text : typed) enqueue(text, true);
  if (probes.isEmpty() && typed.isEmpty()) {
    caption_->setText(tr("%1 names no probe sentences: type one above to see its attention.")
                          .arg(QFileInfo(runDirectory).fileName()));
  }
}

void AttentionView::enqueue(const QString& text, bool typed) {
  queue_.append({text, typed});
  if (!inferring_) runNext();
}

void AttentionView::runNext() {
  if (inferring_ || queue_.isEmpty()) return;
  if (!snapshot_ || !snapshot_->predictor()) {
    queue_.clear();
    return;
  }
  const auto [text, typed] = queue_.takeFirst();
  inferring_ = true;  // one at a time, in order; each takes milliseconds
  inferenceText_ = text;
  inferenceTyped_ = typed;
  const auto predictor = snapshot_->predictor();
  const std::string utf8 = text.toStdString();
  inference_->setFuture(QtConcurrent::run([predictor, utf8] { return predictor->predict(utf8); }));
}

void AttentionView::addInferredFrame(const Prediction& p, const QString& text, bool typed) {
  const AttentionFrame f = attentionFrame(p, text, snapshot_ ? snapshot_->checkpointStep() : 0);
  if (!typed) {
    setFrame(f);
    return;
  }
  if (!typedSentences_.contains(text)) typedSentences_ << text;
  setFrame(f);
  const int index = sentence_->findData(text, kKeyRole);
  sentence_->setItemData(index, true, kTypedRole);
  sentence_->setItemText(index, QStringLiteral("✎ ") + text);
  sentence_->setCurrentIndex(index);
  modelLabel_->setText(tr("model: %1 · %2 ms")
                           .arg(snapshot_ ? snapshot_->describe() : QString())
                           .arg(p.milliseconds, 0, 'f', 0));
  Q_EMIT typedSentenceShown();
}

void AttentionView::setFrame(const AttentionFrame& frame) {
  const bool newSentence = !frames_.contains(frame.sentence);
  frames_[frame.sentence] = frame;
  if (newSentence) {
    const QSignalBlocker block(sentence_);
    sentence_->addItem(frame.sentence, frame.sentence);
  }
  // With a placeholder text, QComboBox selects nothing by itself.
  if (sentence_->currentIndex() < 0) {
    const QSignalBlocker block(sentence_);
    sentence_->setCurrentIndex(0);
  }
  if (layer_->count() != frame.layers || head_->count() != frame.heads + 2) {
    const QSignalBlocker blockLayer(layer_), blockHead(head_);
    layer_->clear();
    for (int l = 0; l < frame.layers; ++l) layer_->addItem(QString::number(l + 1), l);
    head_->clear();
    head_->addItem(tr("mean"), kMeanOverHeads);
    for (int h = 0; h < frame.heads; ++h) head_->addItem(QString::number(h + 1), h);
    head_->addItem(tr("rollout"), kRollout);
  }
  redraw();
}

void AttentionView::setPolicy(const QString& policy) {
  policy_ = policy;
  redraw();
}

const AttentionFrame* AttentionView::currentFrame() const {
  const auto it = frames_.constFind(sentence_->currentData(kKeyRole).toString());
  return it == frames_.constEnd() || it->layers == 0 ? nullptr : &*it;
}

int AttentionView::currentLayer() const {
  return std::max(0, layer_->currentData().toInt());
}

int AttentionView::currentHead() const {
  return head_->currentData().isValid() ? head_->currentData().toInt() : kMeanOverHeads;
}

void AttentionView::select(int layer, int head) {
  {
    const QSignalBlocker blockLayer(layer_), blockHead(head_);
    layer_->setCurrentIndex(layer_->findData(layer));
    head_->setCurrentIndex(head_->findData(head));
  }
  redraw();
}

void AttentionView::redraw() {
  const AttentionFrame* frame = currentFrame();
  if (frame == nullptr) return;
  const AttentionFrame& f = *frame;
  const int layer = std::min(currentLayer(), f.layers - 1);
  const int head = currentHead();
  shown_.clear();
  for (int t = 0; t < f.length; ++t) {
    if (!(hideSpecial_->isChecked() && isSpecial(f.tokens.value(t)))) shown_ << t;
  }
  const qsizetype cells = static_cast<qsizetype>(f.length) * f.length;
  const auto matrix = [&](const QVector<float>& maps) {
    const float* layerMaps = maps.constData() + layer * f.heads * cells;
    if (head >= 0) return submatrix(layerMaps + head * cells, f.length, shown_);
    const std::vector<float> full =
        head == kRollout
            ? analysis::attentionRollout(maps.constData(), f.layers, f.heads, f.length, layer)
            : analysis::meanOverHeads(layerMaps, f.heads, f.length);
    return submatrix(full.data(), f.length, shown_);
  };
  shownBefore_ = matrix(f.before);
  shownAfter_ = matrix(f.after);

  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < shown_.size(); ++i) ticker->addTick(i, f.tokens.value(shown_[i]));
  fill(beforeMap_, shownBefore_, ticker);
  fill(afterMap_, shownAfter_, ticker);

  grid_->setMaps(gridSource_->currentIndex() == 1 ? f.before : f.after, f.layers, f.heads, f.length,
                 shown_);
  grid_->setSelected(layer, head == kRollout ? -1 : head);
  updateStatistics(f);
  updateDam(f, layer, head);

  QString prediction;
  for (int i = 0; i < f.probabilities.size(); ++i) {
    prediction += QStringLiteral("%1%2%")
                      .arg(i ? QStringLiteral(" / ") : QString())
                      .arg(100.0 * f.probabilities[i], 0, 'f', 1);
  }
  QString what = tr("head %1").arg(head + 1);
  if (head == kMeanOverHeads) what = tr("mean over heads");
  if (head == kRollout) what = tr("rollout of layers 1–%1").arg(layer + 1);
  caption_->setText(tr("Step %1 · layer %2 · %3 · prediction %4")
                        .arg(f.step)
                        .arg(layer + 1)
                        .arg(what, prediction));
  // Figures name what they show: the panels their attention, a line above the rest.
  const QString policy = policy_.isEmpty() ? tr("policy applied") : policy_;
  afterTitle_->setText(tr("After pruning (%1)").arg(policy));
  beforeTitle_->setProperty(kPanelLabelProperty, tr("before pruning\ndense softmax"));
  afterTitle_->setProperty(kPanelLabelProperty, tr("after pruning\n%1").arg(policy));
  QStringList header{tr("Layer %1, %2").arg(layer + 1).arg(what)};
  if (!policy_.isEmpty()) header << policy_;
  header << tr("step %1").arg(f.step) << tr("“%1”").arg(f.sentence);
  plot_->setProperty(kFigureHeaderProperty, header.join(QStringLiteral(" · ")));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionView::updateStatistics(const AttentionFrame& f) {
  const QString key = f.sentence + QLatin1Char('@') + QString::number(f.step);
  if (key == statsKey_ && stats_->rowCount() == f.layers * f.heads) return;
  statsKey_ = key;
  const auto before =
      analysis::allHeadStatistics(f.before.constData(), f.layers, f.heads, f.length);
  const auto after = analysis::allHeadStatistics(f.after.constData(), f.layers, f.heads, f.length);
  stats_->setSortingEnabled(false);
  stats_->setRowCount(f.layers * f.heads);
  for (int l = 0; l < f.layers; ++l) {
    for (int h = 0; h < f.heads; ++h) {
      const int row = l * f.heads + h;
      stats_->setItem(row, 0, number(l + 1, 0));
      stats_->setItem(row, 1, number(h + 1, 0));
      stats_->setItem(row, 2, number(before[row].entropy, 3));
      stats_->setItem(row, 3, number(after[row].entropy, 3));
      stats_->setItem(row, 4, number(100.0 * after[row].keptFraction, 1));
      stats_->setItem(row, 5, number(before[row].diagonalMass, 3));
      stats_->setItem(row, 6, number(after[row].diagonalMass, 3));
    }
  }
  stats_->setSortingEnabled(true);
  statsNote_->setText(
      tr("“%1”, step %2, all %3 tokens incl. [CLS]/[SEP]. Entropy in nats (uniform over %3 keys: "
         "%4). Kept %: non-zero attention after the policy. Click a row to show that head.")
          .arg(f.sentence)
          .arg(f.step)
          .arg(f.length)
          .arg(std::log(std::max(1, f.length)), 0, 'f', 2));
}

void AttentionView::updateDam(const AttentionFrame& f, int layer, int head) {
  const qsizetype cells = static_cast<qsizetype>(f.length) * f.length;
  if (f.damKeep.size() != f.layers * f.heads * cells) {
    damNote_->setText(
        tr("This run's policy has no learned mask. Choose “Learned mask (DAM)” as "
           "the attention policy to train one (SparseBERT, Shi et al. 2021)."));
    damMap_->data()->clear();
    damSummary_->clear();
    damPlot_->setVisible(false);
    damSummary_->setVisible(false);
    return;
  }
  damPlot_->setVisible(true);
  damSummary_->setVisible(true);
  const float* mask = f.damKeep.constData();
  const float* layerMask = mask + layer * f.heads * cells;
  QVector<QVector<double>> values;
  if (head >= 0) {
    values = submatrix(layerMask + head * cells, f.length, shown_);
  } else {
    values =
        submatrix(analysis::meanOverHeads(layerMask, f.heads, f.length).data(), f.length, shown_);
  }
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (int i = 0; i < shown_.size(); ++i) ticker->addTick(i, f.tokens.value(shown_[i]));
  fill(damMap_, values, ticker);

  // Pairs of the shown tokens kept at evaluation (sigma(alpha) > 0.5): in the heads shown, and in
  // every layer and head.
  const auto kept = [&](int l, int h) {
    const float* m = mask + (static_cast<qsizetype>(l) * f.heads + h) * cells;
    int count = 0;
    for (int q : std::as_const(shown_)) {
      for (int k : std::as_const(shown_)) count += m[q * f.length + k] > 0.5f ? 1 : 0;
    }
    return count;
  };
  const int pairs = static_cast<int>(shown_.size() * shown_.size());
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
                        .arg(shown_.size())
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
  damSummary_->setText(summary);

  QString what = head >= 0 ? tr("head %1").arg(head + 1) : tr("mean over heads");
  if (head == kRollout) what = tr("mean over heads (rollout does not apply to the mask)");
  damNote_->setText(tr("Learned mask at step %1, layer %2%3, %4: keep probability σ(α) of each "
                       "(query row, key column) pair; a pair is kept when σ(α) > 0.5.")
                        .arg(f.step)
                        .arg(layer + 1)
                        .arg(sameInEveryLayer ? tr(" (the same in every layer)") : QString())
                        .arg(what));
  damPlot_->replot(QCustomPlot::rpQueuedReplot);
}

QString AttentionView::damSummary() const {
  return damSummary_->text();
}

AttentionView::Hover AttentionView::hoverAt(const QPointF& pos) const {
  Hover h;
  const AttentionFrame* f = currentFrame();
  if (f == nullptr || shownAfter_.isEmpty()) return h;
  for (QCPColorMap* map : {beforeMap_, afterMap_}) {
    if (!map->keyAxis()->axisRect()->rect().contains(pos.toPoint())) continue;
    const int ki = static_cast<int>(std::lround(map->keyAxis()->pixelToCoord(pos.x())));
    const int qi = static_cast<int>(std::lround(map->valueAxis()->pixelToCoord(pos.y())));
    const int n = static_cast<int>(shown_.size());
    if (ki < 0 || qi < 0 || ki >= n || qi >= n) return h;
    h.valid = true;
    h.query = shown_[qi];
    h.key = shown_[ki];
    h.queryToken = f->tokens.value(h.query);
    h.keyToken = f->tokens.value(h.key);
    h.before = shownBefore_[qi][ki];
    h.after = shownAfter_[qi][ki];
    h.text = tr("query “%1” (#%2) → key “%3” (#%4): before %5 · after %6")
                 .arg(h.queryToken)
                 .arg(h.query)
                 .arg(h.keyToken)
                 .arg(h.key)
                 .arg(h.before, 0, 'f', 4)
                 .arg(h.after, 0, 'f', 4);
    return h;
  }
  return h;
}

QString AttentionView::hoverText() const {
  return hover_->text();
}

void AttentionView::onMouseMove(QMouseEvent* event) {
  const Hover h = hoverAt(event->position());
  if (!h.valid) {
    QToolTip::hideText();
    return;
  }
  hover_->setText(h.text);
  QToolTip::showText(event->globalPosition().toPoint(),
                     tr("%1 → %2\nbefore %3\nafter %4")
                         .arg(h.queryToken, h.keyToken)
                         .arg(h.before, 0, 'f', 4)
                         .arg(h.after, 0, 'f', 4),
                     plot_);
}

}  // namespace crisp::ui
