#pragma once

#include <iosfwd>
#include <string>

namespace crisp::cli {

struct ForwardOptions {
  std::string modelDir;
  std::string ids;        // rows separated by ';', ids by ','
  std::string attention;  // empty: the model's own (an export's crisp_attention_policy, else dense)
  bool noDiagonal = false;
  bool withAttention = false;
  bool withHiddenStates = false;
  bool json = true;
  bool allowNonFinite = false;  // load NaN/inf weights (forensics) instead of refusing them
};

// `crisp forward`: logits (and optionally attention before/after the policy and every layer's
// hidden states) of a Hugging Face
// directory for given token ids, as JSON. Returns the exit code; errors go to err.
int runForward(const ForwardOptions& options, std::ostream& out, std::ostream& err);

}  // namespace crisp::cli
