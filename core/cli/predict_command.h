#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace crisp::cli {

struct PredictOptions {
  std::string reference;           // a run directory or a Hugging Face model directory
  std::vector<std::string> texts;  // sentences on the command line
  std::string file;                // one sentence per line ("-": standard input)
  std::string checkpoint;          // best (default), last or a step; runs only
  bool json = false;               // JSON Lines
  bool allowNonFinite = false;     // load NaN/inf weights (forensics) instead of refusing them
};

// `crisp predict`: the label and the probabilities of each sentence — the arguments, the lines
// of --file, or else the lines of standard input (blank lines skipped). Exit codes: 0 ok,
// 1 failure at run time, 2 bad input (empty text, invalid UTF-8: the line is named).
int runPredict(const PredictOptions& options, std::istream& in, std::ostream& out,
               std::ostream& err);

}  // namespace crisp::cli
