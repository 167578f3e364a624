#pragma once

#include <iosfwd>
#include <string>

namespace crisp::cli {

struct InspectOptions {
  std::string reference;        // a run directory or a Hugging Face model directory
  std::string text;             // the sentence
  std::string format = "json";  // json, csv or png
  int layer = -1, head = -1;    // 0-based; -1 = all
  std::string out;              // a file (png: required); empty: standard output
  std::string checkpoint;       // best (default), last or a step; runs only
  bool allowNonFinite = false;  // load NaN/inf weights (forensics) instead of refusing them
};

// `crisp inspect`: a sentence's tokens, prediction, and per layer and head the attention before
// and after the policy with its keep mask — JSON, long CSV, or a PNG figure (attention_png.h;
// its layout, tokens and prediction also go to a companion <stem>.tokens.json). Exit codes: 0 ok,
// 1 failure at run time, 2 bad input.
int runInspect(const InspectOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
