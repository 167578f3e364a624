// libFuzzer target for a Hugging Face config.json (ModelConfig::fromFile). An accepted config
// must survive its own round trip: what toJson writes (e.g. into an exported checkpoint) reads
// back to the same configuration.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model/config.h"
#include "core/sys/error.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      crisp::fuzz::writeScratchFile("config.json", crisp::fuzz::bytes(data, size));
  crisp::ModelConfig config;
  try {
    config = crisp::ModelConfig::fromFile(path);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
    return 0;
  }
  crisp::fuzz::tally(true);
  const auto written = config.toJson();
  const auto reread = crisp::ModelConfig::fromJson(written, "round trip").toJson();
  crisp::fuzz::require(reread == written);
  return 0;
}
