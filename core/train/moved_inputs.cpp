#include "core/train/moved_inputs.h"

#include <filesystem>

#include "core/io/model_location.h"
#include "core/sys/parse.h"

namespace crisp {

std::vector<MissingInput> missingInputs(const ExperimentConfig& experiment) {
  const auto gone = [](const std::string& path) {
    std::error_code ec;
    return !path.empty() && !std::filesystem::exists(path, ec);
  };
  std::vector<MissingInput> missing;
  const std::string& model = experiment.model;
  if (!startsWith(model, "preset:") && !looksLikeHubId(model) && gone(model)) {
    missing.push_back({&ExperimentConfig::model, "model", "--model", true});
  }
  if (gone(experiment.trainData)) {
    missing.push_back({&ExperimentConfig::trainData, "training data", "--train", false});
  }
  if (gone(experiment.devData)) {
    missing.push_back({&ExperimentConfig::devData, "dev data", "--dev", false});
  }
  return missing;
}

namespace {

std::string anchored(const std::string& path, const std::filesystem::path& anchor) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return std::filesystem::absolute(anchor / path).lexically_normal().string();
}

}  // namespace

void anchorInputPaths(ExperimentConfig& experiment, const std::filesystem::path& anchor) {
  std::string& model = experiment.model;
  if (!startsWith(model, "preset:")) {
    const std::string path = anchored(model, anchor);
    std::error_code ec;
    if (std::filesystem::exists(path, ec) || !looksLikeHubId(model)) model = path;
  }
  experiment.tokenizer = anchored(experiment.tokenizer, anchor);
  experiment.trainData = anchored(experiment.trainData, anchor);
  experiment.devData = anchored(experiment.devData, anchor);
}

}  // namespace crisp
