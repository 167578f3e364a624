#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace crisp::ui {

// Values the worker bridge hands to the views: plain data, no LibTorch types.
struct StepPoint {
  qint64 step = 0;
  double epoch = 0, loss = 0, learningRate = 0, seconds = 0;
};

struct EvalPoint {
  qint64 step = 0;
  double epoch = 0, loss = 0, accuracy = 0, macroF1 = 0, seconds = 0;
  bool best = false;
};

struct ProgressInfo {
  qint64 step = 0, totalSteps = 0;
  double sentencesPerSecond = 0, etaSeconds = 0;
};

// One sentence's attention at one evaluation: [layer][head][query][key], row-major.
struct AttentionFrame {
  qint64 step = 0;
  QString sentence;
  QStringList tokens;
  QVector<float> probabilities;  // the model's prediction
  int layers = 0, heads = 0, length = 0;
  QVector<float> before, after;
  QVector<float> damKeep;  // the learned DAM mask sigma(alpha), same layout; empty without DAM
  float at(const QVector<float>& maps, int layer, int head, int query, int key) const {
    return maps[((layer * heads + head) * length + query) * length + key];
  }
};

}  // namespace crisp::ui

Q_DECLARE_METATYPE(crisp::ui::StepPoint)
Q_DECLARE_METATYPE(crisp::ui::EvalPoint)
Q_DECLARE_METATYPE(crisp::ui::ProgressInfo)
Q_DECLARE_METATYPE(crisp::ui::AttentionFrame)
