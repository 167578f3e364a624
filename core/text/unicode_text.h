#pragma once
// Small UTF-8 and Unicode helpers for the tokenizers. Character data (categories, case mapping,
// normalisation) comes from utf8proc; nothing here holds a Unicode table of its own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crisp::unicode {

// One decoded code point: length is its size in bytes, 0 when the bytes at that offset are not
// well-formed UTF-8 (stray continuation byte, truncated or overlong sequence, surrogate, or a
// value above U+10FFFF).
struct Decoded {
  char32_t cp = 0;
  int length = 0;
};

// Decodes the code point starting at text[offset] (offset < text.size()). Strict: the same
// well-formedness rules as Python's bytes.decode("utf-8").
Decoded decodeUtf8(std::string_view text, std::size_t offset) noexcept;

// Appends the UTF-8 encoding of cp (cp <= U+10FFFF, not a surrogate).
void appendUtf8(std::string& out, char32_t cp);

// Hugging Face BasicTokenizer's character classes (transformers' tokenization_bert.py).
bool isChineseChar(char32_t cp) noexcept;    // the CJK ideograph blocks of _is_chinese_char
bool isHfControl(char32_t cp) noexcept;      // _is_control: category C*, except \t \n \r
bool isHfWhitespace(char32_t cp) noexcept;   // _is_whitespace: space \t \n \r and category Zs
bool isHfPunctuation(char32_t cp) noexcept;  // _is_punctuation: ASCII 33-47 58-64 91-96 123-126, P*
// Python's str.split() also splits on these two, which survive BasicTokenizer's cleaning.
bool isLineOrParagraphSeparator(char32_t cp) noexcept;  // categories Zl and Zp
bool isNonspacingMark(char32_t cp) noexcept;            // category Mn

}  // namespace crisp::unicode
