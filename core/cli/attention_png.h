#pragma once

// The PNG figure of `crisp inspect --format png`, drawn without Qt: per chosen layer and head the
// attention before the policy (dense softmax) beside the attention after it, with the tokens on
// both axes, a colour bar, and a header naming the sentence, model, policy and prediction.

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace crisp {
struct Prediction;
}

namespace crisp::cli {

struct AttentionPngRequest {
  const Prediction& prediction;
  std::vector<int> layers, heads;  // the cells: rows are layers, columns heads (0-based)
  std::string sentence, model, policy;
};

// Writes the figure atomically and returns its description for the companion JSON: size, the
// map and colour-bar rectangles of each cell with its scale, and every text box drawn (so that
// tools and tests can check that no label leaves the canvas or overlaps another).
nlohmann::json writeAttentionPng(const std::string& path, const AttentionPngRequest& request);

}  // namespace crisp::cli
