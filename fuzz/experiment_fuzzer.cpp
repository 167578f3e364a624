// libFuzzer target for experiment files (`crisp train --experiment FILE`: readJsonFile, then
// ExperimentConfig::fromJson). An accepted experiment must round-trip: a run records toJson()
// in its config.json and resume compares it, so reading it back must give the same JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/json_file.h"
#include "core/model/attention_policy.h"
#include "core/sys/error.h"
#include "core/train/experiment.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      crisp::fuzz::writeScratchFile("experiment.json", crisp::fuzz::bytes(data, size));
  crisp::ExperimentConfig experiment;
  try {
    experiment = crisp::ExperimentConfig::fromJson(crisp::readJsonFile(path));
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
    return 0;
  }
  crisp::fuzz::tally(true);
  const auto written = experiment.toJson();
  crisp::fuzz::require(crisp::ExperimentConfig::fromJson(written).toJson() == written);
  // What `crisp train` checks next; each either passes or refuses with crisp::Error.
  try {
    experiment.hyper.validate();
    crisp::validateTokenizerChoice(experiment);
    crisp::AttentionPolicySpec::parse(experiment.policy);
  } catch (const crisp::Error&) {
  }
  return 0;
}
