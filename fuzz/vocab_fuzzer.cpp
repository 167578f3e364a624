// libFuzzer target for vocab.txt (WordPieceTokenizer::fromVocabText, what loading a vocabulary
// file or directory calls) and encoding with the loaded vocabulary.
// Input: one byte of settings (bits: lower-case, accents given, strip accents, no Chinese
// split, skip invalid UTF-8, pad; the top two bits pick a truncation length), then vocab.txt,
// then optionally a NUL byte and a text to encode.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/sys/error.h"
#include "core/text/wordpiece.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/token_encoding_check.h"

using crisp::fuzz::bytes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const std::string_view rest = bytes(data + 1, size - 1);
  const size_t nul = rest.find('\0');
  const std::string_view vocab = rest.substr(0, nul);
  const std::string_view text = nul == std::string_view::npos ? "" : rest.substr(nul + 1);

  crisp::WordPieceConfig config;
  config.doLowerCase = flags & 1;
  if (flags & 2) config.stripAccents = (flags & 4) != 0;
  config.tokenizeChineseChars = (flags & 8) == 0;
  crisp::WordPieceEncodeOptions options;
  options.invalidUtf8 = flags & 16 ? crisp::InvalidUtf8::kSkip : crisp::InvalidUtf8::kThrow;
  options.padToMaxLength = flags & 32;
  options.maxLength = static_cast<size_t>(flags >> 6) * 3;  // 0 (none), 3, 6 or 9
  try {
    const auto tokenizer = crisp::WordPieceTokenizer::fromVocabText(vocab, config, "vocab.txt");
    const auto encoding = tokenizer.encode(text, options);
    crisp::fuzz::checkEncoding(encoding, text.size(), tokenizer.size(), options.maxLength);
    for (const auto& token : tokenizer.tokenize(text, options.invalidUtf8)) {
      crisp::fuzz::require(!token.empty());
    }
    crisp::fuzz::tally(true);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
  }
  return 0;
}
