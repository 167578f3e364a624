#include "ui/experiment_form.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <algorithm>

#include "core/io/model_location.h"
#include "core/model/attention_policy.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/threads.h"
#include "core/text/tokenizer.h"

namespace crisp::ui {
namespace {

struct Text {
  Q_DECLARE_TR_FUNCTIONS(crisp::ui::ExperimentForm)
};

using Tokenizer = ExperimentFormValues::Tokenizer;

QString fileName(const QString& path) {
  return QString::fromStdString(crisp::lastPathComponent(path.toStdString()));
}

// The learning rate as typed, when it is a number; the form takes none above 1.
std::optional<double> learningRate(const QString& typed) {
  return crisp::parseNumber<double>(typed.trimmed().toStdString());
}

// A typed Hugging Face model: resolved as training will. Its config.json's vocab_size goes to
// *vocabSize when readable.
void checkTypedModel(const ExperimentFormValues& form, QList<FormProblem>& problems,
                     qint64* vocabSize) {
  const QString typed = form.model.trimmed();
  if (typed.isEmpty()) {
    problems.append({FormField::Model, Text::tr("Choose the Hugging Face model directory.")});
    return;
  }
  std::string dir;
  try {
    dir = crisp::resolveModelDirectory(typed.toStdString());
  } catch (const std::exception& e) {
    problems.append({FormField::Model, QString::fromStdString(e.what())});
    return;
  }
  const QString shown = QString::fromStdString(dir);
  crisp::PretrainedModelInfo info;
  if (!crisp::describePretrainedModel(dir, info)) {
    problems.append({FormField::Model,
                     Text::tr("%1 has no model.safetensors or pytorch_model.bin.").arg(shown)});
  } else if (form.tokenizer == Tokenizer::ModelOwn && !crisp::hasTokenizerFiles(dir)) {
    problems.append(
        {FormField::Tokenizer,
         Text::tr("%1 has no vocab.txt, tokenizer.json or spiece.model: choose a tokenizer.")
             .arg(shown)});
  } else {
    *vocabSize = info.vocabSize;
  }
}

// A WordPiece vocabulary or SentencePiece model file, of the kind chosen, that loads and fits
// the checkpoint's vocabulary size (modelVocabSize, when known).
QString tokenizerFileProblem(const ExperimentFormValues& form, qint64 modelVocabSize,
                             TokenizerProbe& tokenizers) {
  const QString path = form.tokenizerPath.trimmed();
  const QFileInfo info(path);
  const bool wordPiece = form.tokenizer == Tokenizer::WordPiece;
  const bool isModel = path.endsWith(QLatin1String(".model"));
  if (path.isEmpty()) {
    return wordPiece ? Text::tr("Choose a WordPiece vocabulary (vocab.txt or its directory).")
                     : Text::tr("Choose a SentencePiece model (a .model file).");
  }
  if (wordPiece && isModel) {
    return Text::tr("%1 is a SentencePiece model: choose “SentencePiece model” as the tokenizer.")
        .arg(fileName(path));
  }
  if (wordPiece &&
      !(info.isFile() || (info.isDir() && QDir(path).exists(QStringLiteral("vocab.txt"))))) {
    return Text::tr("No vocab.txt at %1").arg(path);
  }
  if (!wordPiece && !isModel) {
    return Text::tr("%1 is not a SentencePiece model: choose a file ending in .model.")
        .arg(fileName(path));
  }
  if (!wordPiece && !info.isFile()) return Text::tr("SentencePiece model not found: %1").arg(path);
  qint64 size = -1;
  if (const QString problem = tokenizers.problem(path, &size); !problem.isEmpty()) {
    return Text::tr("Tokenizer: %1").arg(problem);
  }
  if (modelVocabSize > 0 && size != modelVocabSize) {
    return Text::tr(
               "The tokenizer %1 has %2 entries but the model's config.json says "
               "vocab_size %3: a checkpoint needs the tokenizer it was trained with.")
        .arg(fileName(path))
        .arg(size)
        .arg(modelVocabSize);
  }
  return {};
}

void checkDataFile(FormField field, const QString& name, const QString& typed,
                   const QString& previewProblem, QList<FormProblem>& problems) {
  const QString path = typed.trimmed();
  if (path.isEmpty()) {
    problems.append({field, Text::tr("%1: choose a file.").arg(name)});
  } else if (!QFileInfo(path).isFile()) {
    problems.append({field, Text::tr("%1: file not found: %2").arg(name, path)});
  } else if (!previewProblem.isEmpty()) {
    problems.append({field, Text::tr("%1: %2").arg(name, previewProblem)});
  }
}

}  // namespace

ExperimentFormValues::ExperimentFormValues() {
  const ExperimentConfig demo = ExperimentConfig::demo();
  sentencePieceVocabSize = SentencePieceVocabularyOptions().vocabSize;
  sentencePieceType = QString::fromStdString(demo.trainSentencePiece.modelType);
  learningRate = QString::number(demo.hyper.learningRate);
  batchSize = demo.hyper.batchSize;
  maxLength = demo.maxLength;
  epochs = demo.hyper.epochs;
  seed = static_cast<int>(demo.hyper.seed);
}

QStringList ExperimentFormCheck::messages() const {
  QStringList lines;
  for (const FormProblem& problem : problems) lines << problem.message;
  return lines;
}

QString TokenizerProbe::problem(const QString& path, qint64* vocabSize) {
  const QFileInfo info(path);
  const QString key = QStringLiteral("%1|%2|%3")
                          .arg(info.absoluteFilePath())
                          .arg(info.lastModified().toMSecsSinceEpoch())
                          .arg(info.size());
  if (key != checkedKey_) {
    checkedKey_ = key;
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

ExperimentConfig experimentFromForm(const ExperimentFormValues& form) {
  ExperimentConfig config = ExperimentConfig::demo();
  config.model = (form.modelTyped ? form.model.trimmed() : form.model).toStdString();
  if (form.tokenizer == Tokenizer::WordPiece || form.tokenizer == Tokenizer::SentencePiece) {
    config.tokenizer = form.tokenizerPath.trimmed().toStdString();
  } else if (form.tokenizer == Tokenizer::TrainSentencePiece) {
    config.trainSentencePiece.vocabSize = form.sentencePieceVocabSize;
    config.trainSentencePiece.modelType = form.sentencePieceType.toStdString();
  }
  if (form.data == ExperimentFormValues::Data::Files) {
    config.trainData = form.trainPath.trimmed().toStdString();
    config.devData = form.devPath.trimmed().toStdString();
  } else if (form.data == ExperimentFormValues::Data::QuickDemo) {
    config.demoTrainSize = 800;
    config.demoDevSize = 200;
  }
  config.policy = form.policy.toStdString();
  config.maxLength = form.maxLength;
  config.hyper.learningRate = learningRate(form.learningRate).value_or(0.0);
  config.hyper.batchSize = form.batchSize;
  config.hyper.epochs = form.epochs;
  config.hyper.seed = static_cast<uint64_t>(form.seed);
  config.device = form.device.toStdString();
  config.precision = form.precision.toStdString();
  // A listed checkpoint is named after its hub id, not its snapshot folder.
  const std::string model =
      modelLabel(form.pretrainedName.isEmpty() ? config.model : form.pretrainedName.toStdString());
  config.name = model + "-" + config.policy;
  return config;
}

ExperimentFormCheck checkExperimentForm(const ExperimentFormValues& form,
                                        TokenizerProbe& tokenizers) {
  ExperimentFormCheck check;
  check.experiment = experimentFromForm(form);
  check.processes = form.processes;
  QList<FormProblem>& problems = check.problems;
  const bool files = form.data == ExperimentFormValues::Data::Files;
  qint64 modelVocabSize = -1;  // a typed checkpoint's config.json vocab_size, when readable
  if (form.modelTyped) checkTypedModel(form, problems, &modelVocabSize);
  if (form.tokenizer == Tokenizer::WordPiece || form.tokenizer == Tokenizer::SentencePiece) {
    if (const QString problem = tokenizerFileProblem(form, modelVocabSize, tokenizers);
        !problem.isEmpty()) {
      problems.append({FormField::Tokenizer, problem});
    }
  } else if (form.tokenizer == Tokenizer::TrainSentencePiece) {
    try {
      validateTokenizerChoice(check.experiment);
    } catch (const std::exception& e) {
      problems.append({FormField::Tokenizer, Text::tr("Tokenizer: %1").arg(e.what())});
    }
  } else if (files && !form.modelTyped && form.model.startsWith(QLatin1String("preset:"))) {
    problems.append(
        {FormField::Tokenizer,
         Text::tr("A preset trained on your own data needs a tokenizer: a WordPiece vocabulary "
                  "(e.g. ../shared/data/bert-base-uncased), a SentencePiece model, or one "
                  "trained on the data.")});
  }
  if (files) {
    checkDataFile(FormField::TrainData, Text::tr("Training data"), form.trainPath,
                  form.trainPreviewProblem, problems);
    checkDataFile(FormField::DevData, Text::tr("Dev data"), form.devPath, form.devPreviewProblem,
                  problems);
  }
  if (const QString problem = policyProblem(form.policy); !problem.isEmpty()) {
    problems.append({FormField::Policy, problem});
  }
  const std::optional<double> rate = learningRate(form.learningRate);
  if (!rate || *rate <= 0 || *rate > 1) {
    problems.append({FormField::LearningRate,
                     Text::tr("Learning rate: enter a positive number such as 2e-4.")});
  }
  // What `crisp train --nproc N` refuses, or could not do.
  if (form.processes < 1 || form.processes > maxProcesses()) {
    problems.append(
        {FormField::Processes,
         Text::tr("Processes: choose 1 to %1 (one per usable CPU).").arg(maxProcesses())});
  } else if (form.processes > 1 && form.device.contains(QLatin1Char(':'))) {
    // On CUDA each process takes the GPU of its local rank (NCCL needs one GPU per process).
    problems.append({FormField::Processes,
                     Text::tr("Processes: %1 names one GPU, and several processes take one GPU "
                              "each: choose cuda as the device, or 1 process.")
                         .arg(form.device)});
  } else if (form.processes > 1 && form.device == QLatin1String("cuda") &&
             form.processes > crisp::cudaDeviceCount()) {
    problems.append(
        {FormField::Processes, Text::tr("Processes: one per GPU on CUDA, and this machine has %1.")
                                   .arg(crisp::cudaDeviceCount())});
  } else if (form.processes > 1 && form.tokenizer == Tokenizer::TrainSentencePiece) {
    problems.append({FormField::Processes,
                     Text::tr("Processes: each process would train its own SentencePiece "
                              "vocabulary; train it in 1 process, or choose a tokenizer file.")});
  }
  return check;
}

int maxProcesses() {
  static const int cpus = crisp::detectCpuAvailability().usableCpus();
  return std::clamp(cpus, 1, 8);
}

QString policyProblem(const QString& policy) {
  try {
    crisp::AttentionPolicySpec::parse(policy.toStdString());
    return {};
  } catch (const crisp::Error& error) {
    return QString::fromStdString(error.what());
  }
}

}  // namespace crisp::ui
