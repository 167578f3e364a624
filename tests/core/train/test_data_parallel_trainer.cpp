// The trainer's data-parallel logic without Gloo: two ranks on two threads of this process,
// joined by an in-process GradientSynchronizer. A NaN on one rank, or a stop on one rank, ends
// both at the same step; rank 0 alone writes the run. (tests/scripts/data_parallel.sh checks
// the real c10d/Gloo path and the equality to one process.)
#include <QtTest>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/sys/error.h"
#include "core/train/experiment.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"

using namespace crisp;

namespace {

// Collectives between threads: the last rank to arrive computes the result for all.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), deposits_(static_cast<size_t>(size)) {}

  void collective(int rank, std::vector<at::Tensor>& tensors, bool reduce) {
    std::unique_lock lock(mutex_);
    const int64_t generation = generation_;
    deposits_[static_cast<size_t>(rank)] = tensors;  // shares their storage
    if (++arrived_ == size_) {
      at::NoGradGuard noGrad;
      for (size_t i = 0; i < tensors.size(); ++i) {
        at::Tensor result = deposits_[0][i].clone();
        if (reduce)
          for (int r = 1; r < size_; ++r) result += deposits_[static_cast<size_t>(r)][i];
        for (int r = 0; r < size_; ++r) deposits_[static_cast<size_t>(r)][i].copy_(result);
      }
      arrived_ = 0;
      ++generation_;
      wake_.notify_all();
      return;
    }
    if (!wake_.wait_for(lock, std::chrono::seconds(60),
                        [&] { return generation_ != generation; })) {
      throw Error("rank " + std::to_string(rank) + ": the other rank did not arrive");
    }
  }

 private:
  int size_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int arrived_ = 0;
  int64_t generation_ = 0;
  std::vector<std::vector<at::Tensor>> deposits_;
};

class ThreadSynchronizer : public GradientSynchronizer {
 public:
  ThreadSynchronizer(std::shared_ptr<ThreadGroup> group, int rank, int size)
      : group_(std::move(group)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int worldSize() const override { return size_; }
  void synchronize(std::vector<at::Tensor>& parameters) override {
    std::vector<at::Tensor> grads;
    for (at::Tensor& p : parameters) {
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
      grads.push_back(p.grad());
    }
    group_->collective(rank_, grads, true);
  }
  void broadcast(std::vector<at::Tensor>& tensors) override {
    group_->collective(rank_, tensors, false);
  }
  void allReduceSum(at::Tensor& values) override {
    std::vector<at::Tensor> one{values};
    group_->collective(rank_, one, true);
  }

 private:
  std::shared_ptr<ThreadGroup> group_;
  int rank_, size_;
};

TrainingInputs inputs() {
  ExperimentConfig config = ExperimentConfig::demo();
  config.demoTrainSize = 200;
  config.demoDevSize = 40;
  config.dropout = 0.0;
  return prepareExperiment(config).inputs;
}

Hyperparameters hyper() {
  Hyperparameters h;
  h.epochs = 2;
  h.batchSize = 15;  // 14 steps an epoch, the last of 5 (split 2 + 3)
  h.learningRate = 1e-3;
  h.evalEvery = 5;
  h.seed = 3;
  return h;
}

struct TwoRanks {
  RunState states[2] = {RunState::Created, RunState::Created};
  std::unique_ptr<Trainer> trainers[2];
};

// Runs two ranks into `path`; `adjust` may change a rank's hyperparameters, `during` runs on
// the test's thread while they train.
void runTwoRanks(TwoRanks& ranks, const std::string& path,
                 const std::function<void(int, Hyperparameters&)>& adjust,
                 const std::function<void(TwoRanks&)>& during = {}) {
  auto group = std::make_shared<ThreadGroup>(2);
  for (int r = 0; r < 2; ++r) {
    Hyperparameters h = hyper();
    adjust(r, h);
    ranks.trainers[r] =
        std::make_unique<Trainer>(inputs(), h, path, nlohmann::json{{"resume_key", "dp"}});
    ranks.trainers[r]->setGradientSynchronizer(std::make_shared<ThreadSynchronizer>(group, r, 2));
  }
  std::thread rank1([&] { ranks.states[1] = ranks.trainers[1]->run(); });
  std::thread rank0([&] { ranks.states[0] = ranks.trainers[0]->run(); });
  if (during) during(ranks);
  rank0.join();
  rank1.join();
}

}  // namespace

class TestDataParallelTrainer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void nanOnOneRankFailsBothAtTheSameStep() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("nan")).toStdString();
    TwoRanks ranks;
    runTwoRanks(ranks, path, [](int rank, Hyperparameters& h) {
      if (rank == 1) h.injectNanAtStep = 7;  // after the checkpoint at step 5
    });
    QCOMPARE(toString(ranks.states[0]), toString(RunState::Failed));
    QCOMPARE(toString(ranks.states[1]), toString(RunState::Failed));
    const nlohmann::json state = RunDirectory(path).readState();
    const std::string message = state["message"];
    QVERIFY2(message.find("non-finite training loss") != std::string::npos, message.c_str());
    QVERIFY2(message.find("at step 8") != std::string::npos, message.c_str());
    QCOMPARE(state["step"].get<int64_t>(), int64_t{7});
  }

  void stopOnOneRankStopsBothAtTheSameStep() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("stop")).toStdString();
    TwoRanks ranks;
    runTwoRanks(
        ranks, path, [](int, Hyperparameters& h) { h.epochs = 20; },  // ended by the stop
        [&](TwoRanks& r) {
          // Once rank 0 has written its first checkpoint, rank 1 alone is told to stop.
          QTRY_VERIFY_WITH_TIMEOUT(!RunDirectory(path).checkpointSteps().empty(), 60000);
          r.trainers[1]->control().stop();
        });
    for (int r = 0; r < 2 && ranks.states[0] != RunState::Stopped; ++r) {  // why not
      for (const auto& event : ranks.trainers[r]->events().drain()) {
        if (const auto* m = std::get_if<MessageEvent>(&event))
          qWarning("rank %d: %s", r, m->text.c_str());
      }
    }
    QCOMPARE(toString(ranks.states[0]), toString(RunState::Stopped));
    QCOMPARE(toString(ranks.states[1]), toString(RunState::Stopped));
    const nlohmann::json state = RunDirectory(path).readState();
    QCOMPARE(QString::fromStdString(state["state"]), QStringLiteral("stopped"));
    const int64_t step = state["step"];
    QVERIFY(step >= 5 && step < 280);
    // Rank 0 wrote the stop's checkpoint at that step.
    QCOMPARE(RunDirectory(path).checkpointSteps().back(), step);
  }
};

QTEST_GUILESS_MAIN(TestDataParallelTrainer)
#include "test_data_parallel_trainer.moc"
