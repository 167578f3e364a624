#pragma once

#include <iosfwd>
#include <string>

namespace crisp::cli {

struct ExportOptions {
  std::string run;         // a run directory
  std::string out;         // the Hugging Face directory to write
  std::string checkpoint;  // best (default), last or a step
  bool json = false;
  bool allowNonFinite = false;  // load NaN/inf weights (forensics) instead of refusing them
};

// `crisp export`: a run's checkpoint as a Hugging Face directory (config.json with
// architectures/id2label/label2id and the attention policy, model.safetensors, tokenizer
// files). Exit codes: 0 ok, 1 failure at run time, 2 bad input.
int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
