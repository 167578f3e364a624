#pragma once

#include <torch/optim/adamw.h>

#include <vector>

namespace crisp {

// torch::optim::AdamW whose update reads and writes each parameter's memory once.
//
// LibTorch's AdamW updates a parameter with nine ATen operations (weight decay, two moment
// updates, sqrt, division, epsilon, addcdiv), each a pass over the tensor, two of them
// allocating; for a model whose step is dominated by a large embedding table that is most of
// the optimizer's time. This class computes the same update element by element in one
// vectorised, multi-threaded loop. Options, parameter groups and state (step, exp_avg,
// exp_avg_sq) are torch's own, so checkpoints written by either class load into the other.
//
// Also folds gradient clipping into the same pass: step(gradScale) multiplies each gradient
// as it is read, which equals torch::nn::utils::clip_grad_norm_'s in-place scaling followed
// by a step, without its extra pass over every gradient.
//
// On a GPU it calls ATen's fused multi-tensor AdamW kernel (at::_fused_adamw_, the update of
// PyTorch's AdamW(fused=True)): one launch per parameter group instead of nine per parameter.
//
// Limits (a clear error otherwise): float32 parameters and dense gradients, on the device of
// their group; no amsgrad.
class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;

  at::Tensor step(LossClosure closure = nullptr) override;
  void step(float gradScale);

  // Releases every gradient (PyTorch's zero_grad(set_to_none=True)): the next backward then
  // writes fresh gradients instead of adding into zeroed ones, one pass less per parameter.
  void releaseGradients();

 private:
  // The parameter's AdamW state, created (zero moments) on its first step.
  torch::optim::AdamWParamState& stateOf(const at::Tensor& p);
  void stepOnGpu(torch::optim::OptimizerParamGroup& group, float gradScale);
};

// The gradient clipping of torch::nn::utils::clip_grad_norm_ (L2), split in two: the global
// norm of the gradients and the factor they must be multiplied by (at most 1). The arithmetic
// is float32, as torch's, so the factor is the one torch would apply.
struct GradientClip {
  double norm = 0.0;
  float scale = 1.0F;
};
GradientClip gradientClip(const std::vector<at::Tensor>& parameters, double maxNorm);

}  // namespace crisp
