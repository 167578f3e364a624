#pragma once

#include <charconv>
#include <optional>
#include <string>

namespace crisp {

// The whole of `text` as a decimal integer (an optional leading '-'); nullopt for anything else:
// empty, trailing characters, out of range. Callers word their own error messages.
inline std::optional<long long> parseInteger(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace crisp
