#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace crisp {

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

inline bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The whole of `text` as a T: a decimal integer in T's range (no sign for unsigned T, no
// fraction, no exponent, no octal or hex), or for a floating-point T a finite decimal number.
// nullopt for anything else; numberExpectation<T>() words what was expected, for the callers'
// messages, which name the file and key or the flag.
template <typename T>
std::optional<T> parseNumber(std::string_view text) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  return value;
}

// "an integer from -2147483648 to 2147483647", "a non-negative integer up to 18446744073709551615"
// or "a finite number".
template <typename T>
std::string numberExpectation() {
  if constexpr (std::is_floating_point_v<T>) {
    return "a finite number";
  } else if constexpr (std::is_unsigned_v<T>) {
    return "a non-negative integer up to " + std::to_string(std::numeric_limits<T>::max());
  } else {
    return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
           std::to_string(std::numeric_limits<T>::max());
  }
}

// The whole of `text` as a decimal integer (an optional leading '-'); nullopt for anything else:
// empty, trailing characters, out of range. Callers word their own error messages.
inline std::optional<long long> parseInteger(const std::string& text) {
  return parseNumber<long long>(text);
}

// Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
// letters ("crips" is one edit from "crisp"), for "did you mean" hints.
inline size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate closest to `word` when it is close enough to be a typo of it (at most a third
// of its letters wrong, and at least one right); "" otherwise.
template <typename Names>
std::string closestName(std::string_view word, const Names& candidates) {
  std::string best;
  size_t bestDistance = std::max<size_t>(1, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const size_t d = editDistance(word, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace crisp
