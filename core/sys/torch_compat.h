#pragma once

// The one place where the two LibTorch lines this project builds against differ in API:
// Debian's 1.13 (the CPU build) and the PyPI wheel's 2.x (the `cuda` preset: 2.11, C++17; from
// 2.12 the headers demand C++20). Everything else in the project is written once.
//
// Differences handled here:
// - optimizer state: 1.13 keys torch::optim::Optimizer::state() by the decimal string of the
//   parameter's TensorImpl address, 2.x by the address itself;
// - random generators of a device: at::globalContext().defaultGenerator(device) in both, kept
//   here so that the CUDA generator has one accessor.

#include <ATen/ATen.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

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

}  // namespace crisp::torch_compat
