#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace crisp {

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

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
