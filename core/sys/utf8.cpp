#include "core/sys/utf8.h"

#include <cstdint>
#include <cstdio>

namespace crisp {
namespace {

// The length of the well-formed sequence starting at s[i], or 0 when it is ill-formed.
size_t sequenceLength(std::string_view s, size_t i) {
  return static_cast<size_t>(decodeUtf8(s, i).length);
}

}  // namespace

Utf8CodePoint decodeUtf8(std::string_view text, std::size_t offset) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[offset + k]); };
  const std::size_t left = text.size() - offset;
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return {b0, 1};
  const auto cont = [&](std::size_t k) { return k < left && (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return {};
    return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (byte(1) & 0x3F)), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return {};
    const char32_t cp = ((b0 & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return {};  // overlong or surrogate
    return {cp, 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return {};
    const char32_t cp =
        ((b0 & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return {};
    return {cp, 4};
  }
  return {};  // a continuation byte, C0/C1, or F5..FF
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

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
