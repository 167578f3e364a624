#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace crisp::cli {

struct TokenizeOptions {
  std::string tokenizer;      // a WordPiece directory or vocab file, or a SentencePiece .model
  std::size_t maxLength = 0;  // > 0: truncate each line to this many ids ([SEP] kept)
  bool json = true;           // one JSON object per line (the only format so far)
  bool offsets = false;       // add each token's byte span in the line
};

// `crisp tokenize`: reads lines from in, writes {"tokens": [...], "ids": [...]} per line to out.
// WordPiece adds [CLS] and [SEP]; SentencePiece adds nothing. Returns the exit code: 2 for bad
// input (a tokenizer that cannot be read, invalid UTF-8, named by its line) with one line on err.
int runTokenize(const TokenizeOptions& options, std::istream& in, std::ostream& out,
                std::ostream& err);

}  // namespace crisp::cli
