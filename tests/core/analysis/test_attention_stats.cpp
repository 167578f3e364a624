// Attention statistics and aggregations against values worked out by hand, and the plain-array
// rollout against core's tensor rollout.
#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>

#include "core/analysis/attention_stats.h"
#include "core/train/predictor.h"

using namespace crisp::analysis;

class TestAttentionStats : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void entropyKeptFractionAndDiagonal() {
    // Row 0 spreads evenly over two keys (ln 2 nats), row 1 is one-hot (0 nats, a pruned key).
    const float pruned[] = {0.5f, 0.5f, 1.0f, 0.0f};
    const HeadStatistics s = headStatistics(pruned, 2);
    QCOMPARE_LE(std::abs(s.entropy - std::log(2.0) / 2), 1e-9);
    QCOMPARE(s.keptFraction, 0.75);
    QCOMPARE(s.diagonalMass, 0.25);  // (0.5 + 0) / 2

    const float third = 1.0f / 3;
    const float uniform[] = {third, third, third, third, third, third, third, third, third};
    const HeadStatistics u = headStatistics(uniform, 3);
    QCOMPARE_LE(std::abs(u.entropy - std::log(3.0)), 1e-6);
    QCOMPARE(u.keptFraction, 1.0);
    QCOMPARE_LE(std::abs(u.diagonalMass - 1.0 / 3), 1e-7);

    QCOMPARE(rowEntropy(pruned + 2, 2), 0.0);
  }

  void statisticsOfEveryHeadInOrder() {
    // layers 2 x heads 1 x [2, 2]: layer 0 the identity, layer 1 the pruned matrix above.
    const float maps[] = {1, 0, 0, 1, 0.5f, 0.5f, 1, 0};
    const auto all = allHeadStatistics(maps, 2, 1, 2);
    QCOMPARE(all.size(), size_t{2});
    QCOMPARE(all[0].diagonalMass, 1.0);
    QCOMPARE(all[0].entropy, 0.0);
    QCOMPARE(all[0].keptFraction, 0.5);
    QCOMPARE(all[1].keptFraction, 0.75);
  }

  void meanOverHeadsAveragesEachCell() {
    const float heads[] = {1, 0, 0, 1, 0, 1, 1, 0};
    const std::vector<float> mean = meanOverHeads(heads, 2, 2);
    QCOMPARE(mean, (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
  }

  void rolloutByHand() {
    // A = [[.5,.5],[1,0]] -> 0.5 A + 0.5 I = [[.75,.25],[.5,.5]] (rows already sum to 1).
    const float one[] = {0.5f, 0.5f, 1.0f, 0.0f, 0.5f, 0.5f, 1.0f, 0.0f};
    const std::vector<float> r1 = attentionRollout(one, 2, 1, 2, 0);
    const std::vector<float> expected1 = {0.75f, 0.25f, 0.5f, 0.5f};
    for (int i = 0; i < 4; ++i) QCOMPARE_LE(std::abs(r1[i] - expected1[i]), 1e-7f);
    // Two layers: the square of that matrix.
    const std::vector<float> r2 = attentionRollout(one, 2, 1, 2);
    const std::vector<float> expected2 = {0.6875f, 0.3125f, 0.625f, 0.375f};
    for (int i = 0; i < 4; ++i) QCOMPARE_LE(std::abs(r2[i] - expected2[i]), 1e-7f);
  }

  void rolloutEqualsCoresTensorRollout() {
    at::manual_seed(3);
    const int layers = 3, heads = 4, length = 7;
    std::vector<at::Tensor> tensors;
    std::vector<float> flat;
    for (int l = 0; l < layers; ++l) {
      const at::Tensor t = at::softmax(at::randn({heads, length, length}), -1).contiguous();
      tensors.push_back(t);
      flat.insert(flat.end(), t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    }
    const at::Tensor expected = crisp::attentionRollout(tensors).contiguous();
    const std::vector<float> got = attentionRollout(flat.data(), layers, heads, length);
    QCOMPARE(static_cast<int64_t>(got.size()), expected.numel());
    for (size_t i = 0; i < got.size(); ++i) {
      QCOMPARE_LE(std::abs(got[i] - expected.data_ptr<float>()[i]), 1e-5f);
    }
  }
};

QTEST_MAIN(TestAttentionStats)
#include "test_attention_stats.moc"
