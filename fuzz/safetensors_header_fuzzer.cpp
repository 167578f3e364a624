// libFuzzer target for the safetensors header parser (core/io/safetensors_header.h).
// Input: 8 bytes, little-endian, the size of the data section, then the header text. Any
// crisp::Error is a correct rejection; every other exception, a sanitizer report or a broken
// invariant of an accepted header is a finding.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "core/io/safetensors_header.h"
#include "core/sys/error.h"
#include "fuzz/fuzz_support.h"

using crisp::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t dataSize = 0;
  for (int i = 7; i >= 0; --i) dataSize = (dataSize << 8) | data[i];
  const std::string header(reinterpret_cast<const char*>(data) + 8, size - 8);
  std::map<std::string, std::string> metadata;
  try {
    const auto entries = crisp::parseSafeTensorsHeader(header, dataSize, &metadata, "fuzz");
    // An accepted header: entries in offset order tile [0, dataSize) exactly, and each spans
    // its shape times its dtype's size.
    uint64_t covered = 0;
    for (const auto& e : entries) {
      require(e.begin == covered && e.begin <= e.end && e.end <= dataSize);
      const size_t bytes = crisp::safeTensorsDtypeBytes(e.dtype);
      require(bytes != 0);
      uint64_t elements = 1;
      for (int64_t d : e.shape) {
        require(d >= 0);
        elements *= static_cast<uint64_t>(d);
      }
      require(e.end - e.begin == elements * bytes);
      require(e.name != "__metadata__");
      covered = e.end;
    }
    require(covered == dataSize);
    crisp::fuzz::tally(true);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
  }
  return 0;
}
