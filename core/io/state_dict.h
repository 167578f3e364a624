#pragma once

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace crisp {

using StateDict = std::vector<std::pair<std::string, at::Tensor>>;

// Reads a state dict from model.safetensors or pytorch_model.bin (PyTorch's zip format, whose
// records' CRC-32 are checked: LibTorch's reader does not).
StateDict readStateDict(const std::string& path);

}  // namespace crisp
