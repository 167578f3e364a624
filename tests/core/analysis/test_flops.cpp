#include <QtTest>

#include "core/analysis/flops.h"
#include "core/model/attention_policy.h"
#include "core/sys/error.h"

using crisp::AttentionKernel;
using crisp::AttentionPolicySpec;
using crisp::LayerFlops;
using crisp::ModelConfig;

namespace {

// hidden h = 4, heads H = 2 (d = 2), FFN f = 8, 2 layers, 2 labels; rows of T = 5, batch B = 2.
ModelConfig tinyConfig() {
  ModelConfig c = ModelConfig::preset("tiny", 100);
  c.hidden = 4;
  c.heads = 2;
  c.intermediate = 8;
  c.layers = 2;
  return c;
}
constexpr int64_t kT = 5, kB = 2;

}  // namespace

class TestFlops : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Every figure below is worked out by hand from the conventions in flops.h.
  void denseLayerByHand() {
    const LayerFlops l = crisp::layerFlops(tinyConfig(), kT, kB);
    QCOMPARE(l.projections, 1280.0);  // 2 * B*T * 4 * h*h = 2 * 10 * 4 * 16
    QCOMPARE(l.scores, 440.0);        // B*T*h (scaling) 40 + 2 * B*H*T*T*d = 2 * 2*2*5*5*2 = 400
    QCOMPARE(l.softmax, 300.0);       // 3 * B*H*T*T = 3 * 100
    QCOMPARE(l.context, 400.0);       // 2 * B*H*T*T*d
    QCOMPARE(l.ffn, 1280.0);          // 2 linears * 2 * B*T*h*f = 4 * 10 * 32
    QCOMPARE(l.keptKeys, 5.0);
    QCOMPARE(l.attentionCore(), 1140.0);
    QCOMPARE(l.total(), 3700.0);
  }

  void denseModelByHand() {
    const auto m = crisp::denseFlops(tinyConfig(), kT, kB);
    QCOMPARE(m.embeddings, 40.0);  // DistilBERT: word + position, one add per element, B*T*h
    QCOMPARE(m.head, 96.0);        // 2 * B * (h*h + h*labels) = 2 * 2 * (16 + 8)
    QCOMPARE(int(m.layers.size()), 2);
    QCOMPARE(m.total(), 40.0 + 2 * 3700.0 + 96.0);
    ModelConfig bert = tinyConfig();
    bert.architecture = crisp::Architecture::Bert;
    QCOMPARE(crisp::denseFlops(bert, kT, kB).embeddings, 80.0);  // + token types
  }

  void crispKeepsTheSameKeysAsThePolicy() {
    QCOMPARE(crisp::crispKeptKeys(5, 0.8), int64_t(1));  // (1 - 0.8) * 5 = 1.0000000000000002
    QCOMPARE(crisp::crispKeptKeys(5, 0.6), int64_t(2));
    QCOMPARE(crisp::crispKeptKeys(64, 0.8), int64_t(13));   // ceil(12.8)
    QCOMPARE(crisp::crispKeptKeys(128, 0.7), int64_t(39));  // ceil(38.4)
    QCOMPARE(crisp::crispKeptKeys(3, 0.99), int64_t(1));    // never an empty row
    QCOMPARE(crisp::crispKeptKeys(10, 0.0), int64_t(10));
  }

  // crisp:0.6 on T = 5 keeps k = 2 keys per row.
  void crispUnderEachKernelByHand() {
    const auto policy = AttentionPolicySpec::parse("crisp:0.6");
    const auto implemented =
        crisp::policyFlops(tinyConfig(), kT, kB, policy, AttentionKernel::AsImplemented);
    QCOMPARE(implemented.layers[0].keptKeys, 2.0);
    QCOMPARE(implemented.layers[0].total(), 3700.0);  // no saving: dense products on zeros

    const auto afterScores =
        crisp::policyFlops(tinyConfig(), kT, kB, policy, AttentionKernel::SparseAfterScores);
    const LayerFlops& a = afterScores.layers[1];
    QCOMPARE(a.scores, 440.0);   // every score is still computed
    QCOMPARE(a.softmax, 120.0);  // 3 * B*H*T*k = 3 * 2*2*5*2
    QCOMPARE(a.context, 160.0);  // 2 * B*H*T*k*d = 2 * 2*2*5*2*2
    QCOMPARE(a.total(), 3280.0);

    const auto ideal =
        crisp::policyFlops(tinyConfig(), kT, kB, policy, AttentionKernel::IdealSparse);
    const LayerFlops& i = ideal.layers[0];
    QCOMPARE(i.scores, 200.0);  // 40 scaling + 2 * B*H*T*k*d = 160
    QCOMPARE(i.total(), 3040.0);
    QCOMPARE(ideal.embeddings, 40.0);  // embeddings and head do not depend on the policy
    QCOMPARE(ideal.head, 96.0);
  }

  void expectedKeptKeysPerPolicy() {
    const auto kept = [](const char* policy, std::vector<double> measured = {}) {
      return crisp::expectedKeptKeys(AttentionPolicySpec::parse(policy), 2, kT, measured);
    };
    QCOMPARE(kept("dense"), std::vector<double>({5, 5}));
    QCOMPARE(kept("crisp:0.8"), std::vector<double>({1, 1}));
    QCOMPARE(kept("nodiag"), std::vector<double>({4, 4}));
    QCOMPARE(kept("nodiag+crisp:0.6"), std::vector<double>({2, 2}));  // ceil(0.4 * 4)
    // Layer 0 at s = 0.4 keeps ceil(3) = 3, layer 1 at s = 0.6 keeps 2.
    QCOMPARE(kept("ramp:0.5:0.1"), std::vector<double>({3, 2}));
    QCOMPARE(kept("layers:0.2,0.8"), std::vector<double>({4, 1}));
    // |i - j| <= 1 on 5 tokens: rows keep 2, 3, 3, 3, 2 keys.
    QCOMPARE(kept("window:1"), std::vector<double>({2.6, 2.6}));
    // ... then crisp:0.5 keeps ceil(1), ceil(1.5) x3, ceil(1) = 1, 2, 2, 2, 1.
    QCOMPARE(kept("window:1+crisp:0.5"), std::vector<double>({1.6, 1.6}));
    // Data-dependent policies need a measurement, per layer or one for all.
    QVERIFY_THROWS_EXCEPTION(crisp::Error, kept("topp:0.9"));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, kept("dam:0.001"));
    QCOMPARE(kept("topp:0.9", {0.4}), std::vector<double>({2, 2}));
    QCOMPARE(kept("dam:0.001", {0.2, 0.6}), std::vector<double>({1, 3}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, kept("topp:0.9", {0.4, 0.4, 0.4}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, kept("topp:0.9", {0.0}));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, kept("topp:0.9", {1.5}));
  }

  void measuredFractionPricesTopP() {
    const auto m = crisp::policyFlops(tinyConfig(), kT, kB, AttentionPolicySpec::parse("topp:0.9"),
                                      AttentionKernel::SparseAfterScores, {0.4});
    QCOMPARE(m.layers[0].total(), 3280.0);  // 2 of 5 keys, as crisp:0.6 above
  }

  // distilbert-base, one row of 128 tokens: 2*128*4*768^2 + (128*768 + 2*12*128*128*64)
  // + 3*12*128*128 + 2*12*128*128*64 + 4*128*768*3072.
  void distilbertBaseLayer() {
    const auto config = ModelConfig::preset("distilbert-base", 30522);
    const LayerFlops l = crisp::layerFlops(config, 128, 1);
    QCOMPARE(l.projections, 603979776.0);
    QCOMPARE(l.scores, 25264128.0);
    QCOMPARE(l.softmax, 589824.0);
    QCOMPARE(l.context, 25165824.0);
    QCOMPARE(l.ffn, 1207959552.0);
    QCOMPARE(l.total(), 1862959104.0);
  }

  void tableListsEachPolicy() {
    const std::string table =
        crisp::flopsTable(ModelConfig::preset("distilbert-base", 30522), 128, 1,
                          {"dense", "crisp:0.6", "crisp:0.7", "crisp:0.8"});
    for (const char* row : {"| dense | 128.00 |", "| crisp:0.6 | 52.00 |", "| crisp:0.7 | 39.00 |",
                            "| crisp:0.8 | 26.00 |"}) {
      QVERIFY2(table.find(row) != std::string::npos, row);
    }
    QVERIFY(table.find("| 1.8630 | 0.0%") != std::string::npos);  // dense, as implemented
  }

  void rejectsBadShapes() {
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::layerFlops(tinyConfig(), 0, 1));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, crisp::layerFlops(tinyConfig(), 4, 0));
  }
};

QTEST_APPLESS_MAIN(TestFlops)
#include "test_flops.moc"
