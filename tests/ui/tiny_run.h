#pragma once

// A real run small enough to train inside a test (seconds): the demo corpus, one epoch, its
// checkpoint in `directory`, so that tests load real models instead of mocking them.
#include <QString>
#include <QtTest>
#include <string>

#include "core/train/experiment.h"
#include "core/train/trainer.h"

namespace tiny_run {

inline void train(const QString& directory, const std::string& policy, uint64_t seed) {
  crisp::ExperimentConfig config = crisp::ExperimentConfig::demo();
  config.demoTrainSize = 128;
  config.demoDevSize = 32;
  config.hyper.epochs = 1;
  config.hyper.seed = seed;
  config.policy = policy;
  crisp::PreparedExperiment prepared = crisp::prepareExperiment(config);
  crisp::Trainer trainer(std::move(prepared.inputs), config.hyper, directory.toStdString(),
                         prepared.runConfig);
  QVERIFY(trainer.run() == crisp::RunState::Finished);
}

}  // namespace tiny_run
