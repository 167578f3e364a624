// libFuzzer target for Hugging Face's fast-tokenizer files: a model directory holding
// tokenizer.json and perhaps tokenizer_config.json (whose settings override it), loaded as
// WordPieceTokenizer(directory) (what `crisp` does for such a model), then one text encoded
// with it.
// Input: tokenizer.json, then optionally a NUL byte and a text to encode, then optionally a NUL
// byte and tokenizer_config.json.
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
  std::string_view text = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  const size_t configStart = text.find('\0');
  const bool hasConfig = configStart != std::string_view::npos;
  const std::string_view config = hasConfig ? text.substr(configStart + 1) : "";
  text = text.substr(0, configStart);
  static const std::string directory = [] {
    const auto path = crisp::fuzz::scratchDirectory() / "model";
    std::filesystem::create_directories(path);
    return path.string();
  }();
  crisp::fuzz::writeScratchFile("model/tokenizer.json", json);
  static const auto configPath = crisp::fuzz::scratchDirectory() / "model/tokenizer_config.json";
  if (hasConfig) {
    crisp::fuzz::writeScratchFile("model/tokenizer_config.json", config);
  } else {
    std::filesystem::remove(configPath);
  }
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
