// The experiment form: validation in the form (not a crash later), the data preview with its
// rejected rows, and the full configuration it returns.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QWheelEvent>
#include <QtTest>

#include <fstream>

#include "core/sys/device.h"
#include "core/text/sentencepiece.h"
#include "core/text/tokenizer.h"
#include "core/train/experiment.h"
#include "test_files.h"
#include "ui/views/experiment_panel.h"
#include "ui/views/problem_mark.h"

using crisp::ui::ExperimentPanel;

namespace {

// A small SentencePiece model (crisp's special pieces) trained in dir.
QString trainModel(const QTemporaryDir& dir) {
  const char* subjects[] = {"the film", "this movie", "the plot", "the acting", "the ending"};
  const char* adjectives[] = {"wonderful", "boring",   "not bad", "surprisingly good",
                              "too long",  "charming", "dull",    "brilliant"};
  std::vector<std::string> sentences;
  for (int i = 0; i < 400; ++i) {
    sentences.push_back(std::string(subjects[i % 5]) + " was " + adjectives[(i * 7) % 8] + " .");
  }
  crisp::SentencePieceVocabularyOptions options;
  options.vocabSize = 40;
  crisp::trainSentencePieceTokenizer(sentences, options, dir.path().toStdString(), "test");
  return dir.filePath(QStringLiteral("spiece.model"));
}

// Whether a form row's field (and its label) is enabled: rows that do not apply are greyed.
bool rowEnabled(const ExperimentPanel& panel, const char* fieldName) {
  auto* field = panel.findChild<QWidget*>(QString::fromLatin1(fieldName));
  return field != nullptr && field->isEnabledTo(const_cast<ExperimentPanel*>(&panel));
}

}  // namespace

class TestExperimentPanel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void acceptsTheDemo() {
    ExperimentPanel panel;
    QVERIFY2(panel.canStart(), qPrintable(panel.problems().join('\n')));
    QVERIFY(panel.findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
    const crisp::ExperimentConfig c = panel.experiment();
    QVERIFY(c.usesDemoData());
    QCOMPARE(c.model, std::string("preset:tiny"));
    QCOMPARE(c.tokenizer, std::string());
    QCOMPARE(c.policy, std::string("dense"));
    QCOMPARE(c.hyper.learningRate, crisp::ExperimentConfig::demo().hyper.learningRate);
  }

  // The Device combo offers the CPU, then each CUDA device torch reports (none in a CPU build),
  // and the experiment follows the choice; the CPU is the default.
  void offersTheDevicesTorchReports() {
    ExperimentPanel panel;
    auto* device = panel.findChild<QComboBox*>(QStringLiteral("deviceCombo"));
    QVERIFY(device != nullptr);
    const std::vector<std::string> devices = crisp::availableDevices();
    QCOMPARE(device->count(), static_cast<int>(devices.size()));
    for (int i = 0; i < device->count(); ++i)
      QCOMPARE(device->itemData(i).toString().toStdString(), devices[static_cast<size_t>(i)]);
    QCOMPARE(panel.experiment().device, std::string("cpu"));
    device->setCurrentIndex(device->count() - 1);
    QCOMPARE(panel.experiment().device, devices.back());
  }

  // Precision follows the device: bf16 is offered on a GPU only, and the CPU always trains in
  // fp32 (a bf16 choice left from a GPU falls back when the CPU is chosen).
  void offersBf16OnAGpuOnly() {
    ExperimentPanel panel;
    auto* device = panel.findChild<QComboBox*>(QStringLiteral("deviceCombo"));
    auto* precision = panel.findChild<QComboBox*>(QStringLiteral("precisionCombo"));
    QVERIFY(device != nullptr && precision != nullptr);
    QCOMPARE(device->currentData().toString(), QStringLiteral("cpu"));
    QVERIFY(!precision->isEnabled());
    QCOMPARE(panel.experiment().precision, std::string("fp32"));
    if (device->count() == 1) return;  // no GPU here: nothing more to choose
    device->setCurrentIndex(1);
    QVERIFY(precision->isEnabled());
    precision->setCurrentIndex(precision->findData(QStringLiteral("bf16")));
    QCOMPARE(panel.experiment().precision, std::string("bf16"));
    device->setCurrentIndex(0);
    QVERIFY(!precision->isEnabled());
    QCOMPARE(panel.experiment().precision, std::string("fp32"));
  }

  // Paths typed or chosen once are there again in the next session's form.
  void remembersItsPaths() {
    const QString path = QStringLiteral("/data/sst2/train.tsv");
    {
      ExperimentPanel panel;
      panel.findChild<QLineEdit*>(QStringLiteral("trainDataEdit"))->setText(path);
    }
    ExperimentPanel next;
    auto* edit = next.findChild<QLineEdit*>(QStringLiteral("trainDataEdit"));
    QCOMPARE(edit->text(), path);
    edit->clear();  // leave the settings as the other tests expect them
  }

  void rejectsAMissingDataFile() {
    QTemporaryDir dir;
    const QString vocab = write(dir, QStringLiteral("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
    const QString dev = write(dir, QStringLiteral("dev.tsv"), "sentence\tlabel\ngood\t1\n");
    ExperimentPanel panel;
    panel.setVocabulary(vocab);
    panel.setDataFiles(dir.filePath(QStringLiteral("missing.tsv")), dev);
    QVERIFY(!panel.canStart());
    QVERIFY(!panel.findChild<QPushButton*>(QStringLiteral("startButton"))->isEnabled());
    QVERIFY2(panel.problems().join('\n').contains(QStringLiteral("missing.tsv")),
             qPrintable(panel.problems().join('\n')));
    // Said beside the field too, and only there.
    auto* trainEdit = panel.findChild<QLineEdit*>(QStringLiteral("trainDataEdit"));
    auto* devEdit = panel.findChild<QLineEdit*>(QStringLiteral("devDataEdit"));
    QVERIFY2(crisp::ui::markedProblem(trainEdit).contains(QStringLiteral("missing.tsv")),
             qPrintable(crisp::ui::markedProblem(trainEdit)));
    QCOMPARE(crisp::ui::markedProblem(devEdit), QString());
    // A preset on your own data without a vocabulary is a mismatch, said in the form.
    panel.setVocabulary(QString());
    panel.setDataFiles(dev, dev);
    QVERIFY(panel.problems().join('\n').contains(QStringLiteral("vocabulary")));
    // Marked on the tokenizer choice: the vocabulary field is disabled for "the model's own".
    auto* vocabEdit = panel.findChild<QLineEdit*>(QStringLiteral("vocabEdit"));
    auto* tokenizer = panel.findChild<QComboBox*>(QStringLiteral("tokenizerCombo"));
    QVERIFY(!vocabEdit->isEnabled());
    QCOMPARE(crisp::ui::markedProblem(vocabEdit), QString());
    QVERIFY(crisp::ui::markedProblem(tokenizer).contains(QStringLiteral("vocabulary")));
    QVERIFY(tokenizer->toolTip().startsWith(crisp::ui::markedProblem(tokenizer)));
    QVERIFY(!tokenizer->itemIcon(tokenizer->currentIndex()).isNull());
    panel.setVocabulary(vocab);
    QVERIFY2(panel.canStart(), qPrintable(panel.problems().join('\n')));
    QCOMPARE(crisp::ui::markedProblem(tokenizer), QString());
    QVERIFY(tokenizer->itemIcon(tokenizer->currentIndex()).isNull());
    QVERIFY(tokenizer->toolTip().startsWith(QStringLiteral("The model's own")));
    for (auto* edit : panel.findChildren<QLineEdit*>())  // every mark gone with its problem
      QVERIFY2(crisp::ui::markedProblem(edit).isEmpty(), qPrintable(edit->objectName()));
    // Back to the demo: valid again.
    panel.setVocabulary(QString());
    panel.setDataFiles(QString(), QString());
    QVERIFY(panel.canStart());
  }

  void rejectsAnIncompleteModelDirectory() {
    QTemporaryDir dir;
    ExperimentPanel panel;
    panel.setModel(dir.path());
    QVERIFY(!panel.canStart());
    QVERIFY(panel.problems().join('\n').contains(QStringLiteral("config.json")));
    panel.setModel(QStringLiteral("preset:small"));
    QVERIFY(panel.canStart());
  }

  // Pretrained checkpoints in the Hugging Face cache are model choices (with their size);
  // choosing one fine-tunes it with its own tokenizer, named after it. A hub id typed into the
  // directory row resolves through the same cache.
  void listsPretrainedCheckpointsFromTheCache() {
    QTemporaryDir cache;
    const QString repo = QStringLiteral("models--sentence-transformers--all-MiniLM-L6-v2");
    const QString snapshot = cache.filePath(repo + QStringLiteral("/snapshots/abc"));
    QVERIFY(QDir().mkpath(snapshot));
    QVERIFY(QDir().mkpath(cache.filePath(repo + QStringLiteral("/refs"))));
    write(cache, repo + QStringLiteral("/refs/main"), "abc");
    write(cache, repo + QStringLiteral("/snapshots/abc/config.json"),
          R"({"model_type": "bert", "vocab_size": 5})");
    write(cache, repo + QStringLiteral("/snapshots/abc/model.safetensors"),
          QByteArray(2'500'000, 'x'));
    write(cache, repo + QStringLiteral("/snapshots/abc/vocab.txt"),
          "[PAD]\n[UNK]\n[CLS]\n[SEP]\na\n");
    // Not a BERT: not offered.
    QVERIFY(QDir().mkpath(cache.filePath(QStringLiteral("models--gpt2/snapshots/x"))));
    write(cache, QStringLiteral("models--gpt2/snapshots/x/config.json"),
          R"({"model_type": "gpt2"})");
    write(cache, QStringLiteral("models--gpt2/snapshots/x/model.safetensors"), "x");
    qputenv("HF_HUB_CACHE", cache.path().toLocal8Bit());

    ExperimentPanel panel;
    auto* model = panel.findChild<QComboBox*>(QStringLiteral("modelCombo"));
    const int found = model->findData(snapshot);
    QVERIFY2(found >= 0, "the cached checkpoint is not listed");
    QCOMPARE(model->itemText(found),
             QStringLiteral("sentence-transformers/all-MiniLM-L6-v2 (pretrained bert, 3 MB)"));
    QCOMPARE(model->findText(QStringLiteral("gpt2"), Qt::MatchContains), -1);
    model->setCurrentIndex(found);
    QVERIFY2(panel.canStart(), qPrintable(panel.problems().join('\n')));
    const crisp::ExperimentConfig c = panel.experiment();
    QCOMPARE(c.model, snapshot.toStdString());
    QCOMPARE(c.name, std::string("all-MiniLM-L6-v2-dense"));
    QCOMPARE(c.hyper.learningRate, 2e-5);  // the fine-tuning default, not the demo's
    auto* tokenizer = panel.findChild<QComboBox*>(QStringLiteral("tokenizerCombo"));
    QCOMPARE(tokenizer->itemText(0), QStringLiteral("the model directory's tokenizer"));

    panel.setModel(QStringLiteral("sentence-transformers/all-MiniLM-L6-v2"));
    QVERIFY2(panel.canStart(), qPrintable(panel.problems().join('\n')));
    panel.setModel(QStringLiteral("bert-base-cased"));
    QVERIFY(!panel.canStart());
    QVERIFY2(panel.problems().join('\n').contains(QStringLiteral("not in the Hugging Face cache")),
             qPrintable(panel.problems().join('\n')));
    qunsetenv("HF_HUB_CACHE");
  }

  void previewShowsRowsAndRejectedRows() {
    QTemporaryDir dir;
    const QString train = write(dir, QStringLiteral("train.tsv"),
                                "sentence\tlabel\n"
                                "a fine film\t1\n"
                                "no label here\n"
                                "dull and long\t0\n"
                                "what a label\tmaybe\n"
                                "quite good\t1\n");
    const QString dev = write(dir, QStringLiteral("dev.tsv"), "sentence\tlabel\nok\t1\nbad\t0\n");
    const QString vocab = write(dir, QStringLiteral("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
    ExperimentPanel panel;
    panel.setVocabulary(vocab);
    panel.setDataFiles(train, dev);
    QTableWidget* table = panel.previewTable(0);
    QCOMPARE(table->rowCount(), 5);  // three rows and two rejected, in file order
    QCOMPARE(panel.previewRejectedCount(0), 2);
    QCOMPARE(table->item(0, 2)->text(), QStringLiteral("a fine film"));
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("positive"));
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("3"));
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("rejected"));
    QCOMPARE(table->item(3, 0)->text(), QStringLiteral("5"));
    QVERIFY(table->item(3, 2)->text().contains(QStringLiteral("maybe")));
    QCOMPARE(panel.previewTable(1)->rowCount(), 2);
    QCOMPARE(panel.previewRejectedCount(1), 0);
    // Training reads strictly: rejected rows keep Start disabled, naming the first line.
    QVERIFY(!panel.canStart());
    QVERIFY2(panel.problems().join('\n').contains(QStringLiteral("train.tsv:3")),
             qPrintable(panel.problems().join('\n')));
  }

  void returnsTheFullConfiguration() {
    QTemporaryDir dir;
    const QString train = write(dir, QStringLiteral("train.tsv"), "sentence\tlabel\ngood\t1\n");
    const QString vocab = write(dir, QStringLiteral("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
    ExperimentPanel panel;
    panel.setModel(QStringLiteral("preset:small"));
    panel.setVocabulary(vocab);
    panel.setDataFiles(train, train);
    auto* mask = panel.findChild<QComboBox*>(QStringLiteral("learnedMaskCombo"));
    mask->setCurrentIndex(mask->findData(QStringLiteral("dam")));
    panel.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.dam.LAMBDA"))->setValue(0.01);
    auto* selection = panel.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    selection->setCurrentIndex(selection->findData(QStringLiteral("crisp")));
    panel.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.crisp.S"))->setValue(0.5);
    auto* rate = panel.findChild<QLineEdit*>(QStringLiteral("learningRateEdit"));
    rate->setText(QStringLiteral("0"));
    QVERIFY2(crisp::ui::markedProblem(rate).contains(QStringLiteral("Learning rate")),
             qPrintable(crisp::ui::markedProblem(rate)));
    rate->setText(QStringLiteral("3e-5"));
    QCOMPARE(crisp::ui::markedProblem(rate), QString());
    panel.findChild<QSpinBox*>(QStringLiteral("batchSpin"))->setValue(16);
    panel.findChild<QSpinBox*>(QStringLiteral("maxLengthSpin"))->setValue(96);
    panel.findChild<QSpinBox*>(QStringLiteral("epochsSpin"))->setValue(3);
    panel.findChild<QSpinBox*>(QStringLiteral("seedSpin"))->setValue(7);
    QVERIFY2(panel.canStart(), qPrintable(panel.problems().join('\n')));
    const crisp::ExperimentConfig c = panel.experiment();
    QCOMPARE(c.model, std::string("preset:small"));
    QCOMPARE(c.tokenizer, vocab.toStdString());
    QCOMPARE(c.trainData, train.toStdString());
    QCOMPARE(c.devData, train.toStdString());
    QCOMPARE(c.policy, std::string("crisp:0.5+dam:0.01:unstructured:shared"));
    QCOMPARE(c.hyper.learningRate, 3e-5);
    QCOMPARE(c.hyper.batchSize, 16);
    QCOMPARE(c.maxLength, 96);
    QCOMPARE(c.hyper.epochs, 3);
    QCOMPARE(c.hyper.seed, uint64_t{7});
    // A bad policy typed as text is refused in the form.
    QTest::keyClicks(panel.findChild<QLineEdit*>(QStringLiteral("policyTextEdit")),
                     QStringLiteral("+sparse:2"));
    QVERIFY(!panel.canStart());
    QVERIFY(panel.problems().join('\n').contains(QStringLiteral("sparse:2")));
  }

  // A policy outside its range typed as text disables Start at once, with the reason.
  void outOfRangePolicyDisablesStart() {
    ExperimentPanel panel;
    auto* text = panel.findChild<QLineEdit*>(QStringLiteral("policyTextEdit"));
    auto* start = panel.findChild<QPushButton*>(QStringLiteral("startButton"));
    QVERIFY(start->isEnabled());
    text->selectAll();
    QTest::keyClicks(text, QStringLiteral("crisp:1.5"));
    QCOMPARE(text->text(), QStringLiteral("crisp:1.5"));
    qInfo("%s", qPrintable(panel.problems().join('\n')));
    QVERIFY(!panel.canStart());
    QVERIFY(!start->isEnabled());
    QVERIFY(panel.problems().join('\n').contains(QStringLiteral("1.5")));
  }

  // The wheel over a field without the focus scrolls the form and changes nothing (it once
  // switched the policy from Crisp top-k to Dense); a focused field still takes it.
  void wheelChangesOnlyFocusedFields() {
    ExperimentPanel panel;
    panel.resize(320, 500);
    panel.show();
    QApplication::setActiveWindow(&panel);
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    auto* selection = panel.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    const int crisp = selection->findData(QStringLiteral("crisp"));
    selection->setCurrentIndex(crisp);
    auto* epochs = panel.findChild<QSpinBox*>(QStringLiteral("epochsSpin"));
    const int epochCount = epochs->value();
    const auto turnWheel = [](QWidget* field, int delta) {
      const QPointF centre(field->width() / 2.0, field->height() / 2.0);
      QWheelEvent wheel(centre, field->mapToGlobal(centre), QPoint(), QPoint(0, delta),
                        Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
      QApplication::sendEvent(field, &wheel);
    };
    panel.findChild<QLineEdit*>(QStringLiteral("learningRateEdit"))->setFocus();
    for (int delta : {120, -120}) {
      turnWheel(selection, delta);
      turnWheel(epochs, delta);
    }
    QCOMPARE(selection->currentIndex(), crisp);
    QCOMPARE(epochs->value(), epochCount);
    QCOMPARE(panel.experiment().policy.substr(0, 6), std::string("crisp:"));
    QCOMPARE(selection->focusPolicy(), Qt::StrongFocus);  // the wheel does not focus it either

    epochs->setFocus();
    QVERIFY(QTest::qWaitFor([&] { return epochs->hasFocus(); }));
    turnWheel(epochs, 120);
    QCOMPARE(epochs->value(), epochCount + 1);

    // The processes field is guarded too.
    auto* processes = panel.findChild<QSpinBox*>(QStringLiteral("processesSpin"));
    QVERIFY(processes);
    processes->setRange(1, 4);  // room to move on a one-CPU machine
    epochs->setFocus();
    turnWheel(processes, 120);
    QCOMPARE(processes->value(), 1);
  }

  // The processes field: 1 by default, up to one per usable CPU; its value is the panel's, the
  // form check's problem is marked beside it and keeps Start off.
  void processesFieldFeedsTheForm() {
    ExperimentPanel panel;
    auto* processes = panel.findChild<QSpinBox*>(QStringLiteral("processesSpin"));
    QVERIFY(processes);
    QCOMPARE(processes->value(), 1);
    QCOMPARE(panel.processes(), 1);
    QCOMPARE(processes->minimum(), 1);
    QCOMPARE(processes->maximum(), crisp::ui::maxProcesses());
    QVERIFY(processes->toolTip().contains(QStringLiteral("one per GPU")));
    processes->setRange(1, 9);  // 2 and maxProcesses() + 1 can be chosen on any machine
    panel.setProcesses(2);
    QCOMPARE(panel.processes(), 2);
    auto* lineEdit = processes->findChild<QLineEdit*>();
    QCOMPARE(crisp::ui::markedProblem(lineEdit).isEmpty(), crisp::ui::maxProcesses() >= 2);
    panel.setProcesses(crisp::ui::maxProcesses() + 1);
    QVERIFY(!panel.canStart());
    QVERIFY(crisp::ui::markedProblem(lineEdit).startsWith(QStringLiteral("Processes: ")));
    panel.setProcesses(1);
    QVERIFY(panel.canStart());
    QVERIFY(crisp::ui::markedProblem(lineEdit).isEmpty());
  }

  // The tokenizer row: from the model, a WordPiece vocabulary, a SentencePiece .model, or
  // SentencePiece trained on the data; each validated in the form.
  void tokenizerChoicesAreValidatedInTheForm() {
    QTemporaryDir dir;
    const QString vocab = write(dir, QStringLiteral("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
    const QString model = trainModel(dir);
    const QString corrupt = write(dir, QStringLiteral("corrupt.model"), "not a model");
    const QString train = write(dir, QStringLiteral("train.tsv"), "sentence\tlabel\ngood\t1\n");
    ExperimentPanel panel;
    auto* tokenizer = panel.findChild<QComboBox*>(QStringLiteral("tokenizerCombo"));
    QCOMPARE(tokenizer->count(), 4);
    const auto problems = [&] { return panel.problems().join('\n'); };

    // A SentencePiece model: accepted, and the experiment names it.
    panel.setDataFiles(train, train);
    panel.setVocabulary(model);
    QCOMPARE(tokenizer->currentData().toString(), QStringLiteral("sentencepiece"));
    QVERIFY2(panel.canStart(), qPrintable(problems()));
    QCOMPARE(panel.experiment().tokenizer, model.toStdString());
    QVERIFY(!panel.experiment().trainSentencePiece.enabled());
    QVERIFY(rowEnabled(panel, "vocabEdit"));
    QVERIFY(!rowEnabled(panel, "sentencePieceVocabSpin"));

    // The wrong kind for the file's extension, a missing file, a corrupt model.
    auto* path = panel.findChild<QLineEdit*>(QStringLiteral("vocabEdit"));
    tokenizer->setCurrentIndex(tokenizer->findData(QStringLiteral("wordpiece")));
    QVERIFY(!panel.canStart());
    QVERIFY2(problems().contains(QStringLiteral("is a SentencePiece model")),
             qPrintable(problems()));
    tokenizer->setCurrentIndex(tokenizer->findData(QStringLiteral("sentencepiece")));
    path->setText(vocab);
    QVERIFY2(problems().contains(QStringLiteral("not a SentencePiece model")),
             qPrintable(problems()));
    path->setText(dir.filePath(QStringLiteral("absent.model")));
    QVERIFY2(problems().contains(QStringLiteral("not found")), qPrintable(problems()));
    path->setText(corrupt);
    QVERIFY2(problems().contains(QStringLiteral("corrupt.model")), qPrintable(problems()));
    QVERIFY(!panel.canStart());
    path->setText(QString());
    QVERIFY2(problems().contains(QStringLiteral("Choose a SentencePiece model")),
             qPrintable(problems()));

    // Trained on the data: size and type from the form, within core's range.
    panel.setSentencePieceTraining(500, QStringLiteral("bpe"));
    QVERIFY2(panel.canStart(), qPrintable(problems()));
    QVERIFY(!rowEnabled(panel, "vocabEdit"));
    QVERIFY(rowEnabled(panel, "sentencePieceVocabSpin"));
    crisp::ExperimentConfig c = panel.experiment();
    QCOMPARE(c.trainSentencePiece.vocabSize, 500);
    QCOMPARE(c.trainSentencePiece.modelType, std::string("bpe"));
    QCOMPARE(c.tokenizer, std::string());
    auto* size = panel.findChild<QSpinBox*>(QStringLiteral("sentencePieceVocabSpin"));
    QCOMPARE(size->minimum(), crisp::kSentencePieceMinVocab);
    QCOMPARE(size->maximum(), crisp::kSentencePieceMaxVocab);
    size->setValue(3);  // out of range: clamped, never sent to core
    QCOMPARE(panel.experiment().trainSentencePiece.vocabSize, crisp::kSentencePieceMinVocab);
    QTest::keyClicks(size, QStringLiteral("0"));  // typing stays within the range too
    QVERIFY(panel.experiment().trainSentencePiece.vocabSize <= crisp::kSentencePieceMaxVocab);

    // A pretrained checkpoint cannot take a newly trained vocabulary, nor one of another size.
    const QString hf = dir.filePath(QStringLiteral("hf"));
    QVERIFY(QDir().mkpath(hf));
    write(dir, QStringLiteral("hf/config.json"),
          R"({"model_type": "distilbert", "vocab_size": 4})");
    write(dir, QStringLiteral("hf/model.safetensors"), "");
    write(dir, QStringLiteral("hf/vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
    panel.setModel(hf);
    QVERIFY2(problems().contains(QStringLiteral("pretrained checkpoint")), qPrintable(problems()));
    panel.setVocabulary(model);  // 40 pieces against vocab_size 4
    QVERIFY2(problems().contains(QStringLiteral("40 entries")) &&
                 problems().contains(QStringLiteral("vocab_size 4")),
             qPrintable(problems()));
    panel.setVocabulary(vocab);  // 4 entries: matches
    QVERIFY2(!problems().contains(QStringLiteral("entries")), qPrintable(problems()));
    panel.setVocabulary(QString());  // the checkpoint's own
    QVERIFY2(!problems().contains(QStringLiteral("okenizer")), qPrintable(problems()));
    QVERIFY(!rowEnabled(panel, "vocabEdit"));
    QVERIFY(!rowEnabled(panel, "sentencePieceVocabSpin"));

    // Optional: the form as it looks (CRISP_SCREENSHOT_DIR set).
    if (qEnvironmentVariableIsSet("CRISP_SCREENSHOT_DIR")) {
      panel.setModel(QStringLiteral("preset:small"));
      panel.setSentencePieceTraining(8000, QStringLiteral("unigram"));
      panel.resize(320, 700);
      panel.grab().save(qEnvironmentVariable("CRISP_SCREENSHOT_DIR") +
                        QStringLiteral("/experiment-tokenizer.png"));
    }
  }
};

QTEST_MAIN(TestExperimentPanel)
#include "test_experiment_panel.moc"
