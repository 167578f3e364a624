#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

namespace crisp {
struct AttentionSnapshot;
struct Prediction;
}  // namespace crisp

namespace crisp::ui {
Q_NAMESPACE

// Which run of the worker bridge a value belongs to: each start() takes the next number.
using RunId = quint64;

// A run's state as the studio sees it: core's RunState, plus Idle (no run) and Preparing
// (reading data and building the model, before core's trainer exists).
enum class RunPhase {
  Idle,
  Preparing,
  Created,
  Running,
  Paused,
  Finished,
  Stopped,
  Cancelled,
  Failed
};
Q_ENUM_NS(RunPhase)

// The word state.json and `crisp` use for it ("running", "stopped", ...; "" for Idle).
QString phaseName(RunPhase phase);
// Preparing, Running or Paused: a run holds the session.
inline bool isActive(RunPhase phase) {
  return phase == RunPhase::Preparing || phase == RunPhase::Running || phase == RunPhase::Paused;
}

// "1 run", "2 runs": the count in the studio's sentences (tr's %n would print "run(s)" without a
// translation file).
QString runCountText(qsizetype runs);

// Values the worker bridge hands to the views: plain data, no LibTorch types.
struct StepPoint {
  qint64 step = 0;
  double epoch = 0, loss = 0, learningRate = 0, seconds = 0;
  RunId run = 0;  // last: the values are still built by position in tests
};

struct EvalPoint {
  qint64 step = 0;
  double epoch = 0, loss = 0, accuracy = 0, macroF1 = 0, seconds = 0;
  bool best = false;
  RunId run = 0;  // last: the values are still built by position in tests
};

struct ProgressInfo {
  qint64 step = 0, totalSteps = 0;
  double sentencesPerSecond = 0, etaSeconds = 0;
  RunId run = 0;  // last: the values are still built by position in tests
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
  RunId run = 0;  // last: the values are still built by position in tests
};

// The one conversion into frames: from the trainer's evaluation snapshots (tensors), and from a
// prediction of a saved checkpoint (flat maps).
AttentionFrame attentionFrame(const AttentionSnapshot& snapshot, RunId run);
AttentionFrame attentionFrame(const Prediction& prediction, const QString& sentence, qint64 step);

}  // namespace crisp::ui

Q_DECLARE_METATYPE(crisp::ui::StepPoint)
Q_DECLARE_METATYPE(crisp::ui::EvalPoint)
Q_DECLARE_METATYPE(crisp::ui::ProgressInfo)
Q_DECLARE_METATYPE(crisp::ui::AttentionFrame)
