// libFuzzer target for Hugging Face's fast-tokenizer file: a model directory holding only
// tokenizer.json, loaded as WordPieceTokenizer(directory) (what `crisp` does for such a model),
// then one text encoded with it.
// Input: tokenizer.json, then optionally a NUL byte and a text to encode.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/sys/error.h"
#include "core/text/wordpiece.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/token_encoding_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = crisp::fuzz::bytes(data, size);
  const size_t nul = input.find('\0');
  const std::string_view json = input.substr(0, nul);
  const std::string_view text = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  static const std::string directory = [] {
    const auto path = crisp::fuzz::scratchDirectory() / "model";
    std::filesystem::create_directories(path);
    return path.string();
  }();
  crisp::fuzz::writeScratchFile("model/tokenizer.json", json);
  try {
    const crisp::WordPieceTokenizer tokenizer(directory);
    crisp::WordPieceEncodeOptions options;
    options.invalidUtf8 = crisp::InvalidUtf8::kSkip;
    const auto encoding = tokenizer.encode(text, options);
    crisp::fuzz::checkEncoding(encoding, text.size(), tokenizer.size(), 0);
    crisp::fuzz::tally(true);
  } catch (const crisp::Error&) {
    crisp::fuzz::tally(false);
  }
  return 0;
}
