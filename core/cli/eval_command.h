#pragma once

#include <iosfwd>
#include <string>

namespace crisp::cli {

struct EvalOptions {
  std::string reference;    // a run directory or a Hugging Face model directory
  std::string data;         // empty: the run's own dev data
  std::string checkpoint;   // best (default), last or a step; runs only
  std::string predictions;  // a JSON Lines file of per-row predictions; empty: none
  bool json = false;
  bool allowNonFinite = false;  // load NaN/inf weights (forensics) instead of refusing them
  std::string device = "cpu";   // cpu, cuda, cuda:N or auto (core/sys/device.h)
};

// `crisp eval`: accuracy, loss, macro-F1 and the confusion matrix of a run's checkpoint or a
// Hugging Face model on labelled data. Exit codes: 0 ok, 1 failure at run time, 2 bad input.
int runEval(const EvalOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
