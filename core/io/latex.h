#pragma once

#include <string>

namespace crisp {

// Text as it prints in a LaTeX table cell: the special characters escaped (\textbackslash{} and
// friends for those without a one-character escape), and [ ] braced, since a cell starting with
// [ would be taken for \\'s optional argument. Bytes of UTF-8 sequences pass through.
inline std::string latexEscape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '_':
      case '%':
      case '&':
      case '#':
      case '$':
      case '{':
      case '}':
        out += '\\';
        out += ch;
        break;
      case '[':
      case ']':
        out += '{';
        out += ch;
        out += '}';
        break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '\\': out += "\\textbackslash{}"; break;
      default: out += ch;
    }
  }
  return out;
}

}  // namespace crisp
