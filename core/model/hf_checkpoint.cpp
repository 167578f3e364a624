#include "core/model/hf_checkpoint.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/json_file.h"
#include "core/io/model_location.h"
#include "core/io/safetensors.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

// TF-era checkpoints name LayerNorm parameters gamma/beta; Hugging Face renames them on load.
std::string modernName(std::string key) {
  if (endsWith(key, ".gamma")) return key.substr(0, key.size() - 6) + ".weight";
  if (endsWith(key, ".beta")) return key.substr(0, key.size() - 5) + ".bias";
  return key;
}

std::string basePrefix(const SequenceClassifier& model) {
  return architectureName(model.config().architecture) + ".";
}

// "a, b, c, d, e, ... (12 in all)": tensor names for a one-line message.
std::string firstKeys(const std::vector<std::string>& keys) {
  std::string list;
  for (size_t i = 0; i < keys.size() && i < 5; ++i) list += (i ? ", " : "") + keys[i];
  if (keys.size() > 5) list += ", ... (" + std::to_string(keys.size()) + " in all)";
  return list;
}

// The number of encoder layers a checkpoint's keys name beyond `layers` (the config's), or
// `layers` when none: "...layer.7.attention..." counts as 8.
int checkpointLayers(const std::vector<std::string>& keys, int layers) {
  int count = layers;
  for (const std::string& key : keys) {
    for (size_t at = key.find("layer."); at != std::string::npos; at = key.find("layer.", at + 1)) {
      if (at > 0 && key[at - 1] != '.') continue;
      const size_t begin = at + 6, end = key.find('.', begin);
      if (const auto index = parseNumber<int>(std::string_view(key).substr(begin, end - begin))) {
        count = std::max(count, *index + 1);
      }
    }
  }
  return count;
}

}  // namespace

LoadReport loadStateDict(SequenceClassifier& model, const StateDict& state,
                         const std::string& source, bool allowNonFinite) {
  LoadReport report;
  report.weightsFile = source;
  auto params = model.named_parameters(/*recurse=*/true);
  const std::string prefix = basePrefix(model);
  // A base-model checkpoint has no key with the task model's prefix.
  report.baseModelCheckpoint =
      !state.empty() && std::none_of(state.begin(), state.end(),
                                     [&](const auto& kv) { return startsWith(kv.first, prefix); });
  std::set<std::string> loaded;
  at::NoGradGuard noGrad;
  for (const auto& [rawKey, tensor] : state) {
    std::string key = modernName(rawKey);
    // Older checkpoints saved the position-id buffer; transformers skips it without a word.
    if (endsWith(key, "embeddings.position_ids")) continue;
    if (report.baseModelCheckpoint) key = prefix + key;
    at::Tensor* target = params.find(key);
    if (target == nullptr) {
      report.unexpected.push_back(rawKey);
      continue;
    }
    if (target->sizes() != tensor.sizes()) {
      throw Error(source + ": tensor \"" + rawKey + "\" has shape " + c10::str(tensor.sizes()) +
                  " but the model's config needs " + c10::str(target->sizes()));
    }
    if (!at::isFloatingType(tensor.scalar_type())) {
      throw Error(source + ": tensor \"" + rawKey + "\" has non-float dtype " +
                  std::string(c10::toString(tensor.scalar_type())));
    }
    // A NaN or infinite weight makes every prediction NaN ("negative nan", loss nan) without
    // a word, so it is refused here, where the tensor can still be named.
    const int64_t nonFinite = tensor.numel() - at::isfinite(tensor).sum().item<int64_t>();
    if (nonFinite > 0) {
      if (!allowNonFinite) {
        throw Error(source + ": tensor \"" + rawKey + "\" holds " + std::to_string(nonFinite) +
                    " NaN or infinite values");
      }
      report.nonFinite.push_back(rawKey);
    }
    target->copy_(tensor.to(target->scalar_type()));
    loaded.insert(key);
  }
  for (const auto& item : params) {
    if (!loaded.count(item.key())) report.missing.push_back(item.key());
  }
  return report;
}

std::string LoadReport::describe(const std::string& modelName) const {
  const auto list = [](const std::vector<std::string>& keys) {
    std::string text = "[";
    for (size_t i = 0; i < keys.size(); ++i) text += (i ? ", '" : "'") + keys[i] + "'";
    return text + "]";
  };
  std::string text;
  if (!unexpected.empty()) {
    text += "Some weights of the model checkpoint at " + weightsFile +
            " were not used when initializing " + modelName + ": " + list(unexpected) + "\n";
  }
  if (!nonFinite.empty()) {
    text += "Warning: weights loaded from " + weightsFile +
            " hold NaN or infinite values: " + list(nonFinite) + "\n";
  }
  if (!missing.empty()) {
    text += "Some weights of " + modelName + " were not initialized from the model checkpoint at " +
            weightsFile + " and are newly initialized: " + list(missing) + "\n";
  }
  return text;
}

void requireCompleteCheckpoint(const LoadReport& report, const ModelConfig& config) {
  const int layers = checkpointLayers(report.unexpected, config.layers);
  if (layers > config.layers) {
    throw Error(report.weightsFile + ": the checkpoint has " + std::to_string(layers) +
                " layers but the config's " +
                (config.architecture == Architecture::Bert ? "num_hidden_layers" : "n_layers") +
                " is " + std::to_string(config.layers));
  }
  if (!report.missing.empty()) {
    throw Error(report.weightsFile + ": missing tensors " + firstKeys(report.missing) +
                (report.baseModelCheckpoint ? " (a base encoder without its classification head: "
                                              "fine-tune it with crisp train first)"
                                            : ""));
  }
}

LoadedModel loadHuggingFaceDirectory(const std::string& nameOrPath, const LoadOptions& options) {
  const std::string directory = resolveModelDirectory(nameOrPath);
  const fs::path dir(directory);
  const fs::path configPath = dir / "config.json";
  if (!fs::exists(configPath)) throw Error(directory + ": no config.json");
  const nlohmann::json rawConfig = readJsonFile(configPath.string());
  const ModelConfig config = ModelConfig::fromJson(rawConfig, configPath.string());
  fs::path weights = dir / "model.safetensors";
  if (!fs::exists(weights)) weights = dir / "pytorch_model.bin";
  if (!fs::exists(weights)) {
    throw Error(directory +
                ": no model.safetensors or pytorch_model.bin (sharded checkpoints "
                "are not supported)");
  }
  LoadedModel loaded;
  loaded.model = makeClassifier(config);
  // Our exports record the attention policy the model was trained with (plain checkpoints are
  // dense). It comes before the weights: a learned mask's logits are among them.
  if (rawConfig.contains("crisp_attention_policy")) {
    const nlohmann::json& policy = rawConfig["crisp_attention_policy"];
    if (!policy.is_string()) {
      throw Error(configPath.string() + ": crisp_attention_policy must be a string");
    }
    try {
      loaded.model->setPolicy(AttentionPolicySpec::parse(policy.get<std::string>()));
    } catch (const Error& e) {
      throw Error(configPath.string() + ": " + e.what());
    }
  }
  loaded.report = loadStateDict(*loaded.model, readStateDict(weights.string()), weights.string(),
                                options.allowNonFinite);
  // Only the task head may start fresh (a base-model checkpoint has none); a missing encoder
  // tensor means a damaged or mismatched checkpoint, never something to fill with noise.
  std::vector<std::string> missingEncoder;
  for (const std::string& key : loaded.report.missing) {
    const bool head = startsWith(key, "pre_classifier.") || startsWith(key, "classifier.") ||
                      startsWith(key, "bert.pooler.");
    if (!head) missingEncoder.push_back(key);
  }
  if (!missingEncoder.empty()) {
    throw Error(weights.string() + ": missing encoder tensors: " + firstKeys(missingEncoder));
  }
  if (options.forInference) requireCompleteCheckpoint(loaded.report, config);
  return loaded;
}

}  // namespace crisp
