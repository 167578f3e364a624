#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "core/text/tokenizer.h"

namespace crisp {

// tokenizer_config.json's settings of a WordPiece configuration, as BertTokenizer writes them.
nlohmann::json wordPieceConfigJson(const WordPieceConfig& config);

// The fast tokenizer's file (tokenizer.json, the `tokenizers` library's format) for a WordPiece
// tokenizer: BertNormalizer, BertPreTokenizer, the WordPiece model with its vocabulary,
// [CLS] ... [SEP] post-processing and the special tokens as added tokens.
nlohmann::json wordPieceTokenizerJson(const WordPieceTokenizer& tokenizer);

// Writes the tokenizer into directory (which must exist) as transformers' AutoTokenizer loads
// it: the tokenizer's own files (writeFiles), and for WordPiece also tokenizer.json,
// special_tokens_map.json and a tokenizer_config.json naming tokenizerClass with
// model_max_length = modelMaxLength (the tokens the model takes). SentencePiece gets
// tokenizer_config.json (AlbertTokenizer, the slow class closest to crisp's use) and
// special_tokens_map.json. Returns the names written.
std::vector<std::string> writeHuggingFaceTokenizer(const Tokenizer& tokenizer,
                                                   const std::string& directory,
                                                   std::size_t modelMaxLength,
                                                   const std::string& tokenizerClass);

}  // namespace crisp
