#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <type_traits>

#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {

// Parses the JSON file at `path`. Throws crisp::Error naming the file: "PATH: cannot open" or
// "PATH: invalid JSON: ...".
nlohmann::json readJsonFile(const std::string& path);

// `value` as exactly a T: for an integer T a JSON integer in T's range (never a fraction, which
// nlohmann's get<int> would truncate, nor an out-of-range value, which it would wrap); for a
// floating-point T any finite number. Otherwise throws crisp::Error
// "WHERE: expected an integer from 0 to ..., got 105.7".
template <typename T>
T jsonNumber(const nlohmann::json& value, const std::string& where) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  if constexpr (std::is_floating_point_v<T>) {
    if (value.is_number() && std::isfinite(value.get<double>())) {
      return static_cast<T>(value.get<double>());
    }
  } else if (value.is_number_unsigned()) {
    const uint64_t v = value.get<uint64_t>();
    if (v <= static_cast<uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(v);
  } else if (value.is_number_integer()) {
    // Parsed text stores non-negative integers as unsigned, but a json built in code may not.
    const int64_t v = value.get<int64_t>();
    const bool fits =
        v >= 0 ? static_cast<uint64_t>(v) <= static_cast<uint64_t>(std::numeric_limits<T>::max())
               : std::is_signed_v<T> && v >= static_cast<int64_t>(std::numeric_limits<T>::min());
    if (fits) return static_cast<T>(v);
  }
  throw Error(where + ": expected " + numberExpectation<T>() + ", got " + value.dump());
}

// Reads object[key] into `out` when present and not null, else leaves `out` as it is. A number
// is read as exactly T (jsonNumber); anything else must have T's JSON type. Throws crisp::Error
// naming WHERE and the key: "WHERE: field \"step\": expected an integer ..., got \"7\"".
template <typename T>
void readJsonField(const nlohmann::json& object, const char* key, T& out,
                   const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return;
  const std::string field = where + ": field \"" + key + "\"";
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    out = jsonNumber<T>(*it, field);
  } else {
    try {
      out = it->template get<T>();
    } catch (const nlohmann::json::exception&) {
      throw Error(field + " has the wrong type (" + it->type_name() + ")");
    }
  }
}

// "FILE: base" + "policy" -> "FILE: base.policy"; "FILE: " + "seeds" -> "FILE: seeds"; "" +
// "policy" -> "policy".
std::string jsonMember(const std::string& where, const std::string& key);

// Refuses a key of `object` outside `allowed` (keys starting with '_' are comments), naming it
// with a "did you mean" for a likely typo: a misspelt key ("learning_rte") would otherwise
// silently run with the default.
void checkJsonKeys(const nlohmann::json& object, const std::set<std::string>& allowed,
                   const std::string& where);

}  // namespace crisp
