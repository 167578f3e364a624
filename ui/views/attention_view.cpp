#include "ui/views/attention_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include "core/analysis/attention_stats.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "ui/inference_service.h"
#include "ui/model_snapshot.h"
#include "ui/paper_figure.h"
#include "ui/plot_style.h"
#include "ui/views/attention_heatmap.h"

namespace crisp::ui {
namespace {

QString hoverHint() {
  return QObject::tr("Point at a cell for its exact values.");
}

constexpr int kKeyRole = Qt::UserRole;  // the sentence (frames_ key) of a sentence combo item
constexpr int kTypedRole = Qt::UserRole + 1;

bool isSpecial(const QString& token) {
  return token == QLatin1String("[CLS]") || token == QLatin1String("[SEP]");
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

  plot_ = newHeatmapPlot(this, QStringLiteral("attentionPlot"), 220);
  auto* scale = newProbabilityScale(plot_, tr("attention probability"), viridisGradient());
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

  details_ = new AttentionDetails(this);

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

  for (QComboBox* box : {sentence_, layer_, head_}) {
    connect(box, &QComboBox::currentIndexChanged, this, &AttentionView::redraw);
  }
  connect(hideSpecial_, &QCheckBox::toggled, this, &AttentionView::redraw);
  connect(plot_, &QCustomPlot::mouseMove, this, &AttentionView::onMouseMove);
  connect(details_, &AttentionDetails::headChosen, this, &AttentionView::select);
  connect(typed_, &QLineEdit::returnPressed, this, [this] { showSentence(typed_->text()); });
  connect(showTyped, &QPushButton::clicked, this, [this] { showSentence(typed_->text()); });
  inference_ = new InferenceService(this);
  connect(inference_, &InferenceService::inferred, this, &AttentionView::addInferredFrame);
  connect(inference_, &InferenceService::failed, this, [this](const QString&, const QString& e) {
    modelLabel_->setText(tr("Inference failed: %1").arg(e));
  });
  clear();
}

void AttentionView::clear() {
  frames_.clear();
  typedSentences_.clear();
  sentence_->clear();
  shownBefore_.clear();
  shownAfter_.clear();
  shown_.clear();
  caption_->setText(tr("Attention of the probe sentences appears here at each evaluation."));
  hover_->setText(hoverHint());  // no values of a map no longer shown
  beforeMap_->data()->clear();
  afterMap_->data()->clear();
  framesRun_.clear();
  liveFrames_ = false;
  details_->clear();
  plot_->replot();
}

void AttentionView::setModelSnapshot(ModelSnapshot* snapshot) {
  inference_->setSnapshot(snapshot);
  connect(snapshot, &ModelSnapshot::loaded, this, [this, snapshot] {
    modelLabel_->setText(tr("model: %1").arg(snapshot->describe()));
    const QString run = snapshot->runDirectory();
    // Frames that came while no run was named are the live run's, the one now loaded.
    if (framesRun_.isEmpty() && !frames_.isEmpty()) framesRun_ = run;
    if (run != framesRun_) {
      showRun(run);
      return;
    }
    // A run trained by other processes sends no live frames: its probes follow its checkpoints.
    if (!liveFrames_) {
      for (const QString& probe : probesOf(run)) infer(probe, false);
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
  if (!inference_->hasModel()) {
    modelLabel_->setText(tr("No model yet: train until the first evaluation, or open a run."));
    return;
  }
  infer(sentence, true);
}

void AttentionView::showRun(const QString& runDirectory) {
  // Another run's model: its probe sentences, then what was typed, all through that model.
  const QStringList typed = typedSentences_;
  clear();
  framesRun_ = runDirectory;
  const QStringList probes = probesOf(runDirectory);
  for (const QString& probe : probes) infer(probe, false);
  for (const QString& text : typed) infer(text, true);
  if (probes.isEmpty() && typed.isEmpty()) {
    caption_->setText(tr("%1 names no probe sentences: type one above to see its attention.")
                          .arg(QFileInfo(runDirectory).fileName()));
  }
}

void AttentionView::infer(const QString& text, bool typed) {
  // The service keys requests by sentence: a sentence asked again is run once, as last asked.
  if (typed) {
    typedRequests_.insert(text);
  } else {
    typedRequests_.remove(text);
  }
  inference_->request(text, text);
}

void AttentionView::addInferredFrame(const QString& text, const Prediction& p) {
  const ModelSnapshot* snapshot = inference_->snapshot();
  const AttentionFrame f = attentionFrame(p, text, snapshot ? snapshot->checkpointStep() : 0);
  if (!typedRequests_.remove(text)) {
    showFrame(f);
    return;
  }
  if (!typedSentences_.contains(text)) typedSentences_ << text;
  showFrame(f);
  const int index = sentence_->findData(text, kKeyRole);
  sentence_->setItemData(index, true, kTypedRole);
  sentence_->setItemText(index, QStringLiteral("✎ ") + text);
  sentence_->setCurrentIndex(index);
  modelLabel_->setText(tr("model: %1 · %2 ms")
                           .arg(snapshot ? snapshot->describe() : QString())
                           .arg(p.milliseconds, 0, 'f', 0));
  Q_EMIT typedSentenceShown();
}

void AttentionView::setFrame(const AttentionFrame& frame) {
  liveFrames_ = true;
  showFrame(frame);
}

void AttentionView::showFrame(const AttentionFrame& frame) {
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

  const auto ticker = tokenTicker(f.tokens, shown_);
  fillHeatmap(beforeMap_, shownBefore_, ticker);
  fillHeatmap(afterMap_, shownAfter_, ticker);

  details_->setFrame(f, layer, head, shown_);

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
