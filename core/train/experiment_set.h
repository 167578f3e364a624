#pragma once

// An experiment set: one base experiment, a list of configurations that override parts of it,
// and a list of seeds; every configuration runs with every seed. The file format (JSON):
//
//   {
//     "name": "crisp-paper-small",            optional; default: the file's stem
//     "notes": "...", "_comment": "...",      free text; any key starting with "_" is ignored
//     "base": { ExperimentConfig fields: model, tokenizer, train_sentencepiece
//               {"vocab_size": N, "model_type": "unigram"|"bpe"}, train_data, dev_data, policy,
//               max_length, hyperparameters {...}, demo_train_size, demo_dev_size, probes },
//     "configurations": [ {"name": "dense", "policy": "dense"},
//                         {"name": "crisp-0.8", "policy": "crisp:0.8",
//                          "hyperparameters": {"learning_rate": 3e-4}} ],
//     "seeds": [1, 2, 3],
//     "baseline": "dense"                     optional; default "dense" if present, else the first
//   }
//
// A configuration's fields override the base's (hyperparameters key by key); its "name" names
// its runs (<name>-seed<N>) and becomes the experiment's name. Relative paths (model directory,
// tokenizer, train_data, dev_data) are relative to the directory of the experiment file, and are
// resolved to absolute paths when loaded, so a sweep works from any working directory.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/train/experiment.h"

namespace crisp {

struct ExperimentSetConfiguration {
  std::string name;
  ExperimentConfig experiment;  // base + overrides; the seed is set per run
};

struct ExperimentSetRun {
  std::string configuration;
  uint64_t seed = 0;
  std::string directoryName;  // "<configuration>-seed<seed>"
  ExperimentConfig experiment;
};

struct ExperimentSet {
  std::string file;  // where it was loaded from (for messages)
  std::string name, notes;
  std::vector<ExperimentSetConfiguration> configurations;
  std::vector<uint64_t> seeds;
  std::string baseline;

  // Every configuration x seed, seed-major (all configurations of the first seed, then the
  // next), so that a sweep stopped half-way already holds complete paired comparisons.
  std::vector<ExperimentSetRun> runs() const;
  const ExperimentSetConfiguration* find(const std::string& configuration) const;
  nlohmann::json toJson() const;  // the resolved set (absolute paths), for provenance
};

// Parses a set; `file` names it in errors ("FILE: configurations[2].policy: ...") and its
// directory anchors relative paths. Checks names, seeds, policies and hyperparameters; does not
// check that data or model files exist (a sweep reports that when it reaches the run).
ExperimentSet parseExperimentSet(const nlohmann::json& json, const std::string& file);
// Reads and parses a file; throws crisp::Error naming the file and the field at fault.
ExperimentSet loadExperimentSet(const std::string& file);

}  // namespace crisp
