// The experiment form's check without widgets: a valid form is a ready experiment, and each
// invalid value is a problem named by its field (the panel disables Start on any).
#include <QtTest>

#include "core/sys/device.h"

#include "core/text/tokenizer.h"
#include "test_files.h"
#include "ui/experiment_form.h"

using crisp::ui::checkExperimentForm;
using crisp::ui::ExperimentFormCheck;
using crisp::ui::ExperimentFormValues;
using crisp::ui::FormField;
using crisp::ui::TokenizerProbe;
using Tokenizer = ExperimentFormValues::Tokenizer;
using Data = ExperimentFormValues::Data;

namespace {

const QByteArray kVocabulary = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n";  // 4 entries

ExperimentFormCheck check(const ExperimentFormValues& form) {
  TokenizerProbe tokenizers;
  return checkExperimentForm(form, tokenizers);
}

// The problems of one field, one line each.
QString problemsOf(const ExperimentFormCheck& check, FormField field) {
  QStringList lines;
  for (const auto& problem : check.problems) {
    if (problem.field == field) lines << problem.message;
  }
  return lines.join('\n');
}

// Own data files with a WordPiece vocabulary: a form that can start.
ExperimentFormValues ownData(const QTemporaryDir& dir) {
  ExperimentFormValues form;
  form.tokenizer = Tokenizer::WordPiece;
  form.tokenizerPath = write(dir, QStringLiteral("vocab.txt"), kVocabulary);
  form.data = Data::Files;
  form.trainPath = write(dir, QStringLiteral("train.tsv"), "sentence\tlabel\ngood\t1\n");
  form.devPath = write(dir, QStringLiteral("dev.tsv"), "sentence\tlabel\nbad\t0\n");
  return form;
}

// A Hugging Face checkpoint directory whose config.json says vocab_size 4.
QString checkpoint(const QTemporaryDir& dir) {
  QDir().mkpath(dir.filePath(QStringLiteral("hf")));
  write(dir, QStringLiteral("hf/config.json"), R"({"model_type": "bert", "vocab_size": 4})");
  write(dir, QStringLiteral("hf/model.safetensors"), "");
  write(dir, QStringLiteral("hf/vocab.txt"), kVocabulary);
  return dir.filePath(QStringLiteral("hf"));
}

}  // namespace

class TestExperimentForm : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void theFreshFormIsTheDemo() {
    const ExperimentFormCheck c = check(ExperimentFormValues());
    QVERIFY2(c.ready(), qPrintable(c.messages().join('\n')));
    const crisp::ExperimentConfig demo = crisp::ExperimentConfig::demo();
    QVERIFY(c.experiment.usesDemoData());
    QCOMPARE(c.experiment.model, std::string("preset:tiny"));
    QCOMPARE(c.experiment.policy, std::string("dense"));
    QCOMPARE(c.experiment.name, std::string("tiny-dense"));
    QCOMPARE(c.experiment.hyper.learningRate, demo.hyper.learningRate);
    QCOMPARE(c.experiment.hyper.batchSize, demo.hyper.batchSize);
    QCOMPARE(c.experiment.maxLength, demo.maxLength);
    QCOMPARE(c.experiment.demoTrainSize, demo.demoTrainSize);
  }

  void aValidFormIsItsExperiment() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    form.model = QStringLiteral("preset:small");
    form.policy = QStringLiteral("crisp:0.5");
    form.learningRate = QStringLiteral(" 3e-5 ");
    form.batchSize = 8;
    form.maxLength = 96;
    form.epochs = 3;
    form.seed = 7;
    const ExperimentFormCheck c = check(form);
    QVERIFY2(c.ready(), qPrintable(c.messages().join('\n')));
    QCOMPARE(c.experiment.model, std::string("preset:small"));
    QCOMPARE(c.experiment.tokenizer, form.tokenizerPath.toStdString());
    QCOMPARE(c.experiment.trainData, form.trainPath.toStdString());
    QCOMPARE(c.experiment.devData, form.devPath.toStdString());
    QCOMPARE(c.experiment.name, std::string("small-crisp:0.5"));
    QCOMPARE(c.experiment.hyper.learningRate, 3e-5);
    QCOMPARE(c.experiment.hyper.batchSize, 8);
    QCOMPARE(c.experiment.maxLength, 96);
    QCOMPARE(c.experiment.hyper.epochs, 3);
    QCOMPARE(c.experiment.hyper.seed, uint64_t{7});

    form.data = Data::QuickDemo;  // the files are kept in the form but not used
    const ExperimentFormCheck quick = check(form);
    QVERIFY(quick.experiment.usesDemoData());
    QCOMPARE(quick.experiment.demoTrainSize, size_t{800});
    QCOMPARE(quick.experiment.demoDevSize, size_t{200});
  }

  // A policy outside its range (core's parser says which) keeps the form from starting.
  void anInvalidPolicyIsAProblem() {
    ExperimentFormValues form;
    form.policy = QStringLiteral("crisp:1.5");
    const ExperimentFormCheck c = check(form);
    QVERIFY(!c.ready());
    QCOMPARE(c.problems.size(), 1);
    QVERIFY2(problemsOf(c, FormField::Policy).contains(QStringLiteral("1.5")),
             qPrintable(c.messages().join('\n')));
    QCOMPARE(crisp::ui::policyProblem(QStringLiteral("crisp:0.8+nodiag")), QString());
    QVERIFY(!crisp::ui::policyProblem(QStringLiteral("sparse:2")).isEmpty());
  }

  void badLearningRatesAreProblems() {
    ExperimentFormValues form;
    for (const char* typed : {"", "fast", "0", "-2e-4", "1.5", "2e-4x", "nan", "inf"}) {
      form.learningRate = QString::fromLatin1(typed);
      const ExperimentFormCheck c = check(form);
      QVERIFY2(!c.ready(), typed);
      QVERIFY2(problemsOf(c, FormField::LearningRate).contains(QStringLiteral("Learning rate")),
               typed);
    }
    for (const char* typed : {"1", "0.001", "2e-4", "1E-8"}) {
      form.learningRate = QString::fromLatin1(typed);
      QVERIFY2(check(form).ready(), typed);
    }
  }

  void missingDataFilesAreProblems() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    form.trainPath = dir.filePath(QStringLiteral("missing.tsv"));
    form.devPath = QStringLiteral("  ");
    const ExperimentFormCheck c = check(form);
    QVERIFY(!c.ready());
    QCOMPARE(problemsOf(c, FormField::TrainData),
             QStringLiteral("Training data: file not found: ") + form.trainPath);
    QCOMPARE(problemsOf(c, FormField::DevData), QStringLiteral("Dev data: choose a file."));
    // The demo corpus needs no files: the paths left in the form do not matter.
    form.data = Data::Demo;
    QVERIFY(check(form).ready());
  }

  // What the preview found in a file's first rows is the file's problem.
  void rejectedRowsInThePreviewAreProblems() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    form.trainPreviewProblem = QStringLiteral("train.tsv:3: no label");
    const ExperimentFormCheck c = check(form);
    QCOMPARE(problemsOf(c, FormField::TrainData),
             QStringLiteral("Training data: train.tsv:3: no label"));
    QCOMPARE(c.problems.size(), 1);
  }

  void aPresetOnOwnDataNeedsATokenizer() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    form.tokenizer = Tokenizer::ModelOwn;
    QVERIFY2(problemsOf(check(form), FormField::Tokenizer).contains(QStringLiteral("vocabulary")),
             qPrintable(check(form).messages().join('\n')));
    form.data = Data::Demo;  // the demo's own vocabulary
    QVERIFY(check(form).ready());
  }

  void tokenizerFilesAreChecked() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    const QString vocab = form.tokenizerPath;
    const auto tokenizerProblem = [&](Tokenizer kind, const QString& path) {
      form.tokenizer = kind;
      form.tokenizerPath = path;
      return problemsOf(check(form), FormField::Tokenizer);
    };
    QCOMPARE(tokenizerProblem(Tokenizer::WordPiece, vocab), QString());
    QCOMPARE(tokenizerProblem(Tokenizer::WordPiece, dir.path()), QString());  // its directory
    QVERIFY(tokenizerProblem(Tokenizer::WordPiece, QString())
                .contains(QStringLiteral("Choose a WordPiece vocabulary")));
    QVERIFY(tokenizerProblem(Tokenizer::WordPiece, dir.filePath(QStringLiteral("absent")))
                .startsWith(QStringLiteral("No vocab.txt at")));
    const QString corrupt = write(dir, QStringLiteral("corrupt.model"), "not a model");
    QVERIFY(tokenizerProblem(Tokenizer::WordPiece, corrupt)
                .contains(QStringLiteral("corrupt.model is a SentencePiece model")));
    QVERIFY(tokenizerProblem(Tokenizer::SentencePiece, vocab)
                .contains(QStringLiteral("vocab.txt is not a SentencePiece model")));
    QVERIFY(tokenizerProblem(Tokenizer::SentencePiece, dir.filePath(QStringLiteral("a.model")))
                .contains(QStringLiteral("SentencePiece model not found")));
    QVERIFY(tokenizerProblem(Tokenizer::SentencePiece, QString())
                .contains(QStringLiteral("Choose a SentencePiece model")));
    // A file of the right kind that core cannot load: core's message.
    const QString loadProblem = tokenizerProblem(Tokenizer::SentencePiece, corrupt);
    QVERIFY2(loadProblem.startsWith(QStringLiteral("Tokenizer: ")), qPrintable(loadProblem));
  }

  // SentencePiece trained on the data: core's validator checks the size and type.
  void sentencePieceTrainingIsCheckedByCore() {
    QTemporaryDir dir;
    ExperimentFormValues form = ownData(dir);
    form.tokenizer = Tokenizer::TrainSentencePiece;
    form.sentencePieceVocabSize = 500;
    form.sentencePieceType = QStringLiteral("bpe");
    ExperimentFormCheck c = check(form);
    QVERIFY2(c.ready(), qPrintable(c.messages().join('\n')));
    QCOMPARE(c.experiment.trainSentencePiece.vocabSize, 500);
    QCOMPARE(c.experiment.trainSentencePiece.modelType, std::string("bpe"));
    QCOMPARE(c.experiment.tokenizer, std::string());
    form.sentencePieceVocabSize = crisp::kSentencePieceMinVocab - 1;
    QVERIFY(problemsOf(check(form), FormField::Tokenizer).contains(QStringLiteral("vocab_size")));
    form.sentencePieceVocabSize = 500;
    form.sentencePieceType = QStringLiteral("char");
    QVERIFY(problemsOf(check(form), FormField::Tokenizer).contains(QStringLiteral("model_type")));
  }

  // Data-parallel processes: 1 by default; at most one per usable CPU, on CUDA one per GPU (not
  // cuda:N), and not while each process would train its own SentencePiece vocabulary (core
  // refuses both).
  void processesAreCheckedAsCoreWould() {
    ExperimentFormValues form;
    QCOMPARE(form.processes, 1);
    QCOMPARE(check(form).processes, 1);
    QVERIFY(crisp::ui::maxProcesses() >= 1 && crisp::ui::maxProcesses() <= 8);
    for (int processes : {0, crisp::ui::maxProcesses() + 1}) {
      form.processes = processes;
      const ExperimentFormCheck c = check(form);
      QVERIFY(!c.ready());
      QVERIFY(problemsOf(c, FormField::Processes).startsWith(QStringLiteral("Processes: ")));
    }
    if (crisp::ui::maxProcesses() < 2) QSKIP("one usable CPU: the form offers 1 process only");
    form.processes = 2;
    ExperimentFormCheck c = check(form);
    QVERIFY2(c.ready(), qPrintable(c.messages().join('\n')));
    QCOMPARE(c.processes, 2);
    QCOMPARE(c.experiment.device, std::string("cpu"));
    form.device = QStringLiteral("cuda:0");  // NCCL: one GPU per process
    c = check(form);
    QCOMPARE(c.problems.size(), qsizetype{1});
    QVERIFY(problemsOf(c, FormField::Processes).contains(QStringLiteral("one GPU each")));
    form.device = QStringLiteral("cuda");
    form.processes = crisp::cudaDeviceCount() + 1;
    if (form.processes >= 2 && form.processes <= crisp::ui::maxProcesses()) {
      QVERIFY(
          problemsOf(check(form), FormField::Processes).contains(QStringLiteral("one per GPU")));
    }
    form.processes = 2;
    form.device = QStringLiteral("cpu");
    QTemporaryDir dir;
    form = ownData(dir);
    form.processes = 2;
    form.tokenizer = Tokenizer::TrainSentencePiece;
    form.sentencePieceVocabSize = 500;
    form.sentencePieceType = QStringLiteral("unigram");
    QVERIFY(
        problemsOf(check(form), FormField::Processes).contains(QStringLiteral("SentencePiece")));
    form.processes = 1;
    QVERIFY(check(form).ready());
  }

  // A typed model is resolved as training will; a listed one was found loadable.
  void aTypedModelIsResolved() {
    QTemporaryDir dir;
    ExperimentFormValues form;
    form.modelTyped = true;
    form.model = QStringLiteral(" ");
    QCOMPARE(problemsOf(check(form), FormField::Model),
             QStringLiteral("Choose the Hugging Face model directory."));
    QTemporaryDir empty;
    form.model = empty.path();
    QVERIFY2(problemsOf(check(form), FormField::Model).contains(QStringLiteral("config.json")),
             qPrintable(check(form).messages().join('\n')));

    form.model = checkpoint(dir) + QLatin1Char('/');
    ExperimentFormCheck c = check(form);
    QVERIFY2(c.ready(), qPrintable(c.messages().join('\n')));
    QCOMPARE(c.experiment.name, std::string("hf-dense"));
    // Its tokenizer must match config.json's vocab_size (4).
    QTemporaryDir other;
    form.tokenizer = Tokenizer::WordPiece;
    form.tokenizerPath = write(other, QStringLiteral("vocab.txt"), kVocabulary + "extra\n");
    const QString mismatch = problemsOf(check(form), FormField::Tokenizer);
    QVERIFY2(mismatch.contains(QStringLiteral("5 entries")) &&
                 mismatch.contains(QStringLiteral("vocab_size 4")),
             qPrintable(mismatch));
    // A pretrained checkpoint cannot take a newly trained vocabulary.
    form.tokenizer = Tokenizer::TrainSentencePiece;
    form.sentencePieceVocabSize = 500;
    QVERIFY(problemsOf(check(form), FormField::Tokenizer)
                .contains(QStringLiteral("pretrained checkpoint")));
  }

  // A listed checkpoint names the run after its hub id, not its snapshot folder.
  void aListedCheckpointIsNamedAfterItsHubId() {
    ExperimentFormValues form;
    form.model = QStringLiteral("/cache/models--o--m/snapshots/abc");
    form.pretrainedName = QStringLiteral("sentence-transformers/all-MiniLM-L6-v2");
    form.policy = QStringLiteral("crisp:0.8");
    const crisp::ExperimentConfig c = crisp::ui::experimentFromForm(form);
    QCOMPARE(c.model, form.model.toStdString());
    QCOMPARE(c.name, std::string("all-MiniLM-L6-v2-crisp:0.8"));
  }

  // The probe loads a file once per version of it.
  void theProbeReloadsAChangedFile() {
    QTemporaryDir dir;
    const QString path = write(dir, QStringLiteral("vocab.txt"), kVocabulary);
    TokenizerProbe probe;
    qint64 size = 0;
    QCOMPARE(probe.problem(path, &size), QString());
    QCOMPARE(size, qint64{4});
    write(dir, QStringLiteral("vocab.txt"), kVocabulary + "a\nb\n");
    QCOMPARE(probe.problem(path, &size), QString());
    QCOMPARE(size, qint64{6});
  }
};

QTEST_GUILESS_MAIN(TestExperimentForm)
#include "test_experiment_form.moc"
