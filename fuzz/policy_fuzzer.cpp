// libFuzzer target for attention policy strings (AttentionPolicySpec::parse, the one parser
// behind --attention, experiment and sweep files and the studio). An accepted policy must
// validate or be refused for a model's layers and positions, and its canonical string and JSON
// must parse back to the same policy.
// Input: one byte (layers 1..16 in the low bits; the top bit: 512 positions, else unchecked),
// then the policy string.
#include <ATen/ATen.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model/attention_policy.h"
#include "core/sys/error.h"
#include "fuzz/fuzz_support.h"

using crisp::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int layers = (data[0] & 15) + 1;
  const int maxPositions = data[0] & 128 ? 512 : 0;
  const std::string text(crisp::fuzz::bytes(data + 1, size - 1));
  crisp::AttentionPolicySpec spec;
  try {
    spec = crisp::AttentionPolicySpec::parse(text);
    spec.validate(layers, maxPositions);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
    return 0;
  }
  crisp::fuzz::tally(true);
  const std::string canonical = spec.toString();
  require(crisp::AttentionPolicySpec::parse(canonical).toString() == canonical);
  require(crisp::AttentionPolicySpec::fromJson(spec.toJson()).toString() == canonical);
  for (int layer = 0; layer < layers; ++layer) {
    const double sparsity = spec.sparsityForLayer(layer, layers);
    require(sparsity >= 0 && sparsity <= 1);
  }
  // The structural mask of a short sequence, when the policy has one: [T, T].
  const int64_t length = 1 + data[0] % 9;
  const at::Tensor mask = crisp::structuralMask(spec, length, layers - 1);
  if (mask.defined()) {
    require(mask.dim() == 2 && mask.size(0) == length && mask.size(1) == length);
  }
  return 0;
}
