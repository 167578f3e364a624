#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/classifier.h"

namespace crisp {

using StateDict = std::vector<std::pair<std::string, at::Tensor>>;

// Reads a state dict from model.safetensors or pytorch_model.bin (PyTorch's zip format).
StateDict readStateDict(const std::string& path);

// What loading a checkpoint into a model found, in Hugging Face's terms.
struct LoadReport {
  std::string weightsFile;
  std::vector<std::string> missing;     // model keys the checkpoint lacks: newly initialised
  std::vector<std::string> unexpected;  // checkpoint keys the model does not use: ignored
  bool baseModelCheckpoint = false;     // keys had no "distilbert."/"bert." prefix
  // Hugging Face's two warnings, or empty when everything matched.
  std::string describe(const std::string& modelName) const;
};

// Copies a state dict into the model (converting F16/BF16/F64 to the model's dtype). Accepts
// both base-model and *ForSequenceClassification keys and TF-era gamma/beta names. Throws
// crisp::Error naming the tensor when a shape contradicts the model's config.
LoadReport loadStateDict(SequenceClassifier& model, const StateDict& state,
                         const std::string& source);

struct LoadedModel {
  std::shared_ptr<SequenceClassifier> model;
  LoadReport report;
};

// Loads a Hugging Face model directory: config.json plus model.safetensors (preferred) or
// pytorch_model.bin. A head the checkpoint lacks is initialised fresh and listed as missing.
// nameOrPath may also be a sentence-transformers package or a hub id in the local cache
// (model_location.h).
LoadedModel loadHuggingFaceDirectory(const std::string& nameOrPath);

// Writes a directory `transformers` loads with from_pretrained: config.json (architectures,
// id2label/label2id), model.safetensors with Hugging Face's key names, and the given tokenizer
// files copied beside them. Files are written atomically.
void exportHuggingFaceDirectory(SequenceClassifier& model, const std::string& directory,
                                const std::vector<std::string>& tokenizerFiles = {});

}  // namespace crisp
