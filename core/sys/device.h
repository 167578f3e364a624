#pragma once

#include <c10/core/Device.h>

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

}  // namespace crisp
