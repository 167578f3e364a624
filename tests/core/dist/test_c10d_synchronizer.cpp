// The c10d synchronizer inside one process, on CRISP_TEST_DEVICE (cpu unless set; the `cuda`
// test preset sets cuda): Gloo on the CPU, NCCL on a GPU. One rank must train exactly as no
// synchronizer does (every path of the synchronizer runs: the group on the device, buckets
// filled by autograd hooks, the flags, the copies back), and two ranks on two threads (two
// GPUs for NCCL) must end where one process with the same global batch does.
// (tests/scripts/data_parallel.sh checks the ranks as processes through the real binary.)
#include <QtTest>

#include <cstdlib>
#include <thread>

#include "core/dist/c10d_synchronizer.h"
#include "core/sys/device.h"
#include "core/train/experiment.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

c10::Device testDevice() {
  const char* value = std::getenv("CRISP_TEST_DEVICE");
  return resolveDevice(value != nullptr && *value != '\0' ? value : "cpu", "CRISP_TEST_DEVICE");
}

TrainingInputs inputs(const c10::Device& device) {
  ExperimentConfig config = ExperimentConfig::demo();
  config.demoTrainSize = 200;
  config.demoDevSize = 40;
  config.dropout = 0.0;  // the ranks draw other dropout masks than one process would
  TrainingInputs in = prepareExperiment(config).inputs;
  in.device = device;
  in.collate.pinMemory = device.is_cuda();
  return in;
}

Hyperparameters hyper() {
  Hyperparameters h;
  h.epochs = 2;
  h.batchSize = 15;  // 14 steps an epoch, the last of 5 (split 2 + 3 over two ranks)
  h.learningRate = 1e-3;
  h.evalEvery = 10;
  h.seed = 3;
  return h;
}

dist::LaunchEnvironment rankOf(int rank, int worldSize, int port) {
  dist::LaunchEnvironment env;
  env.rank = rank;
  env.worldSize = worldSize;
  env.localRank = rank;
  env.localWorldSize = worldSize;
  env.masterAddr = "127.0.0.1";
  env.masterPort = port;
  return env;
}

// Trains one rank (or, without a synchronizer, one process) into `path`; returns the final
// parameters on the CPU.
std::vector<at::Tensor> train(TrainingInputs in, const std::string& path,
                              const std::shared_ptr<GradientSynchronizer>& sync, RunState* state) {
  const std::shared_ptr<SequenceClassifier> model = in.model;
  Trainer trainer(std::move(in), hyper(), path, nlohmann::json{{"resume_key", "c10d"}});
  if (sync) trainer.setGradientSynchronizer(sync);
  *state = trainer.run();
  for (const auto& event : trainer.events().drain()) {
    if (const auto* m = std::get_if<MessageEvent>(&event);
        m != nullptr && m->level == MessageEvent::Level::Error) {
      qWarning("%s", m->text.c_str());
    }
  }
  std::vector<at::Tensor> parameters;
  for (const at::Tensor& p : model->parameters()) parameters.push_back(p.detach().cpu());
  return parameters;
}

double maxDifference(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

}  // namespace

class TestC10dSynchronizer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void oneRankTrainsExactlyAsNoSynchronizer() {
    const c10::Device device = testDevice();
    QTemporaryDir dir;
    RunState alone = RunState::Created, joined = RunState::Created;
    const auto expected =
        train(inputs(device), dir.filePath("alone").toStdString(), nullptr, &alone);
    auto sync = std::make_shared<dist::C10dSynchronizer>(
        rankOf(0, 1, dist::findFreePort()), std::chrono::seconds(60), int64_t{1} << 16);
    const auto actual = train(inputs(device), dir.filePath("joined").toStdString(), sync, &joined);
    QCOMPARE(toString(alone), toString(RunState::Finished));
    QCOMPARE(toString(joined), toString(RunState::Finished));
    QCOMPARE(actual.size(), expected.size());
    QCOMPARE(maxDifference(actual, expected), 0.0);
  }

  void twoRanksEndWhereOneProcessDoes() {
    const c10::Device device = testDevice();
    if (device.is_cuda() && cudaDeviceCount() < 2) QSKIP("NCCL needs a GPU per rank: one GPU");
    QTemporaryDir dir;
    RunState alone = RunState::Created;
    const auto expected =
        train(inputs(device), dir.filePath("alone").toStdString(), nullptr, &alone);
    // Prepared one after the other: preparing draws from the process's global generator.
    TrainingInputs rankInputs[2];
    for (int r = 0; r < 2; ++r)  // rank r's device: the CPU, or the GPU of its local rank
      rankInputs[r] = inputs(device.is_cuda() ? c10::Device(c10::kCUDA, r) : device);
    const int port = dist::findFreePort();
    std::vector<at::Tensor> ranks[2];
    RunState states[2] = {RunState::Created, RunState::Created};
    std::thread threads[2];
    for (int r = 0; r < 2; ++r) {
      threads[r] = std::thread([&, r] {
        auto sync = std::make_shared<dist::C10dSynchronizer>(
            rankOf(r, 2, port), std::chrono::seconds(60), int64_t{1} << 16);
        ranks[r] =
            train(std::move(rankInputs[r]), dir.filePath("ranks").toStdString(), sync, &states[r]);
      });
    }
    for (std::thread& t : threads) t.join();
    QCOMPARE(toString(alone), toString(RunState::Finished));
    QCOMPARE(toString(states[0]), toString(RunState::Finished));
    QCOMPARE(toString(states[1]), toString(RunState::Finished));
    const double difference = maxDifference(ranks[0], expected);
    QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
    QCOMPARE(maxDifference(ranks[1], ranks[0]), 0.0);  // the ranks agree exactly
  }

  // A synchronizer whose group runs on the CPU refuses to move it to another device.
  void theGroupStaysOnItsDevice() {
    dist::C10dSynchronizer sync(rankOf(0, 1, dist::findFreePort()), std::chrono::seconds(60));
    sync.useDevice(c10::Device(c10::kCPU));
    QVERIFY_THROWS_EXCEPTION(Error, sync.useDevice(c10::Device(c10::kCUDA, 0)));
  }
};

QTEST_GUILESS_MAIN(TestC10dSynchronizer)
#include "test_c10d_synchronizer.moc"
