#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>
#include <vector>

namespace crisp {

// Where a run trains or a model evaluates: "cpu", "cuda" (= cuda:0), "cuda:N" or "auto" (cuda:0
// when torch::cuda::is_available(), else cpu). The flag `--device`, an experiment file's
// "device" key and the studio's Device combo all take these spellings.

// Checks the spelling; returns it in canonical form ("CUDA:0" -> "cuda:0"; "cuda" stays
// "cuda"). Throws crisp::InputError naming `what` (the flag or key) otherwise.
std::string normalizeDeviceSpec(const std::string& spec, const std::string& what);

// The device a spec names on this machine. Throws crisp::InputError naming `what` when it asks
// for CUDA and this LibTorch has none (a CPU build, or no GPU or driver found), or for a
// device index beyond torch::cuda::device_count().
c10::Device resolveDevice(const std::string& spec, const std::string& what);

// The devices this process can use: "cpu", then "cuda:0" ... "cuda:N-1".
std::vector<std::string> availableDevices();

// Whether this LibTorch was built with CUDA, and its CUDA devices right now.
bool torchHasCuda();
int cudaDeviceCount();

// The arithmetic a run trains in: "fp32" (everything float32, the default) or "bf16" (mixed
// precision on CUDA: matrix products in bfloat16 under autocast; attention scores, the policy's
// choice of keys, softmax, layer norm, the loss, parameters, gradients and optimizer state in
// float32; evaluation in float32). The flag `--precision` and an experiment file's "precision"
// key take these spellings.

// Checks the spelling; returns it in lower case. Throws crisp::InputError naming `what`
// otherwise; "fp16" is refused with the reason (it needs loss scaling, which crisp lacks).
std::string normalizePrecision(const std::string& spec, const std::string& what);

// The type autocast computes in for a precision on a device: kFloat for fp32 (no autocast),
// kBFloat16 for bf16 on CUDA. Throws crisp::InputError naming `what` for bf16 on the CPU.
at::ScalarType computeType(const std::string& precision, const c10::Device& device,
                           const std::string& what);

}  // namespace crisp
