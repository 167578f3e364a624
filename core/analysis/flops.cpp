#include "core/analysis/flops.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/model/attention_policy.h"
#include "core/sys/error.h"

namespace crisp {
namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string percentSaved(double dense, double sparse) {
  return format("%.1f%%", 100.0 * (dense - sparse) / dense);
}

void checkShape(const ModelConfig& config, int64_t length, int64_t batch) {
  if (length < 1 || batch < 1) {
    throw Error("FLOPs: sequence length and batch must be positive");
  }
  if (config.hidden < 1 || config.heads < 1 || config.hidden % config.heads != 0) {
    throw Error("FLOPs: hidden size must be a positive multiple of the heads");
  }
}

}  // namespace

std::string attentionKernelName(AttentionKernel kernel) {
  switch (kernel) {
    case AttentionKernel::AsImplemented: return "as-implemented";
    case AttentionKernel::SparseAfterScores: return "sparse-after-scores";
    case AttentionKernel::IdealSparse: return "ideal-sparse";
  }
  return "unknown";
}

double ModelFlops::encoder() const {
  double sum = 0;
  for (const LayerFlops& layer : layers) sum += layer.total();
  return sum;
}

int64_t crispKeptKeys(int64_t allowedKeys, double sparsity) {
  return topKCount(at::scalar_tensor(allowedKeys, at::kLong), sparsity).item<int64_t>();
}

LayerFlops layerFlops(const ModelConfig& config, int64_t length, int64_t batch, double keptKeys,
                      AttentionKernel kernel) {
  checkShape(config, length, batch);
  const double b = static_cast<double>(batch), t = static_cast<double>(length);
  const double h = config.hidden, f = config.intermediate;
  const double heads = config.heads, d = config.headDim();
  const double kept = keptKeys < 0 ? t : std::min(keptKeys, t);
  const double scored = kernel == AttentionKernel::IdealSparse ? kept : t;
  const double normalised = kernel == AttentionKernel::AsImplemented ? t : kept;

  LayerFlops layer;
  layer.keptKeys = kept;
  layer.projections = 2.0 * b * t * 4.0 * h * h;
  layer.scores = b * t * h + 2.0 * b * heads * t * scored * d;
  layer.softmax = 3.0 * b * heads * t * normalised;
  layer.context = 2.0 * b * heads * t * normalised * d;
  layer.ffn = 2.0 * 2.0 * b * t * h * f;
  return layer;
}

std::vector<double> expectedKeptKeys(const AttentionPolicySpec& policy, int layers, int64_t length,
                                     const std::vector<double>& measuredKeptFraction) {
  if (length < 1 || layers < 1) throw Error("FLOPs: length and layers must be positive");
  const double t = static_cast<double>(length);
  std::vector<double> kept(static_cast<size_t>(layers), t);
  if (!measuredKeptFraction.empty()) {
    if (measuredKeptFraction.size() != 1 &&
        measuredKeptFraction.size() != static_cast<size_t>(layers)) {
      throw Error("FLOPs: " + std::to_string(measuredKeptFraction.size()) +
                  " measured kept fractions for " + std::to_string(layers) + " layers");
    }
    for (int i = 0; i < layers; ++i) {
      const double fraction =
          measuredKeptFraction.size() == 1 ? measuredKeptFraction[0] : measuredKeptFraction[i];
      if (!(fraction > 0.0 && fraction <= 1.0)) {
        throw Error("FLOPs: a measured kept fraction must lie in (0, 1]");
      }
      kept[static_cast<size_t>(i)] = fraction * t;
    }
    return kept;
  }
  if (policy.keepsDataDependentKeys()) {
    throw Error("FLOPs: policy \"" + policy.toString() +
                "\" keeps a data-dependent number of keys: pass the measured kept fraction");
  }
  policy.validate(layers);
  const bool topK = policy.term(TermRole::Selection) != nullptr;
  for (int layer = 0; layer < layers; ++layer) {
    // Keys each row may use before top-k (a row left empty keeps its best key).
    const at::Tensor allowed = policy.hasStructure()
                                   ? structuralMask(policy, length, layer).sum(-1).clamp_min(1)
                                   : at::full({length}, length, at::kLong);
    const at::Tensor used =
        topK ? topKCount(allowed, policy.sparsityForLayer(layer, layers)) : allowed;
    kept[static_cast<size_t>(layer)] = static_cast<double>(used.sum().item<int64_t>()) / t;
  }
  return kept;
}

ModelFlops denseFlops(const ModelConfig& config, int64_t length, int64_t batch) {
  checkShape(config, length, batch);
  const double b = static_cast<double>(batch), t = static_cast<double>(length);
  const double h = config.hidden;
  ModelFlops model;
  const double tables = config.architecture == Architecture::Bert ? 3.0 : 2.0;
  model.embeddings = b * t * h * (tables - 1.0);
  for (int i = 0; i < config.layers; ++i) model.layers.push_back(layerFlops(config, length, batch));
  model.head = 2.0 * b * (h * h + h * config.numLabels);
  return model;
}

ModelFlops policyFlops(const ModelConfig& config, int64_t length, int64_t batch,
                       const AttentionPolicySpec& policy, AttentionKernel kernel,
                       const std::vector<double>& measuredKeptFraction) {
  ModelFlops model = denseFlops(config, length, batch);
  if (policy.isDense() && measuredKeptFraction.empty()) return model;
  const std::vector<double> kept =
      expectedKeptKeys(policy, config.layers, length, measuredKeptFraction);
  for (int i = 0; i < config.layers; ++i) {
    model.layers[static_cast<size_t>(i)] =
        layerFlops(config, length, batch, kept[static_cast<size_t>(i)], kernel);
  }
  return model;
}

std::vector<PolicyFlopsRow> comparePolicyFlops(const ModelConfig& config, int64_t length,
                                               int64_t batch,
                                               const std::vector<std::string>& policies) {
  const double layers = static_cast<double>(config.layers);
  std::vector<PolicyFlopsRow> rows;
  for (const std::string& text : policies) {
    const AttentionPolicySpec policy = AttentionPolicySpec::parse(text);
    PolicyFlopsRow row;
    row.policy = text;
    for (size_t k = 0; k < kAttentionKernels.size(); ++k) {
      const ModelFlops model = policyFlops(config, length, batch, policy, kAttentionKernels[k]);
      row.layer[k] = model.encoder() / layers;
      for (const LayerFlops& l : model.layers) {
        row.attentionCore[k] += l.attentionCore() / layers;
        if (k == 0) row.keptKeys += l.keptKeys / layers;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string flopsTable(const ModelConfig& config, int64_t length, int64_t batch,
                       const std::vector<std::string>& policies) {
  const ModelFlops dense = denseFlops(config, length, batch);
  const double denseLayer = dense.encoder() / static_cast<double>(config.layers);
  const double denseCore = dense.layers.front().attentionCore();
  std::ostringstream out;
  out << "T = " << length << ", batch " << batch << ", " << config.layers << " layers of hidden "
      << config.hidden << ", " << config.heads << " heads, FFN " << config.intermediate
      << ". Forward GFLOPs per layer (mean over layers); dense model total "
      << format("%.3f", dense.total() / 1e9) << " GFLOPs (embeddings "
      << format("%.3f", dense.embeddings / 1e6) << " MFLOPs, head "
      << format("%.3f", dense.head / 1e6) << " MFLOPs).\n\n";
  out << "| policy | kept keys/row | as implemented | saved | sparse after scores | saved | "
         "ideal sparse | saved | attention core saved (after scores / ideal) |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const PolicyFlopsRow& row : comparePolicyFlops(config, length, batch, policies)) {
    out << "| " << row.policy << " | " << format("%.2f", row.keptKeys);
    for (double layer : row.layer) {
      out << " | " << format("%.4f", layer / 1e9) << " | " << percentSaved(denseLayer, layer);
    }
    out << " | " << percentSaved(denseCore, row.attentionCore[1]) << " / "
        << percentSaved(denseCore, row.attentionCore[2]) << " |\n";
  }
  return out.str();
}

nlohmann::ordered_json flopsJson(const ModelConfig& config, int64_t length, int64_t batch,
                                 const std::vector<std::string>& policies) {
  const ModelFlops dense = denseFlops(config, length, batch);
  nlohmann::ordered_json j;
  j["seq"] = length;
  j["batch"] = batch;
  j["model"] = {{"layers", config.layers},
                {"hidden", config.hidden},
                {"heads", config.heads},
                {"intermediate", config.intermediate}};
  j["dense"] = {{"total_flops", dense.total()},
                {"embeddings_flops", dense.embeddings},
                {"head_flops", dense.head},
                {"layer_flops", dense.encoder() / static_cast<double>(config.layers)}};
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const PolicyFlopsRow& row : comparePolicyFlops(config, length, batch, policies)) {
    nlohmann::ordered_json kernels;
    for (size_t k = 0; k < kAttentionKernels.size(); ++k) {
      kernels[attentionKernelName(kAttentionKernels[k])] = {
          {"layer_flops", row.layer[k]}, {"attention_core_flops", row.attentionCore[k]}};
    }
    rows.push_back(
        {{"policy", row.policy}, {"kept_keys_per_row", row.keptKeys}, {"kernels", kernels}});
  }
  j["policies"] = std::move(rows);
  return j;
}

}  // namespace crisp
