#pragma once

#include <iosfwd>
#include <string>

namespace crisp::cli {

struct ExportOptions {
  std::string run;         // a run directory
  std::string out;         // the Hugging Face directory to write
  std::string checkpoint;  // best (default), last or a step
  std::string attention;   // a policy replacing the run's (e.g. "dense"); empty: the run's
  bool force = false;      // write into a non-empty --out
  bool json = false;
  bool allowNonFinite = false;  // load NaN/inf weights (forensics) instead of refusing them
};

// `crisp export`: a run's checkpoint as a Hugging Face directory: config.json (architectures,
// problem_type, id2label/label2id, the attention policy), model.safetensors, the tokenizer
// (tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt or spiece.model),
// a model card README.md, and for sparse policies modeling_crisp.py (remote code). A policy the
// remote code cannot express is warned about on err. Exit codes: 0 ok, 1 failure at run time,
// 2 bad input.
int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
