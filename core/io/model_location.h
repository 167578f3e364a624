#pragma once

// Where a pretrained model the user names lives on this machine, found offline:
//  - a Hugging Face model directory (config.json beside its weights);
//  - a sentence-transformers package (modules.json naming its Transformer module's folder);
//  - a hub id such as "distilbert-base-uncased" or "sentence-transformers/all-MiniLM-L6-v2",
//    looked up in the local Hugging Face cache the way huggingface_hub does with
//    HF_HUB_OFFLINE=1: $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub,
//    else ~/.cache/huggingface/hub; models--ORG--NAME/snapshots/<refs/main>.
// No LibTorch, no Qt.

#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

// The Hugging Face cache folders searched, in order (those that exist).
std::vector<std::string> huggingFaceCacheRoots();

// The model directory (holding config.json) that nameOrPath denotes. An existing path is used
// as it is (a sentence-transformers package resolves to its Transformer folder); anything else
// must be a hub id found in the cache. Throws InputError saying what was searched.
std::string resolveModelDirectory(const std::string& nameOrPath);

// True when nameOrPath is not an existing path but looks like a hub id ("name" or "org/name").
bool looksLikeHubId(const std::string& nameOrPath);

struct PretrainedModelInfo {
  std::string name;         // hub id for cached models, else the folder's name
  std::string directory;    // holds config.json
  std::string modelType;    // config.json model_type ("bert", "distilbert", ...)
  std::string weightsFile;  // model.safetensors or pytorch_model.bin
  uint64_t weightsBytes = 0;
  int64_t vocabSize = -1;  // config.json vocab_size; -1 when absent or not a whole number
  bool supported = false;  // an architecture crisp loads (bert, distilbert)
};

// The model directories in the Hugging Face cache and directly under each extra folder (and
// the folders themselves), sorted by name; unreadable entries are skipped.
std::vector<PretrainedModelInfo> findPretrainedModels(
    const std::vector<std::string>& extraFolders = {});

// Reads what PretrainedModelInfo says of one model directory; false when it holds no
// config.json and weights.
bool describePretrainedModel(const std::string& directory, PretrainedModelInfo& info);

}  // namespace crisp
