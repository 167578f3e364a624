#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/model/policy_term.h"

namespace crisp {

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

// An attention policy: terms joined by '+' ("dense", "crisp:0.8", "nodiag+crisp:0.8",
// "bigbird:3:1:2:7+crisp:0.5", "dam:0.001:structured"). Each kind of term is declared once in
// core/model/policy_terms/ (see policy_term.h); this type composes them: structural masks
// first (padding, the diagonal, a pattern), then a selection among the keys still allowed,
// a learned mask, and whether it prunes outside training.
struct AttentionPolicySpec {
  std::vector<PolicyTerm> terms;  // canonical order (by role); none for "dense"

  bool isDense() const;              // nothing prunes (no term, or train-only alone)
  bool appliesInEvaluation() const;  // false with train-only
  bool hasStructure() const;         // a diagonal or pattern term
  const PolicyTerm* term(TermRole role) const;
  bool keepsDataDependentKeys() const;  // top-p or a learned mask
  // The sparsity s of `layer` (0-based) of `layers`; 0 when no top-k rule applies.
  double sparsityForLayer(int layer, int layers) const;
  DamSpec dam() const;  // enabled only with a dam term
  void freezeDam();     // the dam term gains :frozen
  // Checks what needs the model; throws crisp::Error. Ranges are checked by parse already.
  void validate(int layers, int maxPositions = 0) const;

  static AttentionPolicySpec parse(const std::string& text);  // throws crisp::Error
  std::string toString() const;
  nlohmann::json toJson() const;
  static AttentionPolicySpec fromJson(const nlohmann::json& json);
};

// The DAM configuration a dam term declares (core/model/policy_terms/dam.cpp).
DamSpec damSpecOf(const PolicyTerm& term);

// What one layer's attention looked like, [batch, heads, query, key] each.
struct LayerAttention {
  at::Tensor before;  // dense softmax with the padding mask only
  at::Tensor after;   // probabilities after the policy (what the model used)
  at::Tensor keep;    // bool: keys the policy kept
};

// Allowed (query, key) pairs of the structural part of a policy for length T: bool [T, T].
at::Tensor structuralMask(const AttentionPolicySpec& spec, int64_t length, int layer);

// Applies the policy to scaled scores [B, H, Q, T] given the key padding mask [B, T] (1 = real).
// The Q query rows are the first Q positions (Q = T but in a last layer that computes only the
// [CLS] row). Returns the probabilities after the policy; with capture, also fills it. No row is
// ever empty: a row whose every key is removed keeps its best-scoring real key. damMask, when
// defined, is the layer's DAM mask M [H, T, T] (values 0/1, straight-through gradient).
at::Tensor attentionProbabilities(const at::Tensor& scores, const at::Tensor& keyMask,
                                  const AttentionPolicySpec& spec, int layer, int layers,
                                  bool training, LayerAttention* capture,
                                  const at::Tensor& damMask = {});

}  // namespace crisp
