#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace crisp {

// SparseBERT's fixed sparse patterns (Shi et al. 2021, their comparison), bidirectional.
enum class PatternKind { None, Window, Strided, Fixed, Longformer, Star, BigBird, LogSparse };

struct FixedPattern {
  PatternKind kind = PatternKind::None;
  int window = 3;        // Window/Longformer/BigBird: |i - j| <= window
  int stride = 8;        // Strided: |i-j| < stride or stride divides i-j; Fixed: block length
  int globalTokens = 1;  // Longformer/Star/BigBird: the first g tokens attend and are attended
  int randomKeys = 2;    // BigBird: extra random keys per query row
  uint64_t seed = 0;     // BigBird's random keys
};

// How crisp top-k chooses the sparsity s of each layer.
enum class SparsitySchedule { None, Uniform, PerLayer, Ramp, TopP };

struct CrispSelection {
  SparsitySchedule schedule = SparsitySchedule::None;
  double sparsity = 0.0;         // Uniform; the mean for Ramp
  std::vector<double> perLayer;  // PerLayer: one s per layer
  double rampSpread = 0.1;       // Ramp: s goes from mean - spread (first) to mean + spread
  double topP = 0.9;             // TopP: keep the smallest set with dense mass >= p
};

// SparseBERT's Differentiable Attention Mask: learnable logits alpha per head, relaxed with a
// Gumbel-sigmoid (temperature tau) and hard straight-through; the loss gains lambda * mean(M).
struct DamSpec {
  bool enabled = false;
  bool structured = false;  // one logit per diagonal offset |i - j| instead of per pair
  bool shared = true;       // one mask for all layers (the authors' code) or one per layer
  int maxLength = 0;        // positions covered; 0 = the model's max_position_embeddings
  double temperature = 1.0;
  double lambda = 1e-3;
  double learningRate = 1e-2;  // its own learning rate (assumption: SparseBERT's is not given)
  bool frozen = false;         // binarised into a fixed pattern (second fine-tuning phase)
};

// An attention policy: structural masks first (padding, diagonal removal, a fixed pattern),
// then crisp selection among the keys still allowed. Text form (see parse): policies joined by
// '+', e.g. "dense", "crisp:0.8", "nodiag+crisp:0.8", "ramp:0.7:0.2", "layers:0.5,0.6",
// "topp:0.9", "window:3", "strided:8", "fixed:8", "longformer:3:1", "star", "bigbird:3:1:2:7",
// "logsparse".
struct AttentionPolicySpec {
  bool removeDiagonal = false;
  FixedPattern pattern;
  CrispSelection crisp;
  DamSpec dam;
  bool applyInEval = true;  // also prune at evaluation and inference

  bool isDense() const;
  // The sparsity s of `layer` (0-based) of `layers`; 0 when no top-k applies.
  double sparsityForLayer(int layer, int layers) const;
  void validate(int layers) const;  // throws crisp::Error

  static AttentionPolicySpec parse(const std::string& text);
  std::string toString() const;
  nlohmann::json toJson() const;
  static AttentionPolicySpec fromJson(const nlohmann::json& json);
};

// What one layer's attention looked like, [batch, heads, query, key] each.
struct LayerAttention {
  at::Tensor before;  // dense softmax with the padding mask only
  at::Tensor after;   // probabilities after the policy (what the model used)
  at::Tensor keep;    // bool: keys the policy kept
};

// Allowed (query, key) pairs of the structural part of a policy for length T: bool [T, T].
at::Tensor structuralMask(const AttentionPolicySpec& spec, int64_t length, int layer);

// Applies the policy to scaled scores [B, H, T, T] given the key padding mask [B, T] (1 = real).
// Returns the probabilities after the policy; with capture, also fills it. No row is ever
// empty: a row whose every key is removed keeps its best-scoring real key. damMask, when
// defined, is the layer's DAM mask M [H, T, T] (values 0/1, straight-through gradient).
at::Tensor attentionProbabilities(const at::Tensor& scores, const at::Tensor& keyMask,
                                  const AttentionPolicySpec& spec, int layer, int layers,
                                  bool training, LayerAttention* capture,
                                  const at::Tensor& damMask = {});

}  // namespace crisp
