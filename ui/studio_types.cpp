#include "ui/studio_types.h"

#include <QCoreApplication>
#include <QMetaEnum>

#include "core/train/events.h"
#include "core/train/predictor.h"

namespace crisp::ui {

QString phaseName(RunPhase phase) {
  if (phase == RunPhase::Idle) return {};
  // The enum's own names, lower-cased, are the words core writes (checked by a test).
  return QString::fromLatin1(QMetaEnum::fromType<RunPhase>().valueToKey(static_cast<int>(phase)))
      .toLower();
}

QString runCountText(qsizetype runs) {
  return runs == 1 ? QCoreApplication::translate("crisp::ui", "1 run")
                   : QCoreApplication::translate("crisp::ui", "%1 runs").arg(runs);
}

AttentionFrame attentionFrame(const AttentionSnapshot& s, RunId run) {
  AttentionFrame f;
  f.run = run;
  f.step = s.step;
  f.sentence = QString::fromStdString(s.sentence);
  for (const std::string& t : s.tokens) f.tokens << QString::fromStdString(t);
  f.probabilities = QVector<float>(s.probabilities.begin(), s.probabilities.end());
  f.layers = static_cast<int>(s.before.size());
  if (f.layers == 0) return f;
  f.heads = static_cast<int>(s.before[0].size(0));
  f.length = static_cast<int>(s.before[0].size(1));
  const auto append = [](QVector<float>& out, const at::Tensor& t) {
    const at::Tensor c = t.to(at::kFloat).contiguous();
    const float* p = c.data_ptr<float>();
    out.append(QVector<float>(p, p + c.numel()));
  };
  for (int l = 0; l < f.layers; ++l) {
    append(f.before, s.before[l]);
    append(f.after, s.after[l]);
  }
  const bool damCoversSentence = s.damKeep.size() == s.before.size() && !s.damKeep.empty() &&
                                 s.damKeep[0].size(-1) == f.length;
  if (damCoversSentence) {
    for (const at::Tensor& keep : s.damKeep) append(f.damKeep, keep);
  }
  return f;
}

AttentionFrame attentionFrame(const Prediction& p, const QString& sentence, qint64 step) {
  AttentionFrame f;
  f.step = step;
  f.sentence = sentence;
  for (const std::string& t : p.tokens) f.tokens << QString::fromStdString(t);
  f.probabilities = QVector<float>(p.probabilities.begin(), p.probabilities.end());
  f.layers = p.layers;
  f.heads = p.heads;
  f.length = static_cast<int>(p.tokens.size());
  f.before = QVector<float>(p.before.begin(), p.before.end());
  f.after = QVector<float>(p.after.begin(), p.after.end());
  f.damKeep = QVector<float>(p.damKeep.begin(), p.damKeep.end());
  return f;
}

}  // namespace crisp::ui
