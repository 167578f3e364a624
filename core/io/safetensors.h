#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

#include "core/io/safetensors_header.h"

namespace crisp {

// A safetensors file (https://github.com/huggingface/safetensors, format described there):
// little-endian u64 header length, a JSON header mapping names to dtype, shape and
// data_offsets (plus optional "__metadata__" of strings), then the raw little-endian data.
struct SafeTensors {
  std::vector<std::pair<std::string, at::Tensor>> tensors;  // in file offset order
  std::map<std::string, std::string> metadata;
};

// Reads and validates every field: header length against the file size, the JSON, each dtype
// (F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL), shape, and offsets (in range, matching the shape,
// neither overlapping nor leaving holes). Errors name the file and the tensor.
SafeTensors readSafeTensors(const std::string& path);

// The header parser alone, parseSafeTensorsHeader, is in core/io/safetensors_header.h.

// Writes contiguous copies of the tensors (any supported dtype) atomically.
void writeSafeTensors(const std::string& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace crisp
