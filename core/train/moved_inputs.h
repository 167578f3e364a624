#pragma once

// A run resumes with the inputs its record names; a checkout or mount that moved leaves those
// paths empty. Both `crisp resume` and the studio's Resume ask for the new paths of the inputs
// listed here, and the trainer accepts them only with the content the run recorded
// (requireResumableWith).

#include <filesystem>
#include <string>
#include <vector>

#include "core/train/experiment.h"

namespace crisp {

struct MissingInput {
  std::string ExperimentConfig::*field;  // &ExperimentConfig::trainData, ...: where it goes
  std::string description;               // "training data", "dev data", "model"
  std::string resumeOption;              // the `crisp resume` option that gives it: "--train"
  bool directory = false;                // a model directory, not a file
};

// The model, training data and dev data of `experiment` whose paths do not exist. Presets, hub
// ids (resolved from the Hugging Face cache) and the demo corpus are no paths, so never missing.
std::vector<MissingInput> missingInputs(const ExperimentConfig& experiment);

// Makes the relative paths of the model, tokenizer and data absolute against `anchor` (an
// experiment set's folder, the working directory of `crisp train`), so that a run's record
// names its inputs wherever it is resumed from. A model that names nothing there and reads as a
// hub id ("distilbert-base-uncased") stays a hub id.
void anchorInputPaths(ExperimentConfig& experiment, const std::filesystem::path& anchor);

}  // namespace crisp
