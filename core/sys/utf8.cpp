#include "core/sys/utf8.h"

#include <cstdint>
#include <cstdio>

namespace crisp {
namespace {

// The length of the well-formed sequence starting at s[i], or 0 when it is ill-formed.
size_t sequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // the range allowed for the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

size_t findInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Fast path: runs of ASCII.
    while (i < text.size() && static_cast<uint8_t>(text[i]) < 0x80) ++i;
    if (i == text.size()) break;
    const size_t length = sequenceLength(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string describeInvalidUtf8(std::string_view text, size_t offset) {
  char hex[8];
  std::snprintf(
      hex, sizeof hex, "0x%02X",
      static_cast<unsigned>(static_cast<unsigned char>(offset < text.size() ? text[offset] : 0)));
  return "invalid UTF-8 at byte " + std::to_string(offset + 1) + " (" + hex + ")";
}

std::string printableExcerpt(std::string_view text, size_t maxBytes) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    std::string piece;
    const auto b = static_cast<uint8_t>(text[i]);
    size_t length = sequenceLength(text, i);
    if (length == 0 || b < 0x20 || b == 0x7F) {
      if (b == '\t') {
        piece = "\\t";
      } else if (b == '\n') {
        piece = "\\n";
      } else if (b == '\r') {
        piece = "\\r";
      } else {
        piece = {'\\', 'x', hex[b >> 4], hex[b & 0xF]};
      }
      length = 1;
    } else {
      piece.assign(text.substr(i, length));
    }
    if (out.size() + piece.size() > maxBytes) {
      out += "...";
      break;
    }
    out += piece;
    i += length;
  }
  return out;
}

}  // namespace crisp
