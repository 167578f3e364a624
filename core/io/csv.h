#pragma once

#include <string>

namespace crisp {

// One CSV field (RFC 4180): quoted, with quotes doubled, only when it holds a comma, a quote or a
// line break, so plain names and numbers stay as they are.
inline std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace crisp
