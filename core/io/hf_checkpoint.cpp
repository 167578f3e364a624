#include "core/io/hf_checkpoint.h"

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/atomic_file.h"
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

}  // namespace

StateDict readStateDict(const std::string& path) {
  if (endsWith(path, ".safetensors")) return readSafeTensors(path).tensors;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c10::IValue value;
  try {
    value = torch::pickle_load(bytes);
  } catch (const std::exception& e) {
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    throw Error(path + ": not a readable PyTorch state dict (zip format): " + message);
  }
  if (!value.isGenericDict()) throw Error(path + ": the pickle holds no dict of tensors");
  StateDict state;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString()) throw Error(path + ": a state dict key is not a string");
    const std::string key = item.key().toStringRef();
    if (!item.value().isTensor()) throw Error(path + ": entry \"" + key + "\" is not a tensor");
    state.emplace_back(key, item.value().toTensor());
  }
  return state;
}

LoadReport loadStateDict(SequenceClassifier& model, const StateDict& state,
                         const std::string& source) {
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
  if (!missing.empty()) {
    text += "Some weights of " + modelName + " were not initialized from the model checkpoint at " +
            weightsFile + " and are newly initialized: " + list(missing) + "\n";
  }
  return text;
}

LoadedModel loadHuggingFaceDirectory(const std::string& nameOrPath) {
  const std::string directory = resolveModelDirectory(nameOrPath);
  const fs::path dir(directory);
  const fs::path configPath = dir / "config.json";
  if (!fs::exists(configPath)) throw Error(directory + ": no config.json");
  const ModelConfig config = ModelConfig::fromFile(configPath.string());
  fs::path weights = dir / "model.safetensors";
  if (!fs::exists(weights)) weights = dir / "pytorch_model.bin";
  if (!fs::exists(weights)) {
    throw Error(directory +
                ": no model.safetensors or pytorch_model.bin (sharded checkpoints "
                "are not supported)");
  }
  LoadedModel loaded;
  loaded.model = makeClassifier(config);
  loaded.report = loadStateDict(*loaded.model, readStateDict(weights.string()), weights.string());
  // Only the task head may start fresh (a base-model checkpoint has none); a missing encoder
  // tensor means a damaged or mismatched checkpoint, never something to fill with noise.
  std::vector<std::string> missingEncoder;
  for (const std::string& key : loaded.report.missing) {
    const bool head = key.rfind("pre_classifier.", 0) == 0 || key.rfind("classifier.", 0) == 0 ||
                      key.rfind("bert.pooler.", 0) == 0;
    if (!head) missingEncoder.push_back(key);
  }
  if (!missingEncoder.empty()) {
    std::string list;
    for (size_t i = 0; i < missingEncoder.size() && i < 5; ++i) {
      list += (i ? ", " : "") + missingEncoder[i];
    }
    if (missingEncoder.size() > 5)
      list += ", ... (" + std::to_string(missingEncoder.size()) + " in all)";
    throw Error(weights.string() + ": missing encoder tensors: " + list);
  }
  return loaded;
}

void exportHuggingFaceDirectory(SequenceClassifier& model, const std::string& directory,
                                const std::vector<std::string>& tokenizerFiles) {
  const fs::path dir(directory);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(directory + ": cannot create: " + ec.message());
  nlohmann::json config = model.config().toJson();
  config["crisp_attention_policy"] = model.policy().toString();
  writeFileAtomically((dir / "config.json").string(), config.dump(2) + "\n");
  const StateDict tensors = model.huggingFaceParameters();
  // transformers refuses safetensors files without format metadata.
  writeSafeTensors((dir / "model.safetensors").string(), tensors, {{"format", "pt"}});
  for (const std::string& file : tokenizerFiles) {
    copyFileAtomically(file, (dir / fs::path(file).filename()).string());
  }
}

}  // namespace crisp
