#pragma once

// What `crisp eval/predict/inspect/export` (and the studio's predictor) point at: a run
// directory (one of its checkpoints) or a Hugging Face model directory, resolved and loaded in
// one place.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/hf_checkpoint.h"
#include "core/sys/input_error.h"
#include "core/train/experiment.h"

namespace crisp {

// Which checkpoint of a run: the best evaluation (state.json's best_step), the newest, or a
// given step.
struct CheckpointChoice {
  enum class Kind { Best, Last, Step } kind = Kind::Best;
  int64_t step = -1;

  // "best", "last" or a step number; anything else is an InputError.
  static CheckpointChoice parse(const std::string& text);
  std::string toString() const;
};

struct ModelReference {
  enum class Kind { Run, HuggingFace } kind = Kind::Run;
  std::string path;
  std::shared_ptr<SequenceClassifier> model;  // in eval mode, policy installed
  std::shared_ptr<const Tokenizer> tokenizer;
  std::vector<std::string> labelNames;  // index = label id
  int maxLength = 512;                  // tokens per sentence, [CLS] and [SEP] included
  int batchSize = 32;                   // for evaluation: the run's own, so metrics match
  std::string weightsFile;
  int64_t step = -1;                           // runs: the checkpoint's step
  std::string checkpointRole;                  // runs: "best", "last" or "step"
  std::optional<ExperimentConfig> experiment;  // runs only
  // The tokenizer's files (a run's RUN/tokenizer/ copy, or where an older run's came from); a
  // Hugging Face export copies them beside the weights. Empty with embeddedVocabulary.
  std::vector<std::string> tokenizerFiles;
  bool embeddedVocabulary = false;  // an older demo run's built-in vocabulary (no file)
  std::string loadWarnings;         // Hugging Face's missing/unexpected-weights report

  // "run runs/demo, checkpoint step 250 (best)" or "model ~/models/distilbert".
  std::string describe() const;
};

// Loads path as a run directory (config.json with an "experiment" and checkpoints/) or a
// Hugging Face directory (config.json + model.safetensors/pytorch_model.bin + vocab.txt). A
// choice other than nullopt (default: best) is only valid for runs. Errors name the file, the
// step or the tensor at fault: InputError for the user's side, crisp::Error otherwise. The
// checkpoint must be complete (LoadOptions::forInference is implied: no missing head, no extra
// layers) and its tokenizer must fit the embedding table.
ModelReference loadModelReference(const std::string& path,
                                  const std::optional<CheckpointChoice>& choice = std::nullopt,
                                  const LoadOptions& options = {});

}  // namespace crisp
