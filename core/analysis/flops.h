#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/model/config.h"

namespace crisp {

struct AttentionPolicySpec;

// FLOPs of one forward pass of a BERT-family classifier, batch B of full-length rows of T
// tokens (no padding). Conventions:
//  - a matrix product [m, k] x [k, n] is m*n*k multiply-adds, and one multiply-add is 2 FLOPs;
//  - softmax costs 3 FLOPs per (query, key) entry it covers: one exp, one add into the row sum,
//    one divide (the max subtraction for stability is not counted);
//  - the 1/sqrt(d) scaling of Q is 1 FLOP per element of Q;
//  - not counted: bias adds, LayerNorm, GELU/ReLU, residual adds, dropout, embedding lookups,
//    masks and the top-k selection itself (comparisons and copies, not arithmetic). Together
//    they are well under 1% of a distilbert-base layer.
// A training step (forward + backward) costs about 3x the forward FLOPs.

// Which keys a pruned layer actually pays for.
enum class AttentionKernel {
  // What crisp's code does (core/model/attention_policy.cpp, classifier.cpp): all QK^T scores,
  // a softmax over every key of the row (removed keys are -inf, their exp is still computed) and
  // a dense P.V product over the zeroed probabilities. A pruned layer costs what a dense one does.
  AsImplemented,
  // A sparse top-k kernel: all QK^T scores (top-k must see them to choose), then the softmax
  // and P.V over the kept keys only.
  SparseAfterScores,
  // QK^T, softmax and P.V over the kept keys only: a kernel that knows the kept keys before
  // scoring (possible for fixed patterns, not for top-k). The lower bound.
  IdealSparse,
};

std::string attentionKernelName(AttentionKernel kernel);  // "as-implemented" | ...

// One encoder layer, in FLOPs.
struct LayerFlops {
  double projections = 0;  // Q, K, V and output projections
  double scores = 0;       // Q scaling and QK^T
  double softmax = 0;
  double context = 0;   // P.V
  double ffn = 0;       // both FFN linears
  double keptKeys = 0;  // mean keys per query row the policy keeps (T when dense)

  double attentionCore() const { return scores + softmax + context; }  // the T x T part
  double total() const { return projections + attentionCore() + ffn; }
};

struct ModelFlops {
  double embeddings = 0;  // the sums of the embedding tables (word + position [+ type])
  std::vector<LayerFlops> layers;
  double head = 0;  // DistilBERT pre_classifier + classifier; BERT pooler + classifier

  double encoder() const;
  double total() const { return embeddings + encoder() + head; }
};

// Keys the crisp rule keeps in a row with `allowedKeys` keys: max(1, ceil((1 - s) n)), by
// topKCount (core/model/policy_term.h), the rule the model runs ((1 - 0.8) * 5 keeps 1 key).
int64_t crispKeptKeys(int64_t allowedKeys, double sparsity);

// One layer with `keptKeys` keys per query row (a mean; <= T). keptKeys < 0 means dense (T).
LayerFlops layerFlops(const ModelConfig& config, int64_t length, int64_t batch,
                      double keptKeys = -1,
                      AttentionKernel kernel = AttentionKernel::AsImplemented);

// The mean keys kept per query row in each layer, for full-length rows of `length` tokens, when
// the policy prunes (training, or evaluation without train-only). Crisp schedules (uniform,
// ramp, per-layer), no-diagonal and fixed patterns are exact: each row's allowed keys n, then
// k = crispKeptKeys(n, s). Top-p and DAM depend on the data: pass the measured kept fraction of
// the row's `length` keys, one value per layer or one for all layers; a measured fraction, when
// given, is used for any policy. Throws crisp::Error when a needed measurement is missing or
// a fraction lies outside (0, 1].
std::vector<double> expectedKeptKeys(const AttentionPolicySpec& policy, int layers, int64_t length,
                                     const std::vector<double>& measuredKeptFraction = {});

ModelFlops denseFlops(const ModelConfig& config, int64_t length, int64_t batch);
ModelFlops policyFlops(const ModelConfig& config, int64_t length, int64_t batch,
                       const AttentionPolicySpec& policy, AttentionKernel kernel,
                       const std::vector<double>& measuredKeptFraction = {});

// The kernels a comparison covers, in the order of PolicyFlopsRow's arrays.
inline constexpr std::array<AttentionKernel, 3> kAttentionKernels = {
    AttentionKernel::AsImplemented, AttentionKernel::SparseAfterScores,
    AttentionKernel::IdealSparse};

// One policy against dense, for full-length rows: the mean kept keys per row and, per kernel
// (kAttentionKernels' order), the encoder's and the attention core's (QK^T + softmax + P.V)
// forward FLOPs per layer, means over layers.
struct PolicyFlopsRow {
  std::string policy;  // its text form, e.g. "crisp:0.8"
  double keptKeys = 0;
  std::array<double, kAttentionKernels.size()> layer{}, attentionCore{};
};

// One row per policy (text form); throws crisp::Error for a policy that does not parse.
std::vector<PolicyFlopsRow> comparePolicyFlops(const ModelConfig& config, int64_t length,
                                               int64_t batch,
                                               const std::vector<std::string>& policies);

// A Markdown table: for each policy (text form, e.g. "crisp:0.8"), the mean kept keys, the
// per-layer GFLOPs and the saving against dense under each kernel, and the saving of the
// attention core (QK^T + softmax + P.V) alone. Layer figures are the mean over layers.
std::string flopsTable(const ModelConfig& config, int64_t length, int64_t batch,
                       const std::vector<std::string>& policies);

// The same comparison as JSON (`crisp bench flops --json`; schema in docs/CLI.md): seq, batch,
// model sizes, the dense totals, and per policy kept_keys_per_row and per kernel layer_flops
// and attention_core_flops.
nlohmann::ordered_json flopsJson(const ModelConfig& config, int64_t length, int64_t batch,
                                 const std::vector<std::string>& policies);

}  // namespace crisp
