#pragma once

// A real run small enough to train inside a test (seconds): the demo corpus, one epoch, its
// checkpoint in `directory`, so that tests load real models instead of mocking them.
#include <QString>
#include <QtTest>
#include <string>

#include <filesystem>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/io/state_dict.h"
#include "core/model/classifier.h"
#include "core/text/hf_tokenizer_files.h"
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

// A pretrained checkpoint as a base encoder ships it (BertModel's tensor names, no
// classification head) in `directory`, with the demo's vocabulary: a run from it must report
// the head as newly initialized.
inline void writeHeadlessBertCheckpoint(const std::string& directory) {
  std::filesystem::create_directories(directory);
  const auto tokenizer = crisp::demoTokenizer();
  crisp::ModelConfig config = crisp::ModelConfig::preset("tiny", tokenizer->vocabSize());
  config.architecture = crisp::Architecture::Bert;
  const auto model = crisp::makeClassifier(config);
  std::ofstream(directory + "/config.json") << model->config().toJson().dump();
  crisp::StateDict encoder;
  for (const auto& item : model->named_parameters()) {
    if (item.key().rfind("bert.", 0) == 0) encoder.emplace_back(item.key().substr(5), item.value());
  }
  crisp::writeSafeTensors(directory + "/model.safetensors", encoder);
  crisp::writeHuggingFaceTokenizer(*tokenizer, directory, 64, "BertTokenizer");
}

}  // namespace tiny_run
