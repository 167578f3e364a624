#include <QtTest>

#include <torch/serialize.h>
#include <torch/types.h>
// clip_grad.h uses torch::Tensor without including what declares it.
#include <torch/nn/utils/clip_grad.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/model/classifier.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/torch_compat.h"
#include "core/train/fused_adamw.h"

using namespace crisp;

namespace {

// Parameters of awkward sizes: a matrix larger than one parallel task (so it is split across
// threads), an odd-length vector (vector remainder lanes) and a scalar.
std::vector<at::Tensor> makeParameters(uint64_t seed) {
  at::manual_seed(seed);
  std::vector<at::Tensor> out{at::randn({300, 257}), at::randn({1001}), at::randn({1})};
  for (auto& p : out) p.set_requires_grad(true);
  return out;
}

std::vector<at::Tensor> cloneParameters(const std::vector<at::Tensor>& from) {
  std::vector<at::Tensor> out;
  for (const auto& p : from) out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Two groups as the trainer builds them: with weight decay, and without (biases, LayerNorm).
template <class Optimizer>
Optimizer makeOptimizer(const std::vector<at::Tensor>& params) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto decay = std::make_unique<torch::optim::AdamWOptions>(1e-2);
  decay->weight_decay(0.01).eps(1e-8).betas({0.9, 0.999});
  groups.emplace_back(std::vector<at::Tensor>{params[0]}, std::move(decay));
  auto noDecay = std::make_unique<torch::optim::AdamWOptions>(1e-2);
  noDecay->weight_decay(0.0).eps(1e-8).betas({0.9, 0.999});
  groups.emplace_back(std::vector<at::Tensor>{params[1], params[2]}, std::move(noDecay));
  return Optimizer(std::move(groups), torch::optim::AdamWOptions(1e-2));
}

void setGradients(const std::vector<at::Tensor>& params, uint64_t seed, double scale = 1.0) {
  at::manual_seed(seed);
  for (const auto& p : params) p.mutable_grad() = at::randn(p.sizes()) * scale;
}

// Float32 rounding in a different order (fused multiply-adds, one division instead of two)
// drifts by a few ulps per step; anything beyond that is a wrong update.
void compareTensors(const at::Tensor& actual, const at::Tensor& expected, const char* what) {
  const double diff = (actual.cpu() - expected).abs().max().item<double>();
  const double size = expected.abs().max().item<double>();
  if (diff > 1e-5 * std::max(1.0, size)) {
    QFAIL(qPrintable(QString("%1 differs by %2 (max magnitude %3)").arg(what).arg(diff).arg(size)));
  }
}

void compareState(torch::optim::Optimizer& actual, torch::optim::Optimizer& expected,
                  const std::vector<at::Tensor>& actualParams,
                  const std::vector<at::Tensor>& expectedParams) {
  for (size_t i = 0; i < actualParams.size(); ++i) {
    compareTensors(actualParams[i], expectedParams[i], "parameter");
    const auto& a = static_cast<torch::optim::AdamWParamState&>(
        *actual.state().at(torch_compat::optimizerStateKey(actualParams[i])));
    const auto& e = static_cast<torch::optim::AdamWParamState&>(
        *expected.state().at(torch_compat::optimizerStateKey(expectedParams[i])));
    QCOMPARE(a.step(), e.step());
    compareTensors(a.exp_avg(), e.exp_avg(), "exp_avg");
    compareTensors(a.exp_avg_sq(), e.exp_avg_sq(), "exp_avg_sq");
  }
}

}  // namespace

class TestFusedAdamW : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void matchesLibTorchAdamWOverManySteps() {
    const auto fusedParams = makeParameters(1);
    const auto torchParams = cloneParameters(fusedParams);
    auto fused = makeOptimizer<FusedAdamW>(fusedParams);
    auto reference = makeOptimizer<torch::optim::AdamW>(torchParams);
    for (int s = 0; s < 25; ++s) {
      // A changing learning rate, as the trainer's schedule sets it.
      for (auto* opt : {static_cast<torch::optim::Optimizer*>(&fused),
                        static_cast<torch::optim::Optimizer*>(&reference)}) {
        for (auto& group : opt->param_groups()) group.options().set_lr(1e-2 * (1.0 - s / 30.0));
      }
      setGradients(fusedParams, 100 + s);
      setGradients(torchParams, 100 + s);
      fused.step();
      reference.step();
    }
    compareState(fused, reference, fusedParams, torchParams);
    // It moved: a test that compares two optimizers that did nothing would pass too.
    QVERIFY((fusedParams[0] - makeParameters(1)[0]).abs().max().item<double>() > 1e-2);
  }

  // The update rounds after each operation, on every instruction set and at every
  // optimisation level: a fused multiply-add in one build (GCC contracts only from -O2 and only
  // where the CPU has FMA) made Release on AVX-512 train to other weights than AVX2 or -O1.
  // The reference below stores each intermediate through a volatile float, so it cannot fuse.
  void roundsEachOperationOnceOnEveryBuild() {
    at::manual_seed(7);
    const at::Tensor start = at::randn({4099});
    const at::Tensor gradient = at::randn({4099}) * 3.0;
    at::Tensor param = start.clone().set_requires_grad(true);
    param.mutable_grad() = gradient.clone();
    const double lr = 3e-3, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    FusedAdamW fused(
        {param},
        torch::optim::AdamWOptions(lr).weight_decay(weightDecay).betas({beta1, beta2}).eps(eps));
    fused.step(1.0F);

    const auto once = [](float x) {
      volatile float rounded = x;
      return static_cast<float>(rounded);
    };
    const float decay = static_cast<float>(1.0 - lr * weightDecay);
    const float sqrtBc2 = static_cast<float>(std::sqrt(1.0 - beta2));
    const float negStep = static_cast<float>(-lr / (1.0 - beta1));
    const float b1 = static_cast<float>(beta1), c1 = static_cast<float>(1.0 - beta1);
    const float b2 = static_cast<float>(beta2), c2 = static_cast<float>(1.0 - beta2);
    const float* p0 = start.data_ptr<float>();
    const float* g = gradient.data_ptr<float>();
    const float* p1 = param.data_ptr<float>();
    int differing = 0;
    for (int64_t i = 0; i < start.numel(); ++i) {
      const float gi = once(g[i] * 1.0F);
      const float m = once(once(0.0F * b1) + once(c1 * gi));
      const float v = once(once(0.0F * b2) + once(once(c2 * gi) * gi));
      const float denom = once(once(std::sqrt(v) / sqrtBc2) + static_cast<float>(eps));
      const float expected = once(once(p0[i] * decay) + once(negStep * once(m / denom)));
      differing += expected != p1[i];
    }
    QCOMPARE(differing, 0);
  }

  void gradScaleEqualsClipGradNormThenStep() {
    const auto fusedParams = makeParameters(2);
    const auto torchParams = cloneParameters(fusedParams);
    auto fused = makeOptimizer<FusedAdamW>(fusedParams);
    auto reference = makeOptimizer<torch::optim::AdamW>(torchParams);
    for (int s = 0; s < 10; ++s) {
      const double gradientSize = s % 2 == 0 ? 1e-4 : 10.0;  // norm ~0.03 and ~2800
      setGradients(fusedParams, 200 + s, gradientSize);
      setGradients(torchParams, 200 + s, gradientSize);
      const GradientClip clip = gradientClip(fusedParams, 1.0);
      const double torchNorm = torch::nn::utils::clip_grad_norm_(torchParams, 1.0);
      QVERIFY(std::abs(clip.norm - torchNorm) <= 1e-6 * torchNorm);
      if (gradientSize > 1.0) {
        QVERIFY(clip.scale < 1.0F);
      } else {
        QCOMPARE(clip.scale, 1.0F);
      }
      fused.step(clip.scale);
      reference.step();
    }
    compareState(fused, reference, fusedParams, torchParams);
  }

  // On a GPU (CRISP_TEST_DEVICE=cuda; skipped elsewhere) FusedAdamW runs ATen's fused kernel:
  // the same update as LibTorch's AdamW on the CPU, clipping included, over many steps.
  void onTheTestDeviceMatchesLibTorchAdamWOnTheCpu() {
    const char* name = std::getenv("CRISP_TEST_DEVICE");
    const c10::Device device =
        resolveDevice(name != nullptr && *name != '\0' ? name : "cpu", "CRISP_TEST_DEVICE");
    if (device.is_cpu()) QSKIP("CRISP_TEST_DEVICE is the CPU");
    const auto torchParams = makeParameters(4);
    std::vector<at::Tensor> deviceParams;
    for (const auto& p : torchParams) {
      deviceParams.push_back(p.detach().to(device).set_requires_grad(true));
    }
    auto fused = makeOptimizer<FusedAdamW>(deviceParams);
    auto reference = makeOptimizer<torch::optim::AdamW>(torchParams);
    for (int s = 0; s < 20; ++s) {
      for (auto* opt : {static_cast<torch::optim::Optimizer*>(&fused),
                        static_cast<torch::optim::Optimizer*>(&reference)}) {
        for (auto& group : opt->param_groups()) group.options().set_lr(1e-2 * (1.0 - s / 30.0));
      }
      setGradients(torchParams, 300 + s, s % 2 == 0 ? 1e-4 : 10.0);
      for (size_t i = 0; i < torchParams.size(); ++i) {
        deviceParams[i].mutable_grad() = torchParams[i].grad().to(device);
      }
      const GradientClip clip = gradientClip(deviceParams, 1.0);
      const double torchNorm = torch::nn::utils::clip_grad_norm_(torchParams, 1.0);
      QVERIFY(std::abs(clip.norm - torchNorm) <= 1e-5 * torchNorm);
      fused.step(clip.scale);
      reference.step();
    }
    compareState(fused, reference, deviceParams, torchParams);
    QVERIFY(deviceParams[0].is_cuda());
  }

  void checkpointsLoadIntoEitherImplementation() {
    const auto fusedParams = makeParameters(3);
    auto fused = makeOptimizer<FusedAdamW>(fusedParams);
    for (int s = 0; s < 3; ++s) {
      setGradients(fusedParams, 300 + s);
      fused.step();
    }
    const QTemporaryDir dir;
    const std::string path = dir.filePath("optimizer.pt").toStdString();
    torch::save(fused, path);

    // LibTorch's AdamW resumes what the fused one wrote, and the two then step alike.
    const auto torchParams = cloneParameters(fusedParams);
    auto reference = makeOptimizer<torch::optim::AdamW>(torchParams);
    torch::load(reference, path);
    compareState(fused, reference, fusedParams, torchParams);
    setGradients(fusedParams, 400);
    setGradients(torchParams, 400);
    fused.step();
    reference.step();
    compareState(fused, reference, fusedParams, torchParams);

    // And the other way round.
    torch::save(reference, path);
    const auto resumedParams = cloneParameters(torchParams);
    auto resumed = makeOptimizer<FusedAdamW>(resumedParams);
    torch::load(resumed, path);
    compareState(resumed, reference, resumedParams, torchParams);
  }

  void releasedGradientsAreSkipped() {
    const auto params = makeParameters(4);
    auto fused = makeOptimizer<FusedAdamW>(params);
    setGradients(params, 500);
    fused.step();
    fused.releaseGradients();
    for (const auto& p : params) QVERIFY(!p.grad().defined());
    const at::Tensor before = params[1].detach().clone();
    params[0].mutable_grad() = at::randn(params[0].sizes());
    fused.step();  // only params[0] has a gradient
    QVERIFY(at::equal(params[1], before));
    const auto& state = static_cast<torch::optim::AdamWParamState&>(
        *fused.state().at(torch_compat::optimizerStateKey(params[1])));
    QCOMPARE(state.step(), int64_t{1});
  }

  // Releasing gradients (instead of zeroing them) changes nothing only if every trainable
  // parameter receives a gradient in every step; check that for the classifier's policies.
  void everyClassifierParameterGetsAGradient_data() {
    QTest::addColumn<QString>("policy");
    QTest::newRow("dense") << "dense";
    QTest::newRow("crisp") << "crisp:0.7";
    QTest::newRow("dam") << "dam:0.001";
  }
  void everyClassifierParameterGetsAGradient() {
    QFETCH(QString, policy);
    ModelConfig config = ModelConfig::preset("tiny", 120);
    config.maxPositions = 16;
    at::manual_seed(5);
    auto model = makeClassifier(config);
    model->setPolicy(AttentionPolicySpec::parse(policy.toStdString()));
    model->train();
    const at::Tensor ids = at::randint(1, 120, {4, 16}, at::kLong);
    const at::Tensor mask = at::ones({4, 16}, at::kLong);
    const ClassifierOutput out = model->forward(ids, mask);
    at::Tensor loss = at::cross_entropy_loss(out.logits, at::tensor({0, 1, 0, 1}, at::kLong));
    if (out.regularizer.defined()) loss = loss + out.regularizer;
    loss.backward();
    for (const auto& item : model->named_parameters()) {
      if (!item.value().requires_grad()) continue;
      QVERIFY2(item.value().grad().defined(), item.key().c_str());
    }
  }

  void unsupportedParametersAreClearErrors() {
    auto doubles = at::randn({3}, at::kDouble).set_requires_grad(true);
    doubles.mutable_grad() = at::ones({3}, at::kDouble);
    FusedAdamW onDoubles({doubles}, torch::optim::AdamWOptions(1e-3));
    try {
      onDoubles.step();
      QFAIL("a float64 parameter was accepted");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("float32"), e.what());
    }
    auto p = at::randn({3}).set_requires_grad(true);
    p.mutable_grad() = at::ones({3});
    FusedAdamW amsgrad({p}, torch::optim::AdamWOptions(1e-3).amsgrad(true));
    QVERIFY_THROWS_EXCEPTION(Error, amsgrad.step());
  }
};

QTEST_GUILESS_MAIN(TestFusedAdamW)
#include "test_fused_adamw.moc"
