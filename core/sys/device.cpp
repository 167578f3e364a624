#include "core/sys/device.h"

#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <algorithm>
#include <cctype>

#include "core/sys/input_error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

const char* kSpellings = "cpu, cuda, cuda:N or auto";

}  // namespace

bool torchHasCuda() {
  // Registered when libc10_cuda.so loads, GPU or not (at::hasCUDA() in 2.x also wants a device).
  return c10::impl::hasDeviceGuardImpl(c10::kCUDA);
}

int cudaDeviceCount() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

std::string normalizeDeviceSpec(const std::string& spec, const std::string& what) {
  std::string lower = spec;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "cpu" || lower == "cuda" || lower == "auto") return lower;
  if (startsWith(lower, "cuda:")) {
    const std::string index = lower.substr(5);
    if (!index.empty() && index.size() <= 4 &&
        std::all_of(index.begin(), index.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return "cuda:" + std::to_string(std::stoi(index));
    }
  }
  throw InputError(what + ": \"" + spec + "\" is not a device (expected " + kSpellings + ")");
}

c10::Device resolveDevice(const std::string& spec, const std::string& what) {
  const std::string canonical = normalizeDeviceSpec(spec, what);
  if (canonical == "cpu") return c10::Device(c10::kCPU);
  const int count = cudaDeviceCount();
  if (canonical == "auto") return count > 0 ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  if (count == 0) {
    throw InputError(what + ": \"" + spec + "\" asks for CUDA, but " +
                     (torchHasCuda() ? std::string("no CUDA device is available (no GPU, or no "
                                                   "driver)")
                                     : std::string("this build's LibTorch ") + TORCH_VERSION +
                                           " has no CUDA support (the `cuda` preset builds one)") +
                     "; use cpu, or auto to take CUDA only where there is one");
  }
  const int index = canonical == "cuda" ? 0 : std::stoi(canonical.substr(5));
  if (index >= count) {
    throw InputError(
        what + ": \"" + spec + "\": there " +
        (count == 1 ? std::string("is 1 CUDA device (cuda:0)")
                    : "are " + std::to_string(count) +
                          " CUDA devices (cuda:0 to cuda:" + std::to_string(count - 1) + ")"));
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string normalizePrecision(const std::string& spec, const std::string& what) {
  std::string lower = spec;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "fp32" || lower == "bf16") return lower;
  if (lower == "fp16") {
    throw InputError(what +
                     ": \"fp16\" needs loss scaling, which crisp does not do; use bf16, "
                     "which needs none");
  }
  throw InputError(what + ": \"" + spec + "\" is not a precision (expected fp32 or bf16)");
}

at::ScalarType computeType(const std::string& precision, const c10::Device& device,
                           const std::string& what) {
  if (normalizePrecision(precision, what) == "fp32") return at::kFloat;
  if (!device.is_cuda()) {
    throw InputError(what + ": bf16 runs on CUDA only (this run is on " + device.str() +
                     "); use fp32, or --device cuda");
  }
  return at::kBFloat16;
}

std::vector<std::string> availableDevices() {
  std::vector<std::string> devices = {"cpu"};
  for (int i = 0; i < cudaDeviceCount(); ++i) devices.push_back("cuda:" + std::to_string(i));
  return devices;
}

}  // namespace crisp
