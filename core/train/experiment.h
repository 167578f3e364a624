#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/batching.h"
#include "core/data/dataset.h"
#include "core/text/tokenizer.h"
#include "core/train/trainer.h"

namespace crisp {

// Training a SentencePiece vocabulary on the experiment's training sentences (before the model
// is built), instead of loading a tokenizer. JSON: "train_sentencepiece": {"vocab_size": 8000,
// "model_type": "unigram"} (absent or null: off).
struct SentencePieceTraining {
  int vocabSize = 0;                  // 0: off
  std::string modelType = "unigram";  // unigram | bpe
  bool enabled() const { return vocabSize > 0; }
};

// One experiment, as `crisp train` flags, the studio's form or an experiment file describe it.
// Empty sources mean the embedded demo (corpus, vocabulary, `tiny` model from scratch). An
// experiment file without a "name" is named by defaultRunName.
//
// The tokenizer is one of: the model's own (empty `tokenizer`: the demo's vocabulary, or the
// Hugging Face directory's vocab.txt / spiece.model); a WordPiece vocabulary (a directory with
// vocab.txt, or the file); a SentencePiece .model file; or a SentencePiece vocabulary trained on
// the training data (`trainSentencePiece`, for a model from scratch). A run stores the one it
// used in RUN/tokenizer/ (tokenizer.h's storeTokenizer) and records it in config.json
// ("tokenizer"), so everything that reads the run later needs nothing else.
struct ExperimentConfig {
  std::string name = "demo";
  std::string model = "preset:tiny";  // "preset:NAME" or a Hugging Face model directory
  std::string tokenizer;  // vocab dir, vocab file or SentencePiece .model; empty: the model's
  SentencePieceTraining trainSentencePiece;
  std::string trainData, devData;  // GLUE TSV / CSV / JSONL; empty: the demo corpus
  std::string policy = "dense";
  int maxLength = 128;
  Hyperparameters hyper;
  std::vector<std::string> probes;  // sentences whose attention is snapshotted at each eval
  size_t demoTrainSize = 8000, demoDevSize = 500;  // the demo corpus's splits
  // A preset's dropout probabilities (hidden, attention, classifier) all set to this; unset:
  // the preset's own. Dropout 0 makes data-parallel training equal one process's exactly
  // (dropout masks depend on how a batch is split over ranks).
  std::optional<double> dropout;
  // cpu, cuda, cuda:N or auto (core/sys/device.h). Not part of the resume key: a run may
  // continue on another device, since checkpoints are written from CPU copies.
  std::string device = "cpu";
  // fp32 or bf16 (normalizePrecision in core/sys/device.h). Not part of the resume key either:
  // a bf16 run may continue in fp32 on a CPU.
  std::string precision = "fp32";

  bool usesDemoData() const { return trainData.empty(); }
  nlohmann::json toJson() const;
  // What a run must share with the configuration that resumes it: toJson() without "device"
  // and "precision".
  nlohmann::json resumeKey() const;
  // The content fingerprints (core/io/content_fingerprint.h) of the files named by the fields
  // of inputFieldNames() that name files, by field; presets, the demo and empty fields have
  // none, and so has an input that cannot be read whole (then matched by its path alone). A new
  // run records them as config.json's "input_fingerprints".
  nlohmann::json inputFingerprints() const;
  static ExperimentConfig fromJson(const nlohmann::json& json);
  // The demo's defaults: tiny from scratch with a learning rate suited to it.
  static ExperimentConfig demo();
  // The defaults for the data: the demo's for the demo corpus, else Hyperparameters' own
  // (3 epochs, batch 32, 5e-5) and a max_length of 128. Experiment files start from them.
  static ExperimentConfig defaultsFor(bool demoData);
};

// The experiment a run was trained with (its config.json's "experiment"): what `crisp resume`
// and the studio's Resume continue it with. Throws crisp::Error naming the file when it is
// missing (not a run directory) or holds no experiment.
ExperimentConfig readRunExperiment(const std::string& runDirectory);

// Short labels of what a run trains on and with, for run names and tables: the data set ("demo"
// for the demo corpus, else the dev file's folder, e.g. "sst2" for .../sst2/dev.tsv, else the
// file's name) and the model (a preset's name, or a directory's or hub id's last component).
std::string dataLabel(const std::string& trainData, const std::string& devData);
std::string modelLabel(const std::string& model);
std::string lastPathComponent(const std::string& path);  // "a/b/" -> "b"

// A run's name when none is given: DATA-MODEL-POLICY, e.g. sst2-distilbert-base-uncased-crisp0.8
// or demo-tiny-dense (the policy's ':' dropped, other characters a folder name should not hold
// become '_').
std::string defaultRunName(const ExperimentConfig& config);

struct PreparedExperiment {
  TrainingInputs inputs;
  std::shared_ptr<const Tokenizer> tokenizer;
  nlohmann::json runConfig;  // what config.json of the run records
};

// Reads and tokenises the data, builds or loads the model, applies the policy. Errors name the
// file, line or setting at fault.
//
// With a run directory, the tokenizer lives there: a run that already has config.json (resume)
// must have been made from the same configuration and uses the tokenizer stored in it (runs from
// before tokenizers were stored use their recorded source); a new run gets the tokenizer
// (trained first if asked) written to RUN/tokenizer/ and recorded in runConfig["tokenizer"].
// Without one (benchmarks, tests), a SentencePiece vocabulary is trained in a temporary
// directory and kept in memory.
PreparedExperiment prepareExperiment(const ExperimentConfig& config,
                                     const std::string& runDirectory = {});

// Refuses keys of an experiment object (and of its "hyperparameters") that toJson does not
// write, with a "did you mean" for a typo; `where` prefixes the key ("FILE: base" -> "FILE:
// base.polcy"). Keys starting with '_' are comments.
void checkExperimentKeys(const nlohmann::json& object, const std::string& where);

// Checks the tokenizer fields on their own (exclusive choices, vocabulary size and model type
// of SentencePiece training, which needs a model from scratch); throws crisp::Error naming the
// field ("train_sentencepiece.vocab_size: ...").
void validateTokenizerChoice(const ExperimentConfig& config);

// Tokenises examples for the trainer or an evaluation; an example the tokenizer rejects is an
// error naming source:line.
std::shared_ptr<const data::EncodedDataset> encodeExamples(
    const std::vector<data::Example>& examples, const Tokenizer& tokenizer, int maxLength,
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
std::shared_ptr<const Tokenizer> demoTokenizer();

// The tokenizer an experiment names: the demo's, `tokenizer`, or the model directory's (not a
// trained one: that needs the data, see prepareExperiment).
std::shared_ptr<const Tokenizer> loadTokenizer(const ExperimentConfig& config);

// RUN/tokenizer, where a run keeps its tokenizer.
std::string runTokenizerDirectory(const std::string& runDirectory);
// The tokenizer of an existing run: RUN/tokenizer when its config.json (runConfig) records one;
// for a run from before tokenizers were stored, the source its experiment names.
std::shared_ptr<const Tokenizer> loadRunTokenizer(const std::string& runDirectory,
                                                  const nlohmann::json& runConfig,
                                                  const ExperimentConfig& experiment);

}  // namespace crisp
