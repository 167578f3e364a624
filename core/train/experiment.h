#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/batching.h"
#include "core/data/dataset.h"
#include "core/text/wordpiece.h"
#include "core/train/trainer.h"

namespace crisp {

// One experiment, as `crisp train` flags, the studio's form or an experiment file describe it.
// Empty sources mean the embedded demo (corpus, vocabulary, `tiny` model from scratch).
struct ExperimentConfig {
  std::string name = "demo";
  std::string model = "preset:tiny";  // "preset:NAME" or a Hugging Face model directory
  std::string tokenizer;           // a directory with vocab.txt, or a vocab.txt; empty: the model's
  std::string trainData, devData;  // GLUE TSV / CSV / JSONL; empty: the demo corpus
  std::string policy = "dense";
  int maxLength = 128;
  Hyperparameters hyper;
  std::vector<std::string> probes;  // sentences whose attention is snapshotted at each eval
  size_t demoTrainSize = 4000, demoDevSize = 500;  // the demo corpus's splits

  bool usesDemoData() const { return trainData.empty(); }
  nlohmann::json toJson() const;
  static ExperimentConfig fromJson(const nlohmann::json& json);
  // The demo's defaults: tiny from scratch with a learning rate suited to it.
  static ExperimentConfig demo();
};

struct PreparedExperiment {
  TrainingInputs inputs;
  std::shared_ptr<const WordPieceTokenizer> tokenizer;
  nlohmann::json runConfig;  // what config.json of the run records
};

// Reads and tokenises the data, builds or loads the model, applies the policy. Errors name the
// file, line or setting at fault.
PreparedExperiment prepareExperiment(const ExperimentConfig& config);

// Tokenises examples for the trainer or an evaluation; an example the tokenizer rejects is an
// error naming source:line.
std::shared_ptr<const data::EncodedDataset> encodeExamples(
    const std::vector<data::Example>& examples, const WordPieceTokenizer& tokenizer, int maxLength,
    const std::string& source);

// Reads a labelled data file (GLUE TSV, CSV/TSV, JSON Lines) whose labels must map onto a
// model's: GLUE's integer ids below labelNames.size(), otherwise one of labelNames.
data::Dataset readLabelledData(const std::string& path, const std::vector<std::string>& labelNames);

// An experiment's dev examples (the demo corpus's dev split, or its dev file read with the
// run's label names); source names them in messages ("demo dev" or the path).
std::vector<data::Example> readDevExamples(const ExperimentConfig& config,
                                           const std::vector<std::string>& labelNames,
                                           std::string* source = nullptr);

// The demo's tokenizer (its closed vocabulary as WordPiece, lower-cased).
std::shared_ptr<const WordPieceTokenizer> demoTokenizer();

// The tokenizer an experiment uses: the demo's, --tokenizer, or the model directory's.
std::shared_ptr<const WordPieceTokenizer> loadTokenizer(const ExperimentConfig& config);

}  // namespace crisp
