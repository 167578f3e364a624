// libFuzzer target for experiment sets (`crisp sweep FILE`: loadExperimentSet). An accepted
// set must name its baseline and give every configuration x seed one run with a distinct
// directory, and each run's experiment must round-trip through the JSON its run records.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "core/sys/error.h"
#include "core/train/experiment_set.h"
#include "fuzz/fuzz_support.h"

using crisp::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      crisp::fuzz::writeScratchFile("sweep.json", crisp::fuzz::bytes(data, size));
  crisp::ExperimentSet set;
  try {
    set = crisp::loadExperimentSet(path);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
    return 0;
  }
  crisp::fuzz::tally(true);
  require(!set.configurations.empty() && !set.seeds.empty());
  require(set.find(set.baseline) != nullptr);
  const auto runs = set.runs();
  require(runs.size() == set.configurations.size() * set.seeds.size());
  std::set<std::string> directories;
  for (const auto& run : runs) {
    require(directories.insert(run.directoryName).second);
    const auto written = run.experiment.toJson();
    require(crisp::ExperimentConfig::fromJson(written).toJson() == written);
  }
  set.toJson();  // the resolved set, which a sweep keeps for provenance
  return 0;
}
