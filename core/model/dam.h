#pragma once

#include <torch/nn/module.h>

#include <vector>

#include "core/model/attention_policy.h"

namespace crisp {

// The learnable part of SparseBERT's Differentiable Attention Mask: logits alpha per head, per
// (query, key) pair or per diagonal offset |i - j|, shared by all layers or one set per layer.
class DamMask : public torch::nn::Module {
 public:
  DamMask(const DamSpec& spec, int layers, int heads, int maxPositions);

  // The masks M [H, T, T] of one forward pass, one per group (1 when shared). Training:
  // Gumbel-sigmoid sample with hard straight-through; evaluation or frozen: alpha > 0.
  std::vector<at::Tensor> sample(int64_t length, bool training) const;
  at::Tensor maskForLayer(const std::vector<at::Tensor>& masks, int layer) const;

  // sigma(alpha) expanded to [groups, H, L, L]: what the studio shows as the learned mask.
  at::Tensor keepProbabilities() const;

  // Binarises the mask into a fixed pattern: alpha stops learning and M = [alpha > 0].
  void freeze();

  bool matches(const DamSpec& spec, int layers, int heads, int maxPositions) const;
  const DamSpec& spec() const { return spec_; }
  void setSpec(const DamSpec& spec) { spec_ = spec; }
  at::Tensor logits;  // [groups, H, L, L] or [groups, H, L]

 private:
  at::Tensor expand(const at::Tensor& perGroup, int64_t length) const;  // -> [H, T, T]
  DamSpec spec_;
  int layers_, heads_, length_;
};

}  // namespace crisp
