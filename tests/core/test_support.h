#pragma once
// Small helpers shared by the core tests.

#include <string>

#include "core/sys/error.h"

namespace crisp::test {

// The message of the crisp::Error that `f` throws ("" when it throws nothing; any other
// exception escapes and fails the test).
template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const crisp::Error& e) {
    return e.what();
  }
  return {};
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace crisp::test
