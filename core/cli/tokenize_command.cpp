#include "core/cli/tokenize_command.h"

#include <algorithm>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>
#include <vector>

#include "core/cli/command_support.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/utf8.h"
#include "core/text/sentencepiece.h"
#include "core/text/wordpiece.h"

namespace crisp::cli {
namespace {

// offsets: null, or one byte span per token.
template <typename Id>
void writeLine(std::string& buffer, const std::vector<std::string>& tokens,
               const std::vector<Id>& ids, const std::vector<ByteSpan>* offsets,
               std::ostream& out) {
  buffer.assign("{\"tokens\": [");
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) buffer += ", ";
    buffer += nlohmann::json(tokens[i]).dump();
  }
  buffer += "], \"ids\": [";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) buffer += ", ";
    buffer += std::to_string(ids[i]);
  }
  buffer += "]";
  if (offsets != nullptr) {
    buffer += ", \"offsets\": [";
    for (std::size_t i = 0; i < offsets->size(); ++i) {
      if (i > 0) buffer += ", ";
      const ByteSpan& span = (*offsets)[i];
      buffer += "[" + std::to_string(span.begin) + ", " + std::to_string(span.end) + "]";
    }
    buffer += "]";
  }
  buffer += "}\n";
  out << buffer;
}

std::string where(std::size_t lineNumber) {
  return "stdin line " + std::to_string(lineNumber);
}

int tokenizeLines(const TokenizeOptions& options, std::istream& in, std::ostream& out) {
  if (options.tokenizer.empty()) throw InputError("--tokenizer is required");
  std::string line;
  std::string buffer;
  std::size_t lineNumber = 0;
  const auto readLine = [&]() -> bool {
    if (!std::getline(in, line)) return false;
    ++lineNumber;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const size_t bad = findInvalidUtf8(line); bad != std::string_view::npos) {
      out.flush();
      throw InputError(where(lineNumber) + ": " + describeInvalidUtf8(line, bad));
    }
    return true;
  };

  if (endsWith(options.tokenizer, ".model")) {
    const SentencePieceModel model =
        readingInput([&] { return SentencePieceModel::load(options.tokenizer); });
    std::vector<ByteSpan> offsets;
    while (readLine()) {
      std::vector<std::string> pieces = model.encodeAsPieces(line);
      const SentencePiecePieces encoded = model.encodeWithOffsets(line);
      std::vector<int32_t> ids = encoded.ids;
      offsets.resize(ids.size());
      for (std::size_t i = 0; i < ids.size(); ++i)
        offsets[i] = {encoded.begins[i], encoded.ends[i]};
      if (options.maxLength > 0 && ids.size() > options.maxLength) {
        ids.resize(options.maxLength);
        offsets.resize(options.maxLength);
        pieces.resize(std::min(pieces.size(), options.maxLength));
      }
      writeLine(buffer, pieces, ids, options.offsets ? &offsets : nullptr, out);
    }
    return 0;
  }

  if (options.maxLength == 1) {
    throw InputError("--max-len must be at least 2 for WordPiece: [CLS] and [SEP] take 2");
  }
  const WordPieceTokenizer tokenizer =
      readingInput([&] { return WordPieceTokenizer(options.tokenizer); });
  WordPieceEncodeOptions encodeOptions;
  encodeOptions.maxLength = options.maxLength;
  WordPieceEncoding encoding;
  while (readLine()) {
    tokenizer.encode(line, encoding, encodeOptions);
    writeLine(buffer, encoding.tokens, encoding.ids, options.offsets ? &encoding.offsets : nullptr,
              out);
  }
  out.flush();
  if (!out) throw Error("cannot write the output");
  return 0;
}

}  // namespace

int runTokenize(const TokenizeOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err) {
  try {
    return tokenizeLines(options, in, out);
  } catch (const std::exception& e) {
    return reportError("tokenize", e, err);
  }
}

}  // namespace crisp::cli
