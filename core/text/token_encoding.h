#pragma once
// The result of encoding one text, shared by every tokenizer (WordPiece fills it directly on its
// fast path; SentencePiece fills it the same way). No Qt, no LibTorch.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

// Half-open byte range [begin, end) into the original UTF-8 text; empty for added [CLS]/[SEP]/
// [PAD], which come from no text.
struct ByteSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return begin == end; }
  bool operator==(const ByteSpan& o) const { return begin == o.begin && end == o.end; }
  bool operator!=(const ByteSpan& o) const { return !(*this == o); }
};

// One encoded text; all four vectors have the same length.
struct TokenEncoding {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<int32_t> attentionMask;  // 1 for real tokens, 0 for padding
  std::vector<ByteSpan> offsets;       // byte spans into the original text
  std::size_t size() const { return ids.size(); }
  void clear() {
    ids.clear();
    tokens.clear();
    attentionMask.clear();
    offsets.clear();
  }
};

}  // namespace crisp
