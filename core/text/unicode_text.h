#pragma once
// Unicode character classes for the tokenizers (decoding UTF-8 is core/sys/utf8.h). Character
// data (categories, case mapping, normalisation) comes from utf8proc; nothing here holds a
// Unicode table of its own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crisp::unicode {

// Hugging Face BasicTokenizer's character classes (transformers' tokenization_bert.py).
bool isChineseChar(char32_t cp) noexcept;    // the CJK ideograph blocks of _is_chinese_char
bool isHfControl(char32_t cp) noexcept;      // _is_control: category C*, except \t \n \r
bool isHfWhitespace(char32_t cp) noexcept;   // _is_whitespace: space \t \n \r and category Zs
bool isHfPunctuation(char32_t cp) noexcept;  // _is_punctuation: ASCII 33-47 58-64 91-96 123-126, P*
// Python's str.split() also splits on these two, which survive BasicTokenizer's cleaning.
bool isLineOrParagraphSeparator(char32_t cp) noexcept;  // categories Zl and Zp
bool isNonspacingMark(char32_t cp) noexcept;            // category Mn

}  // namespace crisp::unicode
