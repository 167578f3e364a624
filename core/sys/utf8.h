#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace crisp {

// One decoded code point: length is its size in bytes, 0 when the bytes at that offset are not
// well-formed UTF-8 (stray continuation byte, truncated or overlong sequence, surrogate, or a
// value above U+10FFFF).
struct Utf8CodePoint {
  char32_t cp = 0;
  int length = 0;
};

// Decodes the code point starting at text[offset] (offset < text.size()). Strict: Unicode
// Table 3-7, the same well-formedness rules as Python's bytes.decode("utf-8"). Every UTF-8 check
// in the project goes through it.
Utf8CodePoint decodeUtf8(std::string_view text, std::size_t offset) noexcept;

// Appends the UTF-8 encoding of cp (cp <= U+10FFFF, not a surrogate).
void appendUtf8(std::string& out, char32_t cp);

// The byte offset of the first ill-formed UTF-8 sequence in `text` (see decodeUtf8), or npos.
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
