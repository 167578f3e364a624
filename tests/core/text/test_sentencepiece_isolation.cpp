// Hazard A: SentencePiece (with its own protobuf) and LibTorch (system protobuf) in one process.
// The shim is loaded in a private link namespace; this test trains, loads and encodes with
// SentencePiece and trains a LibTorch model on the ids, in the same process.
#include <torch/torch.h>
#include <QtTest>

#include <fstream>

#include "core/sys/error.h"
#include "core/text/sentencepiece.h"

namespace {

// A small deterministic corpus with enough repetition for a 40-piece vocabulary.
void writeCorpus(const QString& path) {
  const char* subjects[] = {"the film", "this movie", "the plot", "the acting", "the ending"};
  const char* verbs[] = {"is", "was", "felt", "seemed", "became"};
  const char* adjectives[] = {"wonderful", "boring",   "not bad", "surprisingly good",
                              "too long",  "charming", "dull",    "brilliant"};
  std::ofstream out(path.toStdString());
  for (int i = 0; i < 400; ++i) {
    out << subjects[i % 5] << ' ' << verbs[(i / 5) % 5] << ' ' << adjectives[(i * 7) % 8];
    if (i % 3 == 0) out << " but " << adjectives[(i * 3 + 1) % 8];
    out << " .\n";
  }
}

}  // namespace

class TestSentencePieceIsolation : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    corpus_ = dir_.filePath(QStringLiteral("corpus.txt"));
    writeCorpus(corpus_);
  }

  void trainsLoadsAndRoundTrips_data() {
    QTest::addColumn<QString>("modelType");
    QTest::newRow("unigram") << QStringLiteral("unigram");
    QTest::newRow("bpe") << QStringLiteral("bpe");
  }

  void trainsLoadsAndRoundTrips() {
    QFETCH(QString, modelType);
    crisp::SentencePieceTrainOptions options;
    options.inputFile = corpus_.toStdString();
    options.modelPrefix = dir_.filePath(modelType).toStdString();
    options.modelType = modelType.toStdString();
    options.vocabSize = 40;
    crisp::trainSentencePiece(options);

    const auto model = crisp::SentencePieceModel::load(options.modelPrefix + ".model");
    QCOMPARE(model.vocabSize(), 40);
    const std::string text = "the film was not bad but too long .";
    const std::vector<int32_t> ids = model.encode(text);
    QVERIFY(!ids.empty());
    for (int32_t id : ids) QVERIFY(id >= 0 && id < model.vocabSize());
    QCOMPARE(model.decode(ids), text);
    const auto pieces = model.encodeAsPieces(text);
    QCOMPARE(pieces.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) QCOMPARE(model.pieceToId(pieces[i]), ids[i]);
    QVERIFY(model.encode("").empty());
    // Long input exercises the grow-and-retry buffer protocol of the shim.
    std::string longText;
    for (int i = 0; i < 2000; ++i) longText += "wonderful ";
    QVERIFY(model.encode(longText).size() >= 2000);
  }

  void libTorchTrainsOnSentencePieceIdsInTheSameProcess() {
    crisp::SentencePieceTrainOptions options;
    options.inputFile = corpus_.toStdString();
    options.modelPrefix = dir_.filePath(QStringLiteral("joint")).toStdString();
    options.vocabSize = 40;
    crisp::trainSentencePiece(options);
    const auto model = crisp::SentencePieceModel::load(options.modelPrefix + ".model");

    torch::manual_seed(0);
    const std::vector<std::string> sentences = {"wonderful", "brilliant", "charming",
                                                "dull",      "boring",    "too long"};
    const std::vector<int64_t> labels = {1, 1, 1, 0, 0, 0};
    torch::nn::EmbeddingBag embed(
        torch::nn::EmbeddingBagOptions(model.vocabSize(), 8).mode(torch::kMean));
    torch::nn::Linear head(8, 2);
    std::vector<torch::Tensor> params = embed->parameters();
    for (auto& p : head->parameters()) params.push_back(p);
    torch::optim::Adam optimizer(params, torch::optim::AdamOptions(0.1));

    std::vector<int64_t> flat, offsets;
    for (const auto& s : sentences) {
      offsets.push_back(static_cast<int64_t>(flat.size()));
      for (int32_t id : model.encode(s)) flat.push_back(id);
    }
    const auto input = torch::tensor(flat, torch::kLong);
    const auto offsetTensor = torch::tensor(offsets, torch::kLong);
    const auto target = torch::tensor(labels, torch::kLong);
    float first = 0, last = 0;
    for (int step = 0; step < 50; ++step) {
      optimizer.zero_grad();
      auto loss = torch::cross_entropy_loss(head(embed(input, offsetTensor)), target);
      loss.backward();
      optimizer.step();
      (step == 0 ? first : last) = loss.item<float>();
    }
    QVERIFY2(last < 0.1f * first, qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
  }

  void missingModelNamesTheFile() {
    const std::string path = dir_.filePath(QStringLiteral("absent.model")).toStdString();
    try {
      crisp::SentencePieceModel::load(path);
      QFAIL("loaded a missing model");
    } catch (const crisp::Error& e) {
      QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
    }
  }

  void corruptModelNamesTheFile() {
    const QString path = dir_.filePath(QStringLiteral("corrupt.model"));
    {
      QFile file(path);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(QByteArray("\x0a\xff\xff\xff\xff\x0fgarbage", 12));
    }
    try {
      crisp::SentencePieceModel::load(path.toStdString());
      QFAIL("loaded a corrupt model");
    } catch (const crisp::Error& e) {
      QVERIFY2(QString::fromUtf8(e.what()).contains(path), e.what());
    }
  }

  void decodeRejectsOutOfRangeIds() {
    crisp::SentencePieceTrainOptions options;
    options.inputFile = corpus_.toStdString();
    options.modelPrefix = dir_.filePath(QStringLiteral("range")).toStdString();
    options.vocabSize = 40;
    crisp::trainSentencePiece(options);
    const auto model = crisp::SentencePieceModel::load(options.modelPrefix + ".model");
    QVERIFY_THROWS_EXCEPTION(crisp::Error, model.decode({1, 9999}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, model.idToPiece(-1));
  }

  void trainingRejectsMissingCorpus() {
    crisp::SentencePieceTrainOptions options;
    options.inputFile = dir_.filePath(QStringLiteral("none.txt")).toStdString();
    options.modelPrefix = dir_.filePath(QStringLiteral("none")).toStdString();
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::trainSentencePiece(options));
  }

 private:
  QTemporaryDir dir_;
  QString corpus_;
};

QTEST_GUILESS_MAIN(TestSentencePieceIsolation)
#include "test_sentencepiece_isolation.moc"
