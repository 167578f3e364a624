#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "core/train/experiment.h"

namespace crisp::ui {

// The experiment form's values as the user left them, without widgets: the panel reads them off
// its fields, tests fill them in. A fresh value is the form as it opens (the demo).
struct ExperimentFormValues {
  // In the order of the form's choices.
  enum class Tokenizer { ModelOwn, WordPiece, SentencePiece, TrainSentencePiece };
  enum class Data { Demo, QuickDemo, Files };

  ExperimentFormValues();

  // "preset:NAME", a listed pretrained checkpoint's directory, or a typed Hugging Face model
  // (a folder, a sentence-transformers package or a hub id in the cache).
  QString model = QStringLiteral("preset:tiny");
  bool modelTyped = false;  // typed, so checked here; listed checkpoints were found loadable
  QString pretrainedName;   // a listed checkpoint's name (owner/name), which names the run
  Tokenizer tokenizer = Tokenizer::ModelOwn;
  QString tokenizerPath;  // a WordPiece vocabulary (or its directory) or a SentencePiece .model
  int sentencePieceVocabSize = 0;
  QString sentencePieceType;
  Data data = Data::Demo;
  QString trainPath, devPath;
  // What the data preview found in each file's first rows that training would stop at ("" when
  // clean): the preview has read them, so the check does not read them again.
  QString trainPreviewProblem, devPreviewProblem;
  QString policy = QStringLiteral("dense");
  QString learningRate;  // as typed
  int batchSize = 0, maxLength = 0, epochs = 0;
  int seed = 0;
  QString device = QStringLiteral("cpu"), precision = QStringLiteral("fp32");
  // Data-parallel processes (`crisp train --nproc`): 1 trains in the studio's own process.
  int processes = 1;
};

// The field a problem belongs to, for the form to mark.
enum class FormField { Model, Tokenizer, TrainData, DevData, Policy, LearningRate, Processes };

struct FormProblem {
  FormField field;
  QString message;  // one sentence, shown as it is
};

struct ExperimentFormCheck {
  ExperimentConfig experiment;  // the form as an experiment, whole even when not ready
  int processes = 1;            // the data-parallel processes to train it on
  QList<FormProblem> problems;  // in the form's order; none: ready to run
  bool ready() const { return problems.isEmpty(); }
  QStringList messages() const;
};

// Loads tokenizer files through core once per version of a file: the form is checked on every
// keystroke, and a large vocabulary takes a noticeable time to load.
class TokenizerProbe {
 public:
  // "" when the file loads (its vocabulary size in *vocabSize), else core's message.
  QString problem(const QString& path, qint64* vocabSize);

 private:
  QString checkedKey_, checkedProblem_;
  qint64 checkedVocabSize_ = -1;
};

// The form as an experiment: the demo's settings overridden by the form's, named MODEL-POLICY.
ExperimentConfig experimentFromForm(const ExperimentFormValues& form);

// Checks the form as training would (core's resolvers, parsers and validators) and says what
// keeps it from starting, field by field.
ExperimentFormCheck checkExperimentForm(const ExperimentFormValues& form,
                                        TokenizerProbe& tokenizers);

// The most data-parallel processes the form offers: one per usable CPU (core's count: cores,
// affinity, cgroup quota), at most 8. Data-parallel ranks train on the CPU only.
int maxProcesses();

// Why a policy text does not parse (core's message); "" when it does.
QString policyProblem(const QString& policy);

}  // namespace crisp::ui
