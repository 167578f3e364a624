#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace crisp {

// The safetensors header parser on its own, without LibTorch: what readSafeTensors
// (core/io/safetensors.h) uses, and what the fuzzer (fuzz/) builds alone.

// Parses and validates a header alone (for the fuzzer and for tests); dataSize is the number of
// bytes after the header. Returns the entries as (name, dtype, shape, begin, end).
struct SafeTensorsEntry {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};
std::vector<SafeTensorsEntry> parseSafeTensorsHeader(const std::string& header, uint64_t dataSize,
                                                     std::map<std::string, std::string>* metadata,
                                                     const std::string& source);

// Bytes per element of a safetensors dtype name (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL);
// 0 for any other name.
size_t safeTensorsDtypeBytes(const std::string& dtype);

}  // namespace crisp
