#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/model/classifier.h"

namespace crisp {

// The transformers release the exports are verified against (config.json's
// transformers_version).
inline constexpr const char* kVerifiedTransformersVersion = "4.49.0";

// How transformers can compute a model's attention policy.
struct RemoteAttention {
  bool needed = false;     // the policy prunes in evaluation: plain transformers would not
  bool supported = false;  // modeling_crisp.py reproduces it
  std::string reason;      // when needed but not supported: which term, and why
  nlohmann::json spec;     // config.json's crisp_attention (when supported)
};
RemoteAttention remoteAttentionFor(const SequenceClassifier& model);

// Writes config.json as transformers' from_pretrained reads it: architectures, problem_type,
// transformers_version, id2label/label2id from labelNames (the model config's when empty) and
// crisp_attention_policy. When the policy needs it and can be expressed, also modeling_crisp.py
// with config.json's auto_map and crisp_attention, so that from_pretrained(...,
// trust_remote_code=True) computes crisp's attention. Files are written atomically into
// directory (which must exist). Returns the names written; `remote` (optional) receives what
// was decided.
std::vector<std::string> writeHuggingFaceConfig(const SequenceClassifier& model,
                                                const std::string& directory,
                                                const std::vector<std::string>& labelNames = {},
                                                RemoteAttention* remote = nullptr);

// A directory from_pretrained loads: writeHuggingFaceConfig's files and model.safetensors with
// Hugging Face's key names (and the learned mask's logits, when the policy has one). Creates
// the directory. The tokenizer's files are writeHuggingFaceTokenizer's (core/text).
std::vector<std::string> exportHuggingFaceDirectory(const SequenceClassifier& model,
                                                    const std::string& directory,
                                                    const std::vector<std::string>& labelNames = {},
                                                    RemoteAttention* remote = nullptr);

// The slow tokenizer class transformers pairs with the architecture (tokenizer_config.json).
const char* huggingFaceTokenizerClass(Architecture architecture);

// The remote code file's text (core/model/hf_remote/modeling_crisp.py, compiled in).
const std::string& remoteModelingCode();

}  // namespace crisp
