#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/io/state_dict.h"
#include "core/model/classifier.h"

namespace crisp {

struct LoadOptions {
  // For eval, predict, inspect, export: the checkpoint must hold every tensor of the model, its
  // classification head included, and no encoder layer beyond the config's count. Fine-tuning
  // (false) starts a head the checkpoint lacks fresh, as transformers does, and only reports
  // unused tensors.
  bool forInference = false;
  // Loads NaN or infinite weights (for forensics, reported in LoadReport::nonFinite) instead of
  // refusing them.
  bool allowNonFinite = false;
};

// What loading a checkpoint into a model found, in Hugging Face's terms.
struct LoadReport {
  std::string weightsFile;
  std::vector<std::string> missing;     // model keys the checkpoint lacks: newly initialised
  std::vector<std::string> unexpected;  // checkpoint keys the model does not use: ignored
  bool baseModelCheckpoint = false;     // keys had no "distilbert."/"bert." prefix
  std::vector<std::string> nonFinite;   // loaded with NaN/inf values (allowNonFinite only)
  // Hugging Face's two warnings (and one for non-finite weights), or empty when everything
  // matched.
  std::string describe(const std::string& modelName) const;
};

// Copies a state dict into the model (converting F16/BF16/F64 to the model's dtype). Accepts
// both base-model and *ForSequenceClassification keys and TF-era gamma/beta names. Throws
// crisp::Error naming the tensor when a shape contradicts the model's config or a value is NaN or
// infinite (unless allowNonFinite).
LoadReport loadStateDict(SequenceClassifier& model, const StateDict& state,
                         const std::string& source, bool allowNonFinite = false);

struct LoadedModel {
  std::shared_ptr<SequenceClassifier> model;
  LoadReport report;
};

// Loads a Hugging Face model directory: config.json plus model.safetensors (preferred) or
// pytorch_model.bin. A head the checkpoint lacks is initialised fresh and listed as missing,
// unless options.forInference makes it an error. nameOrPath may also be a sentence-transformers
// package or a hub id in the local cache (model_location.h).
LoadedModel loadHuggingFaceDirectory(const std::string& nameOrPath,
                                     const LoadOptions& options = {});

// For inference: throws crisp::Error naming the weights file when the report lists a tensor the
// checkpoint lacks (a base encoder's missing head) or the checkpoint has more encoder layers
// than `config` (naming both counts).
void requireCompleteCheckpoint(const LoadReport& report, const ModelConfig& config);

}  // namespace crisp
