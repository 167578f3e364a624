#pragma once
// The invariants of a TokenEncoding that every tokenizer fuzz target checks.
#include <cstddef>
#include <cstdint>

#include "core/text/token_encoding.h"
#include "fuzz/fuzz_support.h"

namespace crisp::fuzz {

// ids below vocabularySize, four parallel vectors, masks 0/1, spans inside the text, and at
// most maxLength entries when truncation was asked for.
inline void checkEncoding(const TokenEncoding& e, size_t textSize, size_t vocabularySize,
                          size_t maxLength) {
  require(e.tokens.size() == e.size() && e.attentionMask.size() == e.size() &&
          e.offsets.size() == e.size());
  if (maxLength >= 2) require(e.size() <= maxLength);
  for (size_t i = 0; i < e.size(); ++i) {
    require(e.ids[i] >= 0 && static_cast<size_t>(e.ids[i]) < vocabularySize);
    require(e.attentionMask[i] == 0 || e.attentionMask[i] == 1);
    require(e.offsets[i].begin <= e.offsets[i].end && e.offsets[i].end <= textSize);
  }
}

}  // namespace crisp::fuzz
