#include "core/io/safetensors_header.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/sys/error.h"

namespace crisp {
namespace {

struct DtypeBytes {
  const char* name;
  size_t bytes;
};

// The dtypes safetensors.cpp maps to LibTorch's scalar types, with their sizes.
constexpr DtypeBytes kDtypeBytes[] = {
    {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
    {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1},
};

}  // namespace

size_t safeTensorsDtypeBytes(const std::string& dtype) {
  for (const auto& d : kDtypeBytes) {
    if (dtype == d.name) return d.bytes;
  }
  return 0;
}

std::vector<SafeTensorsEntry> parseSafeTensorsHeader(const std::string& header, uint64_t dataSize,
                                                     std::map<std::string, std::string>* metadata,
                                                     const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number beyond double's range (1e400) throws out_of_range.
    throw Error(source + ": header is not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(source + ": header is not a JSON object");
  std::vector<SafeTensorsEntry> entries;
  for (const auto& [name, value] : j.items()) {
    const std::string where = source + ": tensor \"" + name + "\"";
    if (name == "__metadata__") {
      if (!value.is_object()) throw Error(source + ": __metadata__ is not an object");
      for (const auto& [key, item] : value.items()) {
        if (!item.is_string())
          throw Error(source + ": __metadata__[\"" + key + "\"] is not a string");
        if (metadata != nullptr) (*metadata)[key] = item.get<std::string>();
      }
      continue;
    }
    if (!value.is_object()) throw Error(where + ": entry is not an object");
    SafeTensorsEntry entry;
    entry.name = name;
    const auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string()) throw Error(where + ": missing dtype");
    entry.dtype = dtype->get<std::string>();
    const size_t bytes = safeTensorsDtypeBytes(entry.dtype);
    if (bytes == 0) throw Error(where + ": unknown dtype \"" + entry.dtype + "\"");
    const auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array()) throw Error(where + ": missing shape");
    uint64_t elements = 1;
    for (const auto& dim : *shape) {
      if (!dim.is_number_unsigned()) throw Error(where + ": shape has a non-integer dimension");
      const uint64_t d = dim.get<uint64_t>();
      if (d != 0 && elements > std::numeric_limits<uint64_t>::max() / 16 / d) {
        throw Error(where + ": shape overflows");
      }
      elements *= d;
      entry.shape.push_back(static_cast<int64_t>(d));
    }
    const auto offsets = value.find("data_offsets");
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
      throw Error(where + ": data_offsets must be two non-negative integers");
    }
    entry.begin = (*offsets)[0].get<uint64_t>();
    entry.end = (*offsets)[1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > dataSize) {
      throw Error(where + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                  std::to_string(entry.end) + "] lie outside the " + std::to_string(dataSize) +
                  "-byte data section");
    }
    if (entry.end - entry.begin != elements * bytes) {
      throw Error(where + ": data_offsets span " + std::to_string(entry.end - entry.begin) +
                  " bytes but shape and dtype need " + std::to_string(elements * bytes));
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  uint64_t covered = 0;
  for (const auto& e : entries) {
    if (e.begin < covered) {
      throw Error(source + ": tensor \"" + e.name + "\" overlaps the previous tensor's data");
    }
    if (e.begin > covered) {
      throw Error(source + ": data bytes [" + std::to_string(covered) + ", " +
                  std::to_string(e.begin) + ") before tensor \"" + e.name +
                  "\" belong to no tensor");
    }
    covered = e.end;
  }
  if (covered != dataSize) {
    throw Error(source + ": the last " + std::to_string(dataSize - covered) +
                " data bytes belong to no tensor");
  }
  return entries;
}

}  // namespace crisp
