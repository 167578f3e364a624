#pragma once

// The one place where the two LibTorch lines this project builds against differ in API:
// Debian's 1.13 (the CPU build) and the PyPI wheel's 2.x (the `cuda` preset: 2.11, C++17; from
// 2.12 the headers demand C++20). Everything else in the project is written once.
//
// Differences handled here:
// - optimizer state: 1.13 keys torch::optim::Optimizer::state() by the decimal string of the
//   parameter's TensorImpl address, 2.x by the address itself;
// - random generators of a device: at::globalContext().defaultGenerator(device) in both, kept
//   here so that the CUDA generator has one accessor;
// - ATen's multi-tensor kernels (at::_foreach_norm, at::_fused_adamw_): 2.x only, used for
//   parameters on a GPU (no CUDA build of ours uses 1.13).

#include <ATen/ATen.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

#include <sstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#define CRISP_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace crisp::torch_compat {

// The key type of torch::optim::Optimizer::state().
using OptimizerStateKey =
    typename std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

// The key under which an optimizer keeps a parameter's state. (A template so that only the
// branch of this LibTorch's key type is compiled.)
template <typename Key = OptimizerStateKey>
Key optimizerStateKey(const at::Tensor& parameter) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;  // what 1.13's c10::guts::to_string(pointer) writes
    text << parameter.unsafeGetTensorImpl();
    return text.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

// The default random generator of a device (CPU or cuda:N).
inline at::Generator defaultGenerator(const at::Device& device) {
  return at::globalContext().defaultGenerator(device);
}

// Whether this LibTorch has ATen's multi-tensor AdamW kernel.
inline constexpr bool kHasFusedAdamW = CRISP_TORCH_AT_LEAST(2, 1);

// ATen's fused AdamW (amsgrad off): one kernel launch per group of tensors instead of nine
// operations per parameter. `steps` hold each parameter's step count after this step (float32
// on the parameters' device); gradients are divided by gradDivisor when it is defined (and
// written back divided). Throws std::logic_error where kHasFusedAdamW is false.
inline void fusedAdamW(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                       const std::vector<at::Tensor>& expAvgs,
                       const std::vector<at::Tensor>& expAvgSqs,
                       const std::vector<at::Tensor>& steps, double lr, double beta1, double beta2,
                       double weightDecay, double eps, const at::Tensor& gradDivisor) {
#if CRISP_TORCH_AT_LEAST(2, 1)
  std::optional<at::Tensor> divisor;
  if (gradDivisor.defined()) divisor = gradDivisor;
  at::_fused_adamw_(params, grads, expAvgs, expAvgSqs, {}, steps, lr, beta1, beta2, weightDecay,
                    eps, /*amsgrad=*/false, /*maximize=*/false, divisor, std::nullopt);
#else
  (void)params, (void)grads, (void)expAvgs, (void)expAvgSqs, (void)steps, (void)lr, (void)beta1,
      (void)beta2, (void)weightDecay, (void)eps, (void)gradDivisor;
  throw std::logic_error("at::_fused_adamw_ needs LibTorch 2.1 or later");
#endif
}

// The L2 norm of each tensor: one multi-tensor kernel on 2.x, a loop on 1.13.
inline std::vector<at::Tensor> norms(const std::vector<at::Tensor>& tensors) {
#if CRISP_TORCH_AT_LEAST(2, 0)
  return at::_foreach_norm(tensors, 2);
#else
  std::vector<at::Tensor> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(t.norm(2));
  return out;
#endif
}

}  // namespace crisp::torch_compat
