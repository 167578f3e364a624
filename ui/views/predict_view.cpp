#include "ui/views/predict_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include "core/data/demo_corpus.h"
#include "core/train/predictor.h"
#include "core/train/run_directory.h"
#include "ui/inference_service.h"
#include "ui/model_snapshot.h"

namespace crisp::ui {
namespace {

constexpr int kDebounceMs = 200;
constexpr int kBarCells = 24;
const QString kBrowse = QStringLiteral("\x01browse");  // the "Compare with run…" entry

bool hasCheckpoint(const QString& runDirectory) {
  return !RunDirectory(runDirectory.toStdString()).checkpointSteps().empty();
}

// One label's probability as a text bar (rich text in a QLabel has no reliable cell widths).
QString bar(const QString& label, double probability, bool top) {
  const int filled = static_cast<int>(probability * kBarCells + 0.5);
  return QStringLiteral(
             "<tr><td>%1&nbsp;</td><td><span style='color:%2'>%3</span>"
             "<span style='color:#d0d0d0'>%4</span></td><td align=right>&nbsp;%5%</td></tr>")
      .arg(top ? QStringLiteral("<b>%1</b>").arg(label.toHtmlEscaped()) : label.toHtmlEscaped(),
           top ? QStringLiteral("#1f77b4") : QStringLiteral("#8fb8dc"),
           QString(filled, QChar(0x2588)), QString(kBarCells - filled, QChar(0x2588)))
      .arg(100.0 * probability, 0, 'f', 1);
}

}  // namespace

PredictView::PredictView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("predictView"));
  input_ = new QLineEdit(this);
  input_->setObjectName(QStringLiteral("predictInput"));
  input_->setPlaceholderText(
      tr("Type a sentence, e.g. \"%1\"").arg(QString::fromStdString(data::demoPredictHint())));
  input_->setClearButtonEnabled(true);
  QFont inputFont = input_->font();
  inputFont.setPointSizeF(inputFont.pointSizeF() * 1.2);
  input_->setFont(inputFont);
  rollout_ = new QCheckBox(tr("Shade by attention rollout"), this);
  rollout_->setObjectName(QStringLiteral("rolloutCheck"));
  rollout_->setToolTip(
      tr("Shade tokens by attention rollout from [CLS] through all layers, instead of the last "
         "layer's [CLS] row (mean over heads)"));
  connect(rollout_, &QCheckBox::toggled, this, [this](bool on) {
    useRollout_ = on;
    schedule();
  });
  compare_ = new QComboBox(this);
  compare_->setObjectName(QStringLiteral("compareCombo"));
  compare_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  compare_->setMinimumContentsLength(18);
  compare_->setToolTip(tr("Predict the same sentence with a second run, side by side"));
  connect(compare_, &QComboBox::activated, this, &PredictView::chooseComparison);

  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(kDebounceMs);
  connect(debounce_, &QTimer::timeout, this, &PredictView::run);
  connect(input_, &QLineEdit::textChanged, this, &PredictView::schedule);

  buildPane(panes_[0], tr("This run"), QStringLiteral("predict"));
  buildPane(panes_[1], tr("Compared run"), QStringLiteral("compare"));
  panes_[0].model->setText(
      tr("No model yet: train a run (or let one reach its first evaluation), or open one."));
  panes_[1].box->hide();

  auto* options = new QHBoxLayout;
  options->addWidget(rollout_, 1);
  options->addWidget(new QLabel(tr("Compare with"), this));
  options->addWidget(compare_);
  auto* panes = new QHBoxLayout;
  for (Pane& pane : panes_) panes->addWidget(pane.box, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(input_);
  layout->addLayout(options);
  layout->addLayout(panes, 1);
  refreshRuns();
}

void PredictView::buildPane(Pane& pane, const QString& title, const QString& name) {
  pane.box = new QGroupBox(title, this);
  pane.box->setObjectName(name + QStringLiteral("Pane"));
  pane.model = new QLabel(pane.box);
  pane.model->setObjectName(name + QStringLiteral("Model"));
  pane.model->setWordWrap(true);
  pane.model->setStyleSheet(QStringLiteral("color: gray"));
  pane.result = new QLabel(pane.box);
  pane.result->setObjectName(name + QStringLiteral("Result"));
  pane.result->setTextFormat(Qt::RichText);
  pane.tokens = new QTextBrowser(pane.box);
  pane.tokens->setObjectName(name + QStringLiteral("Tokens"));
  auto* layout = new QVBoxLayout(pane.box);
  layout->addWidget(pane.model);
  layout->addWidget(pane.result);
  layout->addWidget(pane.tokens, 1);
  pane.snapshot = new ModelSnapshot(this);
  pane.inference = new InferenceService(this);
  pane.inference->setSnapshot(pane.snapshot);
  Pane* p = &pane;
  // A failed prediction leaves the pane as it was.
  connect(pane.inference, &InferenceService::inferred, this,
          [this, p](const QString&, const Prediction& prediction) { show(*p, prediction); });
  connect(pane.snapshot, &ModelSnapshot::loaded, this, [this, p] {
    p->model->setText(tr("Model: %1 (newest checkpoint)").arg(p->snapshot->describe()));
    p->box->setTitle(QFileInfo(p->snapshot->runDirectory()).fileName());
    schedule();
  });
  connect(pane.snapshot, &ModelSnapshot::failed, this, [p](const QString& message) {
    p->model->setText(tr("Cannot load the model: %1").arg(message));
  });
}

void PredictView::followRun(const QString& runDirectory) {
  followed_ = runDirectory;
  panes_[0].snapshot->follow(runDirectory);
}

void PredictView::compareWith(const QString& runDirectory) {
  Pane& pane = panes_[1];
  if (runDirectory.isEmpty()) {
    pane.box->hide();
    compare_->setCurrentIndex(0);
    return;
  }
  if (!hasCheckpoint(runDirectory)) {
    pane.box->show();
    pane.model->setText(tr("%1 has no checkpoint yet.").arg(runDirectory));
    return;
  }
  int index = compare_->findData(runDirectory);
  if (index < 0) {
    compare_->insertItem(compare_->count() - 1, QFileInfo(runDirectory).fileName(), runDirectory);
    index = compare_->findData(runDirectory);
  }
  compare_->setCurrentIndex(index);
  pane.result->clear();
  pane.tokens->clear();
  pane.model->setText(tr("Loading %1…").arg(QFileInfo(runDirectory).fileName()));
  pane.box->show();
  pane.snapshot->follow(runDirectory);
}

void PredictView::chooseComparison(int index) {
  const QString data = compare_->itemData(index).toString();
  if (data != kBrowse) {
    compareWith(data);
    return;
  }
  const QString dir = QFileDialog::getExistingDirectory(
      this, tr("Compare with run"), runsRoot_.isEmpty() ? QDir::homePath() : runsRoot_);
  if (dir.isEmpty()) {
    compare_->setCurrentIndex(0);
    return;
  }
  compareWith(dir);
}

bool PredictView::isComparing() const {
  return !panes_[1].box->isHidden();
}

void PredictView::setRunsRoot(const QString& directory) {
  runsRoot_ = directory;
  refreshRuns();
}

void PredictView::refreshRuns() {
  const QString current = compare_->currentData().toString();
  const QSignalBlocker block(compare_);
  compare_->clear();
  compare_->addItem(tr("— nothing —"), QString());
  if (!runsRoot_.isEmpty()) {
    const QFileInfoList runs = QDir(runsRoot_).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot,
                                                             QDir::Name | QDir::Reversed);
    for (const QFileInfo& run : runs) {
      if (hasCheckpoint(run.absoluteFilePath())) {
        compare_->addItem(run.fileName(), run.absoluteFilePath());
      }
    }
  }
  if (!current.isEmpty() && current != kBrowse && compare_->findData(current) < 0) {
    compare_->addItem(QFileInfo(current).fileName(), current);
  }
  compare_->addItem(tr("Compare with run…"), kBrowse);
  compare_->setCurrentIndex(std::max(0, compare_->findData(current)));
}

void PredictView::showEvent(QShowEvent* event) {
  refreshRuns();  // runs finished while the view was hidden
  QWidget::showEvent(event);
}

void PredictView::setText(const QString& text) {
  input_->setText(text);
}

QString PredictView::resultText() const {
  return panes_[0].result->text();
}

QString PredictView::comparisonResultText() const {
  return isComparing() ? panes_[1].result->text() : QString();
}

void PredictView::schedule() {
  debounce_->start();
}

void PredictView::run() {
  if (input_->text().trimmed().isEmpty()) return;
  // One key per pane: a newer text supersedes the one still running.
  panes_[0].inference->request(input_->text());
  if (isComparing()) panes_[1].inference->request(input_->text());
}

void PredictView::show(Pane& pane, const Prediction& p) {
  QString bars = QStringLiteral("<table cellspacing=1>");
  for (size_t i = 0; i < p.probabilities.size(); ++i) {
    const QString name =
        i < p.labelNames.size() ? QString::fromStdString(p.labelNames[i]) : QString::number(i);
    bars += bar(name, p.probabilities[i], static_cast<int>(i) == p.label);
  }
  bars += QStringLiteral("</table>");
  const float top = p.label >= 0 && p.label < static_cast<int>(p.probabilities.size())
                        ? p.probabilities[p.label]
                        : 0.0f;
  pane.result->setText(tr("<span style='font-size:16pt'><b>%1</b></span> &nbsp; %2% &nbsp; "
                          "<span style='color:gray'>(%3 ms)</span>%4")
                           .arg(QString::fromStdString(p.labelName).toHtmlEscaped())
                           .arg(100.0 * top, 0, 'f', 1)
                           .arg(p.milliseconds, 0, 'f', 1)
                           .arg(bars));
  const std::vector<float>& weights = useRollout_ ? p.rollout : p.clsAttention;
  float strongest = 1e-6f;
  for (float w : weights) strongest = std::max(strongest, w);
  QString html = QStringLiteral("<p style='font-size:14pt; line-height:170%'>");
  for (size_t i = 0; i < p.tokens.size() && i < weights.size(); ++i) {
    const int alpha = static_cast<int>(220 * weights[i] / strongest);
    html += QStringLiteral(
                "<span style='background-color: rgba(214, 39, 40, %1)' title='%2'>"
                "&nbsp;%3&nbsp;</span> ")
                .arg(alpha)
                .arg(weights[i], 0, 'f', 3)
                .arg(QString::fromStdString(p.tokens[i]).toHtmlEscaped());
  }
  html += QStringLiteral("</p><p style='color:gray'>%1</p>")
              .arg(useRollout_ ? tr("Shading: attention rollout from [CLS], all layers.")
                               : tr("Shading: the last layer's [CLS] row, mean over heads."));
  pane.tokens->setHtml(html);
  Q_EMIT predicted();
}

}  // namespace crisp::ui
