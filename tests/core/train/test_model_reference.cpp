// What eval, predict, inspect and export load (loadModelReference) must be the model that was
// saved: no random head, no dropped layers, no tokenizer ids past the embedding table, no NaN.
#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/model/hf_checkpoint.h"
#include "core/model/hf_export.h"
#include "core/train/model_reference.h"
#include "tests/core/test_support.h"

using crisp::test::contains;
using crisp::test::errorOf;

namespace {

crisp::ModelConfig tinyConfig() {
  crisp::ModelConfig c = crisp::ModelConfig::preset("tiny", 64);
  c.maxPositions = 32;
  return c;
}

// A vocab.txt of `entries` lines: the special tokens, then w5, w6, ...
std::string writeVocabulary(const std::string& directory, int entries) {
  std::filesystem::create_directories(directory);
  const std::string path = directory + "/vocab.txt";
  std::ofstream out(path);
  for (const char* special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) out << special << "\n";
  for (int i = 5; i < entries; ++i) out << "w" << i << "\n";
  return path;
}

// A complete Hugging Face directory of the tiny DistilBERT classifier, with a fitting vocab.txt.
std::string exportTinyModel(const QTemporaryDir& dir, const char* name) {
  const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
  auto model = crisp::makeClassifier(tinyConfig());
  const std::string vocabulary = writeVocabulary(path + "-vocab", 64);
  crisp::exportHuggingFaceDirectory(*model, path);
  std::filesystem::copy_file(vocabulary, path + "/vocab.txt");
  return path;
}

void rewriteTensors(const std::string& directory,
                    const std::function<void(crisp::StateDict&)>& change) {
  crisp::StateDict state = crisp::readSafeTensors(directory + "/model.safetensors").tensors;
  change(state);
  crisp::writeSafeTensors(directory + "/model.safetensors", state);
}

}  // namespace

class TestModelReference : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void completeModelDirectoryLoads() {
    QTemporaryDir dir;
    const std::string path = exportTinyModel(dir, "complete");
    const crisp::ModelReference ref = crisp::loadModelReference(path);
    QCOMPARE(ref.labelNames.size(), size_t{2});
    QVERIFY(ref.loadWarnings.empty());
  }

  // A base encoder evaluated with a random head gave a coin-flip accuracy and exit 0.
  void missingHeadIsAnError() {
    QTemporaryDir dir;
    const std::string path = exportTinyModel(dir, "base");
    rewriteTensors(path, [](crisp::StateDict& state) {
      crisp::StateDict base;
      for (auto& [key, tensor] : state) {
        if (key.rfind("distilbert.", 0) == 0) base.emplace_back(key.substr(11), tensor);
      }
      state = base;
    });
    const std::string error = errorOf([&] { crisp::loadModelReference(path); });
    QVERIFY2(contains(error, "model.safetensors: missing tensors") &&
                 contains(error, "classifier.weight"),
             error.c_str());
    // Fine-tuning the same encoder still starts a new head.
    const crisp::LoadedModel loaded = crisp::loadHuggingFaceDirectory(path);
    QVERIFY(loaded.report.baseModelCheckpoint);
    QVERIFY(!loaded.report.missing.empty());
  }

  // n_layers smaller than the checkpoint silently dropped layers with a warning.
  void fewerLayersThanTheCheckpointIsAnError() {
    QTemporaryDir dir;
    const std::string path = exportTinyModel(dir, "layers");
    crisp::ModelConfig config = tinyConfig();
    config.layers = 1;  // the weights have 2
    std::ofstream(path + "/config.json") << config.toJson().dump();
    const std::string error = errorOf([&] { crisp::loadModelReference(path); });
    QVERIFY2(contains(error, "the checkpoint has 2 layers but the config's n_layers is 1"),
             error.c_str());
    // Training from the truncated encoder stays possible (transformers warns, as we do).
    const crisp::LoadedModel loaded = crisp::loadHuggingFaceDirectory(path);
    QVERIFY(!loaded.report.unexpected.empty());
  }

  // Ids past the table would index outside it on the first rare word.
  void tokenizerLargerThanTheEmbeddingTableIsAnError() {
    QTemporaryDir dir;
    const std::string path = exportTinyModel(dir, "vocab");
    writeVocabulary(path, 80);
    const std::string error = errorOf([&] { crisp::loadModelReference(path); });
    QVERIFY2(contains(error,
                      "the tokenizer has 80 entries but the model's embedding table has 64 "
                      "rows"),
             error.c_str());
  }

  // NaN weights predicted "negative nan" and evaluated to "loss nan" with exit 0.
  void nonFiniteWeightsAreRefusedUnlessAllowed() {
    QTemporaryDir dir;
    const std::string path = exportTinyModel(dir, "nan");
    rewriteTensors(path, [](crisp::StateDict& state) {
      for (auto& [key, tensor] : state) {
        if (key == "classifier.weight") tensor[0][1] = std::numeric_limits<float>::quiet_NaN();
        if (key == "distilbert.transformer.layer.1.ffn.lin2.bias") {
          tensor[3] = -std::numeric_limits<float>::infinity();
        }
      }
    });
    const std::string error = errorOf([&] { crisp::loadModelReference(path); });
    QVERIFY2(contains(error,
                      "tensor \"distilbert.transformer.layer.1.ffn.lin2.bias\" holds 1 NaN "
                      "or infinite values") ||
                 contains(error, "tensor \"classifier.weight\" holds 1 NaN or infinite values"),
             error.c_str());
    crisp::LoadOptions forensic;
    forensic.allowNonFinite = true;
    const crisp::ModelReference ref = crisp::loadModelReference(path, std::nullopt, forensic);
    QVERIFY2(contains(ref.loadWarnings, "classifier.weight") &&
                 contains(ref.loadWarnings, "layer.1.ffn.lin2.bias"),
             ref.loadWarnings.c_str());
  }
};

QTEST_GUILESS_MAIN(TestModelReference)
#include "test_model_reference.moc"
