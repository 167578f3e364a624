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
//   parameters on a GPU (no CUDA build of ours uses 1.13);
// - autocast (mixed precision): per device type in 2.x, CUDA-only calls in 1.13;
// - c10d's collectives: ProcessGroupGloo and ProcessGroupNCCL derive from c10d::Backend in 2.x,
//   from c10d::ProcessGroup in 1.13.

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#define CRISP_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||        \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace c10d {
class Backend;
class ProcessGroup;
}  // namespace c10d

namespace crisp::torch_compat {

// The base class of c10d's process groups (Gloo, NCCL): what a collective is called on.
#if CRISP_TORCH_AT_LEAST(2, 0)
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

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

// Mixed precision on one device for the scope's lifetime, as PyTorch's torch.autocast: matrix
// products and linear layers run in `type` (bfloat16), numerically sensitive operations
// (softmax, layer norm, losses) in float32; parameters and gradients stay float32. Autocast is
// thread-local, so the scope acts on the thread that creates it. kFloat: does nothing.
class AutocastScope {
 public:
  AutocastScope(const c10::Device& device, at::ScalarType type)
      : active_(type != at::kFloat), deviceType_(device.type()) {
    if (!active_) return;
#if CRISP_TORCH_AT_LEAST(2, 4)
    wasEnabled_ = at::autocast::is_autocast_enabled(deviceType_);
    previousType_ = at::autocast::get_autocast_dtype(deviceType_);
    at::autocast::set_autocast_enabled(deviceType_, true);
    at::autocast::set_autocast_dtype(deviceType_, type);
#else
    if (deviceType_ != c10::DeviceType::CUDA) {
      throw std::logic_error("autocast on " + device.str() + " needs LibTorch 2.4 or later");
    }
    wasEnabled_ = at::autocast::is_enabled();
    previousType_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(type);
#endif
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();  // cached casts
#if CRISP_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_dtype(deviceType_, previousType_);
    at::autocast::set_autocast_enabled(deviceType_, wasEnabled_);
#else
    at::autocast::set_autocast_gpu_dtype(previousType_);
    at::autocast::set_enabled(wasEnabled_);
#endif
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_;
  c10::DeviceType deviceType_;
  bool wasEnabled_ = false;
  at::ScalarType previousType_ = at::kFloat;
};

// Turns autocast off on a device type for the scope's lifetime (for a computation that must
// stay float32 inside an AutocastScope).
class AutocastPause {
 public:
  explicit AutocastPause(c10::DeviceType deviceType) : deviceType_(deviceType) {
#if CRISP_TORCH_AT_LEAST(2, 4)
    wasEnabled_ = at::autocast::is_autocast_enabled(deviceType_);
    at::autocast::set_autocast_enabled(deviceType_, false);
#else
    wasEnabled_ = deviceType_ == c10::DeviceType::CUDA && at::autocast::is_enabled();
    if (wasEnabled_) at::autocast::set_enabled(false);
#endif
  }
  ~AutocastPause() {
#if CRISP_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(deviceType_, wasEnabled_);
#else
    if (wasEnabled_) at::autocast::set_enabled(true);
#endif
  }
  AutocastPause(const AutocastPause&) = delete;
  AutocastPause& operator=(const AutocastPause&) = delete;

 private:
  c10::DeviceType deviceType_;
  bool wasEnabled_ = false;
};

}  // namespace crisp::torch_compat
