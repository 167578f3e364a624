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

}  // namespace crisp
