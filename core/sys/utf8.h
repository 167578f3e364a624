#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crisp {

// The byte offset of the first ill-formed UTF-8 sequence in `text` (Unicode Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences), or npos.
size_t findInvalidUtf8(std::string_view text);

inline bool isValidUtf8(std::string_view text) {
  return findInvalidUtf8(text) == std::string_view::npos;
}

// "invalid UTF-8 at byte N (0xXY)", N counted from 1 like lines and columns: the one wording of
// this error, whoever finds it.
std::string describeInvalidUtf8(std::string_view text, size_t offset);

// The longest prefix of `text` of at most maxBytes that ends on a code-point boundary, with
// invalid bytes shown as \xNN: safe to put in an error message or a UI label.
std::string printableExcerpt(std::string_view text, size_t maxBytes = 80);

}  // namespace crisp
