#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/serialize.h>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/model/classifier.h"
#include "core/model/hf_checkpoint.h"
#include "core/model/hf_export.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "tests/core/test_support.h"

using crisp::ModelConfig;

namespace {

int64_t parameterCount(torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

std::pair<at::Tensor, at::Tensor> paddedBatch() {
  at::Tensor ids = at::tensor({2, 17, 23, 5, 3, 2, 40, 3, 0, 0}, at::kLong).view({2, 5});
  at::Tensor mask = (ids != 0).to(at::kLong);
  return {ids, mask};
}

ModelConfig tinyConfig(crisp::Architecture architecture) {
  ModelConfig c = ModelConfig::preset("tiny", 64);
  c.architecture = architecture;
  c.maxPositions = 32;
  return c;
}

}  // namespace

class TestClassifier : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesTheRealDistilBertConfig() {
    const QString path = QStringLiteral(CRISP_SHARED_DIR) +
                         "/data/bert-base-uncased/distilbert-base-uncased-sst2.config.json";
    if (!QFile::exists(path)) QSKIP("../shared/data is absent");
    const ModelConfig c = ModelConfig::fromFile(path.toStdString());
    QCOMPARE(c.architecture, crisp::Architecture::DistilBert);
    QCOMPARE(c.hidden, 768);
    QCOMPARE(c.layers, 6);
    QCOMPARE(c.heads, 12);
    QCOMPARE(c.intermediate, 3072);
    QCOMPARE(c.vocabSize, 30522);
    QCOMPARE(c.classifierDropout, 0.2);
    QCOMPARE(c.numLabels, 2);
  }

  void presetsHaveHuggingFaceParameterCounts() {
    // DistilBertForSequenceClassification / BertForSequenceClassification of the base models.
    auto distil = crisp::makeClassifier(ModelConfig::preset("distilbert-base", 30522));
    QCOMPARE(parameterCount(*distil), int64_t{66955010});
    ModelConfig bert = ModelConfig::preset("distilbert-base", 30522);
    bert.architecture = crisp::Architecture::Bert;
    bert.layers = 12;
    QCOMPARE(parameterCount(*crisp::makeClassifier(bert)), int64_t{109483778});
    QVERIFY_THROWS_EXCEPTION(crisp::Error, ModelConfig::preset("huge", 100));
  }

  void initialisesLikeHuggingFace() {
    auto model = crisp::makeClassifier(ModelConfig::preset("small", 2000));
    auto params = model->named_parameters();
    const at::Tensor word = params["distilbert.embeddings.word_embeddings.weight"];
    QVERIFY(qAbs(word.std().item<double>() - 0.02) < 0.002);
    QCOMPARE(word[0].abs().max().item<float>(), 0.0f);  // the padding row
    QCOMPARE(params["distilbert.embeddings.LayerNorm.weight"].min().item<float>(), 1.0f);
    QCOMPARE(params["classifier.bias"].abs().max().item<float>(), 0.0f);
  }

  void capturesAttentionOnlyWhenAsked() {
    for (auto arch : {crisp::Architecture::DistilBert, crisp::Architecture::Bert}) {
      auto model = crisp::makeClassifier(tinyConfig(arch));
      model->eval();
      model->setPolicy(crisp::AttentionPolicySpec::parse("crisp:0.5"));
      auto [ids, mask] = paddedBatch();
      at::NoGradGuard noGrad;
      QVERIFY(model->forward(ids, mask).attention.empty());
      crisp::ForwardOptions options;
      options.captureAttention = true;
      const auto out = model->forward(ids, mask, options);
      QCOMPARE(out.logits.sizes(), (at::IntArrayRef{2, 2}));
      QCOMPARE(static_cast<int>(out.attention.size()), 2);
      QCOMPARE(out.attention[1].after.sizes(), (at::IntArrayRef{2, 2, 5, 5}));
      QVERIFY(!at::equal(out.attention[0].before, out.attention[0].after));
      QVERIFY(at::allclose(out.attention[0].before.sum(-1), at::ones({2, 2, 5})));
    }
  }

  // Without captures the last layer computes only the [CLS] row, the one the classifier reads.
  // Capturing hidden states runs every position: both must give the same logits and the same
  // gradient on every parameter, for each architecture and each kind of policy term (the
  // structural masks and DAM are cut to the first query row).
  void lastLayerOnTheClsRowMatchesTheFullLayer() {
    const char* policies[] = {"dense",        "crisp:0.5",         "nodiag+crisp:0.5",
                              "fixed:4",      "block:4+crisp:0.5", "bigbird:1:1:2:7",
                              "topp:0.9",     "longformer:2:1",    "star",
                              "ramp:0.7:0.2", "dam:0.01",          "dam:0.01:structured:per-layer"};
    for (auto arch : {crisp::Architecture::DistilBert, crisp::Architecture::Bert}) {
      ModelConfig config = tinyConfig(arch);
      config.dropout = config.attentionDropout = config.classifierDropout = 0;
      for (const char* policy : policies) {
        const QByteArray what =
            QByteArray(policy) + (arch == crisp::Architecture::Bert ? " (BERT)" : " (DistilBERT)");
        auto model = crisp::makeClassifier(config);
        model->setPolicy(crisp::AttentionPolicySpec::parse(policy));
        model->train();
        auto [ids, mask] = paddedBatch();
        const auto run = [&](bool everyPosition) {
          model->zero_grad();
          crisp::ForwardOptions options;
          options.captureHiddenStates = everyPosition;
          at::manual_seed(11);  // the same DAM sample in both
          const auto out = model->forward(ids, mask, options);
          at::Tensor loss = out.logits.pow(2).sum();
          if (out.regularizer.defined()) loss = loss + out.regularizer;
          loss.backward();
          std::vector<at::Tensor> grads{out.logits.detach()};
          for (const auto& p : model->parameters()) {
            grads.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
          }
          return grads;
        };
        const std::vector<at::Tensor> row = run(false), full = run(true);
        QCOMPARE(row.size(), full.size());
        for (size_t i = 0; i < row.size(); ++i) {
          const double scale = std::max(1.0, full[i].abs().max().item<double>());
          const double diff = (row[i] - full[i]).abs().max().item<double>();
          QVERIFY2(diff <= 1e-5 * scale,
                   (what + (i == 0 ? " logits" : " gradient " + QByteArray::number(int(i))) +
                    " differ by " + QByteArray::number(diff))
                       .constData());
        }
        QVERIFY2(row[0].abs().sum().item<double>() > 0, what.constData());
      }
    }
  }

  void damLogitsReceiveGradientAndFreeze() {
    for (const char* policy : {"dam:0.01", "dam:0.01:structured:per-layer"}) {
      auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::DistilBert));
      model->setPolicy(crisp::AttentionPolicySpec::parse(policy));
      QVERIFY(model->dam() != nullptr);
      const bool structured = model->policy().dam().structured;
      QCOMPARE(model->dam()->logits.dim(), structured ? int64_t{3} : int64_t{4});
      model->train();
      auto [ids, mask] = paddedBatch();
      const auto out = model->forward(ids, mask);
      QVERIFY(out.regularizer.defined());
      (out.logits.sum() + out.regularizer).backward();
      const at::Tensor grad = model->dam()->logits.grad();
      QVERIFY2(grad.defined() && grad.abs().sum().item<double>() > 0, policy);

      // Frozen: a fixed binary pattern, no gradient, no regularizer, deterministic.
      model->freezeDam();
      QVERIFY(!model->dam()->logits.requires_grad());
      QVERIFY(model->policy().toString().find(":frozen") != std::string::npos);
      model->eval();
      at::NoGradGuard noGrad;
      crisp::ForwardOptions capture;
      capture.captureAttention = true;
      const auto a = model->forward(ids, mask, capture);
      const auto b = model->forward(ids, mask, capture);
      QVERIFY(at::equal(a.logits, b.logits));
      QVERIFY(!a.regularizer.defined());
      QVERIFY(!at::isnan(a.logits).any().item<bool>());
    }
  }

  // Without the penalty (lambda 0) the mask's logits learn from the classification loss alone:
  // its gradient reaches them through the kept scores (SparseBERT's straight-through), and the
  // forward pass is the same as with the mask applied as a constant.
  void damLogitsLearnFromTheTaskLoss() {
    for (const char* policy : {"dam:0", "dam:0:structured:per-layer"}) {
      auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::DistilBert));
      model->setPolicy(crisp::AttentionPolicySpec::parse(policy));
      model->train();
      auto [ids, mask] = paddedBatch();
      at::manual_seed(3);
      const auto out = model->forward(ids, mask);
      out.logits.pow(2).sum().backward();
      const at::Tensor grad = model->dam()->logits.grad();
      QVERIFY2(grad.defined() && grad.abs().sum().item<double>() > 0, policy);

      model->dam()->logits.set_requires_grad(false);  // the same mask sample, as a constant
      at::manual_seed(3);
      const auto constant = model->forward(ids, mask);
      QVERIFY2(at::equal(out.logits, constant.logits), policy);
    }
  }

  void damIsNotExportedUnderHuggingFaceNames() {
    auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::Bert));
    model->setPolicy(crisp::AttentionPolicySpec::parse("dam:0.001"));
    for (const auto& [name, tensor] : model->huggingFaceParameters()) {
      QVERIFY2(name.rfind("crisp_dam", 0) != 0, name.c_str());
    }
    model->setPolicy(crisp::AttentionPolicySpec::parse("dense"));
    QVERIFY(model->dam() == nullptr);
    QVERIFY(model->named_parameters().find("crisp_dam.logits") == nullptr);
  }

  void exportThenLoadGivesIdenticalLogits() {
    QTemporaryDir dir;
    for (auto arch : {crisp::Architecture::DistilBert, crisp::Architecture::Bert}) {
      auto model = crisp::makeClassifier(tinyConfig(arch));
      model->setPolicy(crisp::AttentionPolicySpec::parse("nodiag+crisp:0.6"));
      model->eval();
      const std::string path =
          dir.filePath(QString::fromStdString(crisp::architectureName(arch))).toStdString();
      crisp::exportHuggingFaceDirectory(*model, path);
      auto loaded = crisp::loadHuggingFaceDirectory(path);
      QVERIFY(loaded.report.missing.empty());
      QVERIFY(loaded.report.unexpected.empty());
      loaded.model->setPolicy(model->policy());
      loaded.model->eval();
      auto [ids, mask] = paddedBatch();
      at::NoGradGuard noGrad;
      QVERIFY(at::equal(model->forward(ids, mask).logits, loaded.model->forward(ids, mask).logits));
      // config.json is what transformers expects
      std::ifstream in(path + "/config.json");
      const auto config = nlohmann::json::parse(in);
      QVERIFY(config["architectures"].is_array());
      QCOMPARE(config["id2label"]["1"].get<std::string>(), std::string("POSITIVE"));
      QCOMPARE(config["label2id"]["NEGATIVE"].get<int>(), 0);
      QCOMPARE(crisp::readSafeTensors(path + "/model.safetensors").metadata.at("format"),
               std::string("pt"));
    }
  }

  // What transformers needs besides the weights: problem_type and transformers_version, and for
  // a policy that prunes in evaluation the remote code (auto_map + crisp_attention) when
  // modeling_crisp.py expresses it; bigbird's random keys it does not, and that is said.
  void exportWritesRemoteCodeOnlyWhereThePolicyNeedsIt() {
    QTemporaryDir dir;
    struct Case {
      const char* policy;
      bool needed, supported;
    };
    for (const Case& c :
         {Case{"dense", false, false}, Case{"train-only+crisp:0.8", false, false},
          Case{"nodiag+window:2+crisp:0.6", true, true}, Case{"ramp:0.5:0.2", true, true},
          Case{"topp:0.9", true, true}, Case{"dam:0.01:structured", true, true},
          Case{"bigbird:2:1:2+crisp:0.5", true, false}}) {
      auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::Bert));
      model->setPolicy(crisp::AttentionPolicySpec::parse(c.policy));
      const std::string path = dir.filePath(QString::fromLatin1(c.policy)).toStdString();
      crisp::RemoteAttention remote;
      const std::vector<std::string> written =
          crisp::exportHuggingFaceDirectory(*model, path, {"neg", "pos"}, &remote);
      QCOMPARE(remote.needed, c.needed);
      QCOMPARE(remote.supported, c.supported);
      const auto config = nlohmann::json::parse(std::ifstream(path + "/config.json"));
      QCOMPARE(config.at("problem_type").get<std::string>(),
               std::string("single_label_classification"));
      QCOMPARE(config.at("transformers_version").get<std::string>(),
               std::string(crisp::kVerifiedTransformersVersion));
      QCOMPARE(config.at("id2label").at("1").get<std::string>(), std::string("pos"));
      QCOMPARE(config.contains("auto_map"), c.supported);
      QCOMPARE(std::filesystem::exists(path + "/modeling_crisp.py"), c.supported);
      QCOMPARE(std::count(written.begin(), written.end(), "modeling_crisp.py"),
               c.supported ? 1L : 0L);
      if (c.needed && !c.supported) QVERIFY(remote.reason.find("bigbird") != std::string::npos);
      if (std::string(c.policy) == "ramp:0.5:0.2") {
        const auto sparsity = config.at("crisp_attention").at("selection").at("sparsity");
        QCOMPARE(sparsity.size(), size_t(tinyConfig(crisp::Architecture::Bert).layers));
        QCOMPARE(sparsity.front().get<double>(), 0.3);
      }
      // A learned mask's logits travel with the weights, and crisp reads them back.
      const bool dam = crisp::startsWith(c.policy, "dam");
      const auto tensors = crisp::readSafeTensors(path + "/model.safetensors").tensors;
      QCOMPARE(std::any_of(tensors.begin(), tensors.end(),
                           [](const auto& t) { return t.first == "crisp_dam.logits"; }),
               dam);
      if (dam) {
        at::NoGradGuard noGrad;
        model->named_parameters()["crisp_dam.logits"].uniform_(-1, 1);
        crisp::exportHuggingFaceDirectory(*model, path, {"neg", "pos"});
        auto loaded = crisp::loadHuggingFaceDirectory(path, {true, false});
        QVERIFY(at::equal(loaded.model->named_parameters()["crisp_dam.logits"],
                          model->named_parameters()["crisp_dam.logits"]));
      }
    }
    QVERIFY(crisp::remoteModelingCode().find("class CrispBertForSequenceClassification") !=
            std::string::npos);
  }

  void shapeContradictingConfigNamesTheTensor() {
    QTemporaryDir dir;
    auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::DistilBert));
    const std::string path = dir.filePath(QStringLiteral("m")).toStdString();
    crisp::exportHuggingFaceDirectory(*model, path);
    // Rewrite config.json with a larger vocabulary than the weights have.
    auto config = model->config();
    config.vocabSize = 65;
    std::ofstream(path + "/config.json") << config.toJson().dump();
    try {
      crisp::loadHuggingFaceDirectory(path);
      QFAIL("loaded weights that contradict config.json");
    } catch (const crisp::Error& e) {
      QVERIFY2(QString::fromUtf8(e.what()).contains("distilbert.embeddings.word_embeddings.weight"),
               e.what());
    }
  }

  void badConfigsAreClearErrors() {
    QTemporaryDir dir;
    const auto write = [&](const char* text) {
      const QString p = dir.filePath(QStringLiteral("config.json"));
      QFile f(p);
      f.open(QIODevice::WriteOnly | QIODevice::Truncate);
      f.write(text);
      return p.toStdString();
    };
    const auto expectError = [&](const char* text, const char* needle) {
      try {
        ModelConfig::fromFile(write(text));
        QFAIL(text);
      } catch (const crisp::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String(needle)), e.what());
      }
    };
    expectError("{\"model_type\": \"distilbert\",", "invalid JSON");
    expectError("{\"model_type\": \"gpt2\"}", "gpt2");
    expectError("{\"model_type\": \"distilbert\", \"dim\": 100, \"n_heads\": 12}", "multiple");
    expectError("{\"model_type\": \"bert\", \"hidden_size\": \"big\"}", "hidden_size");
    expectError("{\"model_type\": \"distilbert\", \"id2label\": {\"0\": \"a\", \"2\": \"b\"}}",
                "id2label");
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::loadHuggingFaceDirectory("/nonexistent/model"));
  }

  // num_labels alone made a billion label names before any check.
  void hugeLabelCountsAreRefusedBeforeNamingEachLabel() {
    for (const std::string count : {"1000000", "1000000000"}) {
      const std::string error = crisp::test::errorOf([&] {
        ModelConfig::fromJson(
            nlohmann::json::parse("{\"model_type\": \"distilbert\", \"num_labels\": " + count +
                                  "}"),
            "big/config.json");
      });
      QVERIFY2(crisp::test::contains(error, "big/config.json: num_labels " + count + " exceeds"),
               error.c_str());
    }
  }

  // get<int> wrapped a vocab_size of 2^32+105 to 105 and truncated 105.7 to 105.
  void numbersAreReadAsTheirExactType() {
    for (const std::string field : {"\"vocab_size\": 4294967401", "\"vocab_size\": 105.7",
                                    "\"pad_token_id\": 0.5", "\"n_layers\": 2.5"}) {
      const std::string error = crisp::test::errorOf([&] {
        ModelConfig::fromJson(
            nlohmann::json::parse("{\"model_type\": \"distilbert\", " + field + "}"),
            "m/config.json");
      });
      const std::string key = field.substr(0, field.find(':'));
      const std::string value = field.substr(field.find(':') + 2);
      QVERIFY2(crisp::test::contains(error, "m/config.json: field " + key +
                                                ": expected an integer from -2147483648 to "
                                                "2147483647, got " +
                                                value),
               error.c_str());
    }
  }

  // A vocab_size of two billion is a valid int: it ended in std::bad_alloc at the embedding.
  void sizesBeyondTheMachinesMemoryAreRefusedBeforeAllocating() {
    const std::string error = crisp::test::errorOf([] {
      ModelConfig::fromJson(nlohmann::json::parse(R"({"model_type": "distilbert",
                                                      "vocab_size": 2000000000})"),
                            "huge/config.json");
    });
    QVERIFY2(crisp::test::contains(error,
                                   "huge/config.json: vocab_size 2000000000, hidden size "
                                   "768, 6 layers and intermediate size 3072 describe"),
             error.c_str());
    QVERIFY2(crisp::test::contains(error, "GB of memory"), error.c_str());
    // distilbert-base itself: 66,955,010 parameters with a 2-label head, as transformers counts.
    QCOMPARE(ModelConfig::preset("distilbert-base", 30522).parameterCount(), 66955010.0);
  }

  // A flipped bit in pytorch_model.bin loaded silently: LibTorch's zip reader skips the CRC-32.
  void corruptPytorchBinIsRefused() {
    QTemporaryDir dir;
    c10::Dict<std::string, at::Tensor> dict;
    dict.insert("classifier.weight", at::full({16}, 1.25f));
    dict.insert("classifier.bias", at::zeros({2}));
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
    const std::string path = dir.filePath(QStringLiteral("pytorch_model.bin")).toStdString();
    const auto write = [&](const std::vector<char>& data) {
      std::ofstream(path, std::ios::binary)
          .write(data.data(), static_cast<std::streamsize>(data.size()));
    };
    write(bytes);
    QCOMPARE(crisp::readStateDict(path).size(), size_t{2});
    // The lowest mantissa bit of the first 1.25f (00 00 a0 3f): the value becomes 1.2500001.
    const char pattern[] = {0, 0, static_cast<char>(0xa0), 0x3f};
    const auto at = std::search(bytes.begin(), bytes.end(), pattern, pattern + 4);
    QVERIFY(at != bytes.end());
    std::vector<char> corrupt = bytes;
    corrupt[static_cast<size_t>(at - bytes.begin())] ^= 1;
    write(corrupt);
    const std::string error = crisp::test::errorOf([&] { crisp::readStateDict(path); });
    QVERIFY2(crisp::test::contains(error, path + ": record \"") &&
                 crisp::test::contains(error, "CRC-32 mismatch"),
             error.c_str());
  }

  // A pytorch_model.bin with intact CRCs whose pickle declares a memo index of 2^32 - 16 or a
  // 4 GB string: LibTorch's unpickler allocated what they said (12 GB for the input
  // fuzz/state_dict_fuzzer found) before finding the data missing. One whose BUILD finds a
  // single value on the stack, or whose TUPLE has no MARK: it popped regardless, corrupting the
  // heap (the fuzzer's second finding, an invalid free).
  void malformedPicklesAreRefusedBeforeLibTorch() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("pytorch_model.bin")).toStdString();
    const auto write = [&](const std::string& pickle) {
      std::ofstream out(path, std::ios::binary);
      caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t size) {
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
        return size;
      });
      writer.writeRecord("data.pkl", pickle.data(), pickle.size());
      writer.writeEndOfFile();
    };
    using namespace std::string_literals;
    write("\x80\x02}q\x00."s);  // {} and its memo entry 0, as Python writes it
    QCOMPARE(crisp::readStateDict(path).size(), size_t{0});
    for (const auto& [pickle, expected] :
         {std::pair{"\x80\x02}r\xf0\xff\xff\xff."s,
                    "at byte 3: memo index 4294967280 after only 3 opcodes"},
          std::pair{"\x80\x02X\xff\xff\xff\xff."s,
                    "at byte 2: a length of 4294967295 bytes, past the end"},
          std::pair{"\x80\x02}b."s, "at byte 3: opcode 'b' takes 2 values from a stack"},
          std::pair{"\x80\x02}t."s, "at byte 3: opcode 't' without its MARK"}}) {
      write(pickle);
      const std::string error = crisp::test::errorOf([&] { crisp::readStateDict(path); });
      QVERIFY2(crisp::test::contains(error, "data.pkl\": malformed pickle ") &&
                   crisp::test::contains(error, expected),
               error.c_str());
    }
  }

  void missingEncoderTensorIsAnError() {
    QTemporaryDir dir;
    auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::DistilBert));
    const std::string path = dir.filePath(QStringLiteral("damaged")).toStdString();
    crisp::exportHuggingFaceDirectory(*model, path);
    crisp::StateDict state = crisp::readSafeTensors(path + "/model.safetensors").tensors;
    state.erase(std::remove_if(state.begin(), state.end(),
                               [](const auto& kv) {
                                 return kv.first.find("layer.1.ffn.lin2.weight") !=
                                        std::string::npos;
                               }),
                state.end());
    crisp::writeSafeTensors(path + "/model.safetensors", state);
    try {
      crisp::loadHuggingFaceDirectory(path);
      QFAIL("loaded a checkpoint that lacks an encoder tensor");
    } catch (const crisp::Error& e) {
      QVERIFY2(
          QString::fromUtf8(e.what()).contains("distilbert.transformer.layer.1.ffn.lin2.weight"),
          e.what());
    }
  }

  void missingHeadIsFreshAndReported() {
    QTemporaryDir dir;
    auto model = crisp::makeClassifier(tinyConfig(crisp::Architecture::Bert));
    const std::string path = dir.filePath(QStringLiteral("base")).toStdString();
    std::filesystem::create_directories(path);
    std::ofstream(path + "/config.json") << model->config().toJson().dump();
    crisp::StateDict base;
    for (const auto& item : model->named_parameters()) {
      if (item.key().rfind("bert.", 0) == 0) base.emplace_back(item.key().substr(5), item.value());
    }
    base.emplace_back("cls.predictions.bias", at::zeros({64}));
    crisp::writeSafeTensors(path + "/model.safetensors", base);
    const auto loaded = crisp::loadHuggingFaceDirectory(path);
    QVERIFY(loaded.report.baseModelCheckpoint);
    QCOMPARE(loaded.report.missing,
             (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
    QCOMPARE(loaded.report.unexpected, (std::vector<std::string>{"cls.predictions.bias"}));
    const std::string text = loaded.report.describe("BertForSequenceClassification");
    QVERIFY(text.find("newly initialized") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestClassifier)
#include "test_classifier.moc"
