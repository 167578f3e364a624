#pragma once

// What the commands share: how much they say (--quiet, --verbose), one error line (all of
// them), the exit code scripts rely on and the checks every input sentence passes (eval,
// predict, inspect, export).

#include <exception>
#include <ostream>
#include <string>
#include <utility>

#include "core/sys/input_error.h"
#include "core/sys/utf8.h"

namespace crisp::cli {

// Quiet: results, warnings and errors only (no progress, no notes). Verbose: also the resolved
// configuration, the thread choice and finer progress.
enum class Verbosity { Quiet, Normal, Verbose };

// The process's setting, chosen once by crisp's main from --quiet / --verbose.
inline Verbosity& verbosity() {
  static Verbosity setting = Verbosity::Normal;
  return setting;
}
inline bool quiet() {
  return verbosity() == Verbosity::Quiet;
}
inline bool verbose() {
  return verbosity() == Verbosity::Verbose;
}

// Prints "crisp COMMAND: error: <first line>"; the first line alone, as LibTorch appends
// backtraces to its messages.
inline void printError(const std::string& command, const std::exception& e, std::ostream& err) {
  const std::string message = e.what();
  err << "crisp " << command << ": error: " << message.substr(0, message.find('\n')) << "\n";
}

// printError, then 2 for an InputError (the user's side), 1 for anything else (a failure at run
// time).
inline int reportError(const std::string& command, const std::exception& e, std::ostream& err) {
  printError(command, e, err);
  return dynamic_cast<const InputError*>(&e) != nullptr ? 2 : 1;
}

// Returns read(); any failure in it is the user's to fix (a file or value they named), so it is
// rethrown as an InputError.
template <typename Read>
auto readingInput(Read&& read) -> decltype(read()) {
  try {
    return std::forward<Read>(read)();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(e.what());
  }
}

// Refuses a sentence that is empty (or only whitespace) or not valid UTF-8; `where` names it
// ("line 3 of reviews.txt", "argument 2").
inline void checkSentence(const std::string& text, const std::string& where) {
  const size_t bad = findInvalidUtf8(text);
  if (bad != std::string::npos) {
    throw InputError(where + ": " + describeInvalidUtf8(text, bad) + ": \"" +
                     printableExcerpt(text, 60) + "\"");
  }
  if (text.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    throw InputError(where + ": empty text");
  }
}

}  // namespace crisp::cli
