#include "ui/views/predict_view.h"

#include <QCheckBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "core/train/predictor.h"

namespace crisp::ui {
namespace {

constexpr int kDebounceMs = 200;

}  // namespace

PredictView::PredictView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("predictView"));
  input_ = new QLineEdit(this);
  input_->setObjectName(QStringLiteral("predictInput"));
  input_->setPlaceholderText(tr("Type a sentence, e.g. \"the acting was not bad but too long\""));
  input_->setClearButtonEnabled(true);
  model_ =
      new QLabel(tr("No model yet: train a run (or let one reach its first evaluation)."), this);
  model_->setObjectName(QStringLiteral("predictModel"));
  model_->setWordWrap(true);
  result_ = new QLabel(this);
  result_->setObjectName(QStringLiteral("predictResult"));
  result_->setTextFormat(Qt::RichText);
  tokens_ = new QTextBrowser(this);
  tokens_->setObjectName(QStringLiteral("predictTokens"));
  auto* rollout =
      new QCheckBox(tr("Attention rollout (instead of the last layer's [CLS] row)"), this);
  connect(rollout, &QCheckBox::toggled, this, [this](bool on) {
    useRollout_ = on;
    schedule();
  });
  debounce_ = new QTimer(this);
  debounce_->setSingleShot(true);
  debounce_->setInterval(kDebounceMs);
  connect(debounce_, &QTimer::timeout, this, &PredictView::run);
  connect(input_, &QLineEdit::textChanged, this, &PredictView::schedule);
  running_ = new QFutureWatcher<Prediction>(this);
  connect(running_, &QFutureWatcher<Prediction>::finished, this, [this] {
    if (running_->future().resultCount() > 0) show(running_->result());
  });
  connect(&loading_, &QFutureWatcher<std::shared_ptr<Predictor>>::finished, this, [this] {
    try {
      predictor_ = loading_.result();
      model_->setText(tr("Model: the run's newest checkpoint."));
      schedule();
    } catch (const std::exception& e) {
      model_->setText(tr("Cannot load the model: %1").arg(QString::fromUtf8(e.what())));
    }
  });

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(input_);
  layout->addWidget(model_);
  layout->addWidget(result_);
  layout->addWidget(rollout);
  layout->addWidget(tokens_, 1);
}

PredictView::~PredictView() {
  loading_.waitForFinished();
  running_->waitForFinished();
}

void PredictView::followRun(const QString& runDirectory) {
  if (loading_.isRunning()) return;  // the next evaluation will bring a newer one
  const QStringList checkpoints = QDir(runDirectory + QStringLiteral("/checkpoints"))
                                      .entryList({QStringLiteral("step-*")}, QDir::Dirs);
  if (checkpoints.isEmpty()) return;  // nothing to load before the first evaluation
  const std::string dir = runDirectory.toStdString();
  loading_.setFuture(QtConcurrent::run([dir] { return Predictor::fromRun(dir); }));
}

void PredictView::setText(const QString& text) {
  input_->setText(text);
}

QString PredictView::resultText() const {
  return result_->text();
}

void PredictView::schedule() {
  debounce_->start();
}

void PredictView::run() {
  if (!predictor_ || input_->text().trimmed().isEmpty()) return;
  if (running_->isRunning()) {
    schedule();  // one inference at a time; try again shortly
    return;
  }
  const auto predictor = predictor_;
  const std::string text = input_->text().toStdString();
  running_->setFuture(QtConcurrent::run([predictor, text] { return predictor->predict(text); }));
}

void PredictView::show(const Prediction& p) {
  QString probabilities;
  for (size_t i = 0; i < p.probabilities.size(); ++i) {
    probabilities += QStringLiteral("%1%2%")
                         .arg(i ? QStringLiteral(" · ") : QString())
                         .arg(100.0 * p.probabilities[i], 0, 'f', 1);
  }
  result_->setText(tr("<span style='font-size:16pt'><b>%1</b></span> &nbsp; %2 &nbsp; "
                      "<span style='color:gray'>(%3 ms)</span>")
                       .arg(QString::fromStdString(p.labelName).toHtmlEscaped(), probabilities)
                       .arg(p.milliseconds, 0, 'f', 1));
  const std::vector<float>& weights = useRollout_ ? p.rollout : p.clsAttention;
  float top = 1e-6f;
  for (float w : weights) top = std::max(top, w);
  QString html = QStringLiteral("<p style='font-size:14pt; line-height:170%'>");
  for (size_t i = 0; i < p.tokens.size() && i < weights.size(); ++i) {
    const int alpha = static_cast<int>(220 * weights[i] / top);
    html += QStringLiteral(
                "<span style='background-color: rgba(214, 39, 40, %1)' title='%2'>"
                "&nbsp;%3&nbsp;</span> ")
                .arg(alpha)
                .arg(weights[i], 0, 'f', 3)
                .arg(QString::fromStdString(p.tokens[i]).toHtmlEscaped());
  }
  tokens_->setHtml(html + QStringLiteral("</p>"));
  Q_EMIT predicted();
}

}  // namespace crisp::ui
