#include <QtTest>

#include <ATen/core/grad_mode.h>

#include <cstdlib>
#include <filesystem>

#include "core/io/safetensors.h"
#include "core/model/classifier.h"
#include "core/sys/device.h"
#include "core/sys/input_error.h"
#include "core/sys/torch_compat.h"
#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

// The message of what fn throws as crisp::InputError; empty when it throws nothing.
template <typename Fn>
std::string inputErrorOf(Fn fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an InputError: ") + e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The device the training test runs on: CRISP_TEST_DEVICE (the `cuda` test preset sets cuda),
// else the CPU.
std::string testDevice() {
  const char* value = std::getenv("CRISP_TEST_DEVICE");
  return value != nullptr && *value != '\0' ? value : "cpu";
}

ExperimentConfig tinyExperiment() {
  ExperimentConfig c = ExperimentConfig::demo();
  c.demoTrainSize = 96;
  c.demoDevSize = 32;
  c.hyper.epochs = 1;
  c.hyper.batchSize = 16;
  c.hyper.evalEvery = 2;
  c.policy = "crisp:0.5+dam:0.01";
  return c;
}

}  // namespace

class TestExperimentDevice : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void deviceSpellingsAreCheckedAndNormalised() {
    QCOMPARE(normalizeDeviceSpec("cpu", "--device"), std::string("cpu"));
    QCOMPARE(normalizeDeviceSpec("CUDA", "--device"), std::string("cuda"));
    QCOMPARE(normalizeDeviceSpec("cuda:01", "--device"), std::string("cuda:1"));
    QCOMPARE(normalizeDeviceSpec("Auto", "--device"), std::string("auto"));
    for (const char* bad : {"", "gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:0:1", "cpu:0"}) {
      const std::string message = inputErrorOf([&] { normalizeDeviceSpec(bad, "--device"); });
      QVERIFY2(contains(message, std::string("--device: \"") + bad + "\" is not a device"),
               (std::string(bad) + ": " + message).c_str());
    }
  }

  void experimentFilesCarryTheDeviceKey() {
    const ExperimentConfig cuda = ExperimentConfig::fromJson({{"device", "CUDA:0"}});
    QCOMPARE(cuda.device, std::string("cuda:0"));
    QCOMPARE(cuda.toJson().at("device").get<std::string>(), std::string("cuda:0"));
    QCOMPARE(ExperimentConfig::fromJson(cuda.toJson()).device, std::string("cuda:0"));
    // A CPU experiment writes no key: the configurations of earlier runs stay as they were.
    QVERIFY(!ExperimentConfig::demo().toJson().contains("device"));
    QCOMPARE(ExperimentConfig::fromJson(nlohmann::json::object()).device, std::string("cpu"));
    // The device is not part of what a resumed run must share.
    QCOMPARE(cuda.resumeKey(), ExperimentConfig::fromJson(nlohmann::json::object()).resumeKey());

    QVERIFY(contains(inputErrorOf([] {
                       ExperimentConfig::fromJson({{"device", "tpu"}});
                     }),
                     "device: \"tpu\" is not a device (expected cpu, cuda, cuda:N or auto)"));
    try {
      ExperimentConfig::fromJson({{"device", 0}});
      QFAIL("a number as device was accepted");
    } catch (const std::exception& e) {
      QVERIFY2(contains(e.what(), "wrong type"), e.what());
    }
    try {
      ExperimentConfig::fromJson({{"devise", "cpu"}});
      QFAIL("a misspelt device key was accepted");
    } catch (const std::exception& e) {
      QVERIFY2(contains(e.what(), "did you mean \"device\""), e.what());
    }
  }

  void precisionIsAnExperimentKeyCheckedAgainstTheDevice() {
    const ExperimentConfig bf16 = ExperimentConfig::fromJson({{"precision", "BF16"}});
    QCOMPARE(bf16.precision, std::string("bf16"));
    QCOMPARE(ExperimentConfig::fromJson(bf16.toJson()).precision, std::string("bf16"));
    QVERIFY(!ExperimentConfig::demo().toJson().contains("precision"));  // fp32 writes no key
    QCOMPARE(bf16.resumeKey(), ExperimentConfig::fromJson(nlohmann::json::object()).resumeKey());
    QVERIFY(contains(inputErrorOf([] {
                       ExperimentConfig::fromJson({{"precision", "fp16"}});
                     }),
                     "precision: \"fp16\" needs loss scaling"));
    QVERIFY(contains(inputErrorOf([] {
                       ExperimentConfig::fromJson({{"precision", "half"}});
                     }),
                     "precision: \"half\" is not a precision (expected fp32 or bf16)"));
    QCOMPARE(computeType("fp32", c10::Device(c10::kCPU), "--precision"), at::kFloat);
    // On the CPU bf16 is refused before any data is read or file written.
    ExperimentConfig config = tinyExperiment();
    config.precision = "bf16";
    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    const std::string message = inputErrorOf([&] { prepareExperiment(config, run); });
    QVERIFY2(contains(message, "precision: bf16 runs on CUDA only (this run is on cpu)"),
             message.c_str());
    QVERIFY(!std::filesystem::exists(run));
  }

  // bf16 on the test device (skipped on the CPU): the scores and the policy's choice stay
  // float32 (a crisp:0.8 row of 24 keys keeps exactly its 5, where bfloat16 scores would tie),
  // the logits stay near float32's, and a run trains to the end.
  void mixedPrecisionKeepsTheScoresInFloat32AndTrains() {
    const c10::Device device = resolveDevice(testDevice(), "CRISP_TEST_DEVICE");
    if (device.is_cpu()) QSKIP("CRISP_TEST_DEVICE is the CPU");
    ModelConfig modelConfig = ModelConfig::preset("tiny", 300);
    at::manual_seed(11);
    auto model = makeClassifier(modelConfig);
    model->setPolicy(AttentionPolicySpec::parse("crisp:0.8"));
    model->eval();
    model->to(device);
    const at::Tensor ids = at::randint(1, 300, {4, 24}, at::kLong).to(device);
    const at::Tensor mask = at::ones({4, 24}, at::kLong).to(device);
    ForwardOptions capture;
    capture.captureAttention = true;
    ClassifierOutput full, mixed;
    {
      at::NoGradGuard noGrad;
      full = model->forward(ids, mask, capture);
      const torch_compat::AutocastScope bf16(device, computeType("bf16", device, "test"));
      mixed = model->forward(ids, mask, capture);
    }
    QCOMPARE(mixed.logits.scalar_type(), at::kBFloat16);  // autocast was on
    for (const auto& layer : mixed.attention) {
      QCOMPARE(layer.after.scalar_type(), at::kFloat);
      QVERIFY(at::equal(layer.keep.sum(-1).cpu(), at::full({4, 2, 24}, 5, at::kLong)));
    }
    const double drift = (mixed.logits.to(at::kFloat) - full.logits).abs().max().item<double>();
    qInfo("bf16 logits drift from fp32: %g", drift);
    QVERIFY2(drift < 0.05, std::to_string(drift).c_str());

    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = tinyExperiment();
    config.device = testDevice();
    config.precision = "bf16";
    PreparedExperiment prepared = prepareExperiment(config, run);
    QCOMPARE(prepared.inputs.computeType, at::kBFloat16);
    Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
  }

  void cudaIsRefusedClearlyWhereThereIsNone() {
    if (cudaDeviceCount() > 0) QSKIP("CUDA is available here");
    QCOMPARE(availableDevices(), std::vector<std::string>{"cpu"});
    QCOMPARE(resolveDevice("auto", "--device").str(), std::string("cpu"));
    const std::string flag = inputErrorOf([] { resolveDevice("cuda", "--device"); });
    QVERIFY2(contains(flag, "--device: \"cuda\" asks for CUDA, but ") &&
                 contains(flag, "use cpu, or auto"),
             flag.c_str());
    // Through an experiment: refused before any data is read or file written.
    ExperimentConfig config = tinyExperiment();
    config.device = "cuda:0";
    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    const std::string key = inputErrorOf([&] { prepareExperiment(config, run); });
    QVERIFY2(contains(key, "device: \"cuda:0\" asks for CUDA"), key.c_str());
    QVERIFY(!std::filesystem::exists(run));
  }

  // The classifier gives the same logits, attention probabilities (before and after the policy)
  // and gradients on the test device as on the CPU, for each architecture and for policies
  // whose kept set depends on exact score order (top-k) or on positions (diagonal, window).
  void aClassifierOnTheTestDeviceMatchesTheCpu() {
    const c10::Device device = resolveDevice(testDevice(), "CRISP_TEST_DEVICE");
    if (device.is_cpu()) QSKIP("CRISP_TEST_DEVICE is the CPU");
    for (auto architecture : {Architecture::DistilBert, Architecture::Bert}) {
      for (const char* policy : {"dense", "crisp:0.8", "nodiag+crisp:0.5", "window:2"}) {
        ModelConfig config = ModelConfig::preset("tiny", 300);
        config.architecture = architecture;
        at::manual_seed(7);
        auto model = makeClassifier(config);
        model->setPolicy(AttentionPolicySpec::parse(policy));
        model->eval();  // no dropout: both devices compute the same function
        const at::Tensor ids = at::randint(1, 300, {4, 24}, at::kLong);
        at::Tensor mask = at::ones({4, 24}, at::kLong);
        mask.index_put_({1, at::indexing::Slice(17)}, 0);  // padded rows
        mask.index_put_({3, at::indexing::Slice(5)}, 0);
        const at::Tensor labels = at::tensor({0, 1, 1, 0}, at::kLong);
        ForwardOptions capture;
        capture.captureAttention = true;

        const auto run = [&](const c10::Device& on) {
          model->to(on);
          model->zero_grad();
          ClassifierOutput out = model->forward(ids.to(on), mask.to(on), capture);
          at::cross_entropy_loss(out.logits, labels.to(on)).backward();
          std::vector<at::Tensor> values{out.logits.detach().cpu()};
          for (const auto& layer : out.attention) {
            values.push_back(layer.before.detach().cpu());
            values.push_back(layer.after.detach().cpu());
          }
          for (const auto& p : model->parameters()) {
            values.push_back(p.grad().defined() ? p.grad().cpu() : at::zeros_like(p).cpu());
          }
          return values;
        };
        const std::vector<at::Tensor> onCpu = run(c10::Device(c10::kCPU));
        const std::vector<at::Tensor> onDevice = run(device);
        QCOMPARE(onDevice.size(), onCpu.size());
        double worst = 0;
        for (size_t i = 0; i < onCpu.size(); ++i) {
          const double scale = std::max(1.0, onCpu[i].abs().max().item<double>());
          worst = std::max(worst, (onDevice[i] - onCpu[i]).abs().max().item<double>() / scale);
        }
        const std::string what = std::string(policy) + " on " + device.str() + ": max |diff| " +
                                 QString::number(worst, 'g', 3).toStdString();
        qInfo("%s", what.c_str());
        QVERIFY2(worst <= 1e-4, what.c_str());
      }
    }
  }

  // Grad mode is per thread; a trainer run from code that turned it off still trains.
  void aRunStartedUnderNoGradStillTrains() {
    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = tinyExperiment();
    config.device = testDevice();
    const at::NoGradGuard noGrad;
    PreparedExperiment prepared = prepareExperiment(config, run);
    Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    QVERIFY(!at::GradMode::is_enabled());  // the caller's mode is back
  }

  // A run on the test device stops at a non-finite loss after its step-2 checkpoint; the same
  // experiment then resumes from that checkpoint on the CPU and finishes: checkpoints are CPU
  // copies (weights, optimizer moments) and load anywhere.
  void aRunOnTheTestDeviceResumesOnTheCpu() {
    QTemporaryDir dir;
    const std::string run = dir.filePath(QStringLiteral("run")).toStdString();
    ExperimentConfig config = tinyExperiment();
    config.device = testDevice();
    config.hyper.injectNanAtStep = 3;
    {
      PreparedExperiment prepared = prepareExperiment(config, run);
      QCOMPARE(prepared.inputs.device.str(), resolveDevice(config.device, "device").str());
      Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
      QCOMPARE(toString(trainer.run()), toString(RunState::Failed));
    }
    RunDirectory directory(run);
    QCOMPARE(directory.checkpointSteps(), std::vector<int64_t>{2});
    const std::string checkpoint = directory.checkpointPath(2);
    const SafeTensors rng = readSafeTensors(checkpoint + "/rng.safetensors");
    bool hasCudaGenerator = false;
    for (const auto& [name, state] : rng.tensors) hasCudaGenerator |= name == "cuda_generator";
    QCOMPARE(hasCudaGenerator, resolveDevice(config.device, "device").is_cuda());

    config.device = "cpu";
    config.hyper.injectNanAtStep = -1;
    PreparedExperiment prepared = prepareExperiment(config, run);
    Trainer trainer(std::move(prepared.inputs), config.hyper, run, prepared.runConfig);
    QCOMPARE(toString(trainer.run()), toString(RunState::Finished));
    bool resumed = false;
    for (const auto& event : trainer.events().drain()) {
      if (const auto* m = std::get_if<MessageEvent>(&event))
        resumed |= contains(m->text, "resumed from " + checkpoint);
    }
    QVERIFY(resumed);
  }
};

QTEST_GUILESS_MAIN(TestExperimentDevice)
#include "test_experiment_device.moc"
