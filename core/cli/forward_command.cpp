#include "core/cli/forward_command.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "core/cli/command_support.h"
#include "core/model/hf_checkpoint.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp::cli {
namespace {

// "101,7592,102;101,102" -> rows, padded with padId to the longest; mask marks real tokens.
std::pair<at::Tensor, at::Tensor> parseIds(const std::string& text, int padId, int vocabSize) {
  std::vector<std::vector<int64_t>> rows;
  std::stringstream rowsStream(text);
  std::string row;
  while (std::getline(rowsStream, row, ';')) {
    std::vector<int64_t> ids;
    std::stringstream idStream(row);
    std::string item;
    while (std::getline(idStream, item, ',')) {
      const std::optional<long long> parsed = parseInteger(item);
      if (!parsed) {
        throw InputError("--ids: row " + std::to_string(rows.size() + 1) + ": \"" + item +
                         "\" is not an integer");
      }
      const long long id = *parsed;
      if (id < 0 || id >= vocabSize) {
        throw InputError("--ids: row " + std::to_string(rows.size() + 1) + ": id " +
                         std::to_string(id) + " is outside the vocabulary of " +
                         std::to_string(vocabSize));
      }
      ids.push_back(id);
    }
    if (ids.empty())
      throw InputError("--ids: row " + std::to_string(rows.size() + 1) + " is empty");
    rows.push_back(std::move(ids));
  }
  if (rows.empty()) throw InputError("--ids: no rows");
  size_t length = 0;
  for (const auto& r : rows) length = std::max(length, r.size());
  const int64_t batch = static_cast<int64_t>(rows.size());
  at::Tensor ids = at::full({batch, static_cast<int64_t>(length)}, padId, at::kLong);
  at::Tensor mask = at::zeros({batch, static_cast<int64_t>(length)}, at::kLong);
  for (int64_t b = 0; b < batch; ++b) {
    for (size_t t = 0; t < rows[b].size(); ++t) {
      ids[b][static_cast<int64_t>(t)] = rows[b][t];
      mask[b][static_cast<int64_t>(t)] = 1;
    }
  }
  return {ids, mask};
}

nlohmann::json toJson(const at::Tensor& tensor) {
  const at::Tensor t = tensor.to(at::kDouble).contiguous();
  if (t.dim() == 0) return t.item<double>();
  nlohmann::json array = nlohmann::json::array();
  for (int64_t i = 0; i < t.size(0); ++i) array.push_back(toJson(t[i]));
  return array;
}

}  // namespace

int runForward(const ForwardOptions& options, std::ostream& out, std::ostream& err) {
  try {
    LoadedModel loaded =
        loadHuggingFaceDirectory(options.modelDir, {false, options.allowNonFinite});
    const std::string warnings = loaded.report.describe("the model");
    if (!warnings.empty()) err << warnings;
    AttentionPolicySpec policy =
        options.attention.empty()
            ? loaded.model->policy()
            : readingInput([&] { return AttentionPolicySpec::parse(options.attention); });
    if (options.noDiagonal && policy.term(TermRole::Diagonal) == nullptr) {
      policy = AttentionPolicySpec::parse(policy.terms.empty() ? "nodiag"
                                                               : "nodiag+" + policy.toString());
    }
    loaded.model->setPolicy(policy);
    loaded.model->eval();
    const ModelConfig& config = loaded.model->config();
    auto [ids, mask] = parseIds(options.ids, config.padTokenId, config.vocabSize);
    if (ids.size(1) > config.maxPositions) {
      throw InputError("--ids: rows of " + std::to_string(ids.size(1)) +
                       " tokens exceed the model's " + std::to_string(config.maxPositions) +
                       " positions");
    }
    at::NoGradGuard noGrad;
    crisp::ForwardOptions forward;
    forward.captureAttention = options.withAttention;
    forward.captureHiddenStates = options.withHiddenStates;
    const ClassifierOutput result = loaded.model->forward(ids, mask, forward);
    nlohmann::json j = {{"logits", toJson(result.logits)}, {"policy", policy.toString()}};
    if (options.withAttention) {
      nlohmann::json pre = nlohmann::json::array(), post = nlohmann::json::array();
      for (const LayerAttention& layer : result.attention) {
        pre.push_back(toJson(layer.before));
        post.push_back(toJson(layer.after));
      }
      j["attention_pre"] = std::move(pre);
      j["attention_post"] = std::move(post);
    }
    if (options.withHiddenStates) {
      nlohmann::json hidden = nlohmann::json::array();
      for (const at::Tensor& h : result.hiddenStates) hidden.push_back(toJson(h));
      j["hidden_states"] = std::move(hidden);
    }
    out << j.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    return reportError("forward", e, err);
  }
}

}  // namespace crisp::cli
