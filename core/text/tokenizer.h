#pragma once
// One interface for the tokenizers a classifier can use: WordPiece (Hugging Face's BertTokenizer,
// wordpiece.h) and SentencePiece (a .model through the isolation shim, sentencepiece.h). No Qt,
// no LibTorch.
//
// Every encoding is [CLS] pieces... [SEP]; truncation to maxLength keeps the final [SEP].
//
// Special ids. WordPiece takes them from its vocabulary and tokenizer_config.json. SentencePiece,
// for any .model (crisp's or the user's):
//   [CLS] = the piece "[CLS]" if the model has it, else its BOS id;
//   [SEP] = the piece "[SEP]" if the model has it, else its EOS id;
//           (a model with neither is refused, naming the file)
//   [UNK] = its unk id (every SentencePiece model has one);
//   [PAD] = its pad id; else the piece "[PAD]" or "<pad>"; else, as a documented fallback, the
//           unk id (padding is masked out, so only the [UNK] embedding's gradient is affected).
// A SentencePiece model crisp trains defines them all (see trainSentencePieceTokenizer):
// [PAD] = 0, [UNK] = 1, [CLS] = 2 (its BOS), [SEP] = 3 (its EOS), as control pieces that text
// can never produce.
//
// Text. Invalid UTF-8 throws crisp::Error naming the byte (InvalidUtf8::kThrow) or its bytes are
// dropped (kSkip), for both kinds. Empty text encodes as [CLS] [SEP]. Offsets are byte spans into
// the original text (empty for [CLS]/[SEP]).
//
// Storage. storeTokenizer writes a directory that openTokenizer restores exactly: the tokenizer's
// files (vocab.txt with tokenizer_config.json / special_tokens_map.json, or spiece.model) and
// crisp_tokenizer.json, which records the kind, vocabulary size, special ids and provenance.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/text/token_encoding.h"
#include "core/text/wordpiece.h"

namespace crisp {

enum class TokenizerKind { WordPiece, SentencePiece };
const char* toString(TokenizerKind kind);  // "wordpiece" / "sentencepiece"

struct TokenizerEncodeOptions {
  std::size_t maxLength = 0;  // > 0: at most this many ids in all (at least 2), [SEP] kept last
  InvalidUtf8 invalidUtf8 = InvalidUtf8::kThrow;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // [CLS] text's tokens [SEP] (see above). Thread-safe (const).
  TokenEncoding encode(std::string_view text, const TokenizerEncodeOptions& options = {}) const;
  // The same, reusing out's storage.
  void encode(std::string_view text, TokenEncoding& out,
              const TokenizerEncodeOptions& options = {}) const;

  virtual TokenizerKind kind() const = 0;
  virtual int32_t clsId() const = 0;
  virtual int32_t sepId() const = 0;
  virtual int32_t padId() const = 0;
  virtual int32_t unkId() const = 0;
  virtual std::size_t vocabSize() const = 0;                // ids are 0 .. vocabSize() - 1
  virtual std::string idToToken(int32_t id) const = 0;      // the unknown token when out of range
  virtual const std::string& name() const = 0;              // where it came from, for messages
  virtual std::size_t modelMaxLength() const { return 0; }  // 0: no limit of its own
  // The WordPiece tokenizer underneath, or null.
  virtual const WordPieceTokenizer* wordPiece() const { return nullptr; }

  // {"kind", "vocab_size", "special_ids": {cls, sep, pad, unk}, "special_tokens": {...},
  //  "name"}: what a run's config.json records.
  nlohmann::json describe() const;
  // Writes the files that restore it into directory (which must exist); returns their names.
  virtual std::vector<std::string> writeFiles(const std::string& directory) const = 0;

 protected:
  virtual void encodeInto(std::string_view text, TokenEncoding& out,
                          const TokenizerEncodeOptions& options) const = 0;
};

// WordPiece: a directory with vocab.txt (+ tokenizer_config.json, special_tokens_map.json) or a
// vocabulary file on its own. Throws crisp::Error naming the path.
std::shared_ptr<const Tokenizer> openWordPieceTokenizer(const std::string& path);
// Wraps a tokenizer built in memory (the demo's); its files are written from its vocabulary.
std::shared_ptr<const Tokenizer> wrapWordPieceTokenizer(
    std::shared_ptr<const WordPieceTokenizer> tokenizer);
// SentencePiece: a .model file. Throws crisp::Error naming the file (missing, not a model, no
// [CLS]/BOS or [SEP]/EOS piece).
std::shared_ptr<const Tokenizer> openSentencePieceTokenizer(const std::string& path);

// Whether a model directory holds tokenizer files openTokenizer reads (vocab.txt,
// spiece.model or tokenizer.json).
bool hasTokenizerFiles(const std::string& directory);

// Any tokenizer by path: a directory written by storeTokenizer (crisp_tokenizer.json); a
// directory with vocab.txt, else with spiece.model, else with tokenizer.json; a file ending in
// .model (SentencePiece); any other file (a WordPiece vocabulary).
std::shared_ptr<const Tokenizer> openTokenizer(const std::string& path);

// Writes the tokenizer's files and crisp_tokenizer.json (describe() + "files" + "source":
// provenance) into directory (created). Returns what crisp_tokenizer.json holds.
nlohmann::json storeTokenizer(const Tokenizer& tokenizer, const std::string& directory,
                              const nlohmann::json& provenance);
// The name of the descriptor storeTokenizer writes.
constexpr const char* kStoredTokenizerFile = "crisp_tokenizer.json";

// Training a SentencePiece vocabulary on sentences.
constexpr int kSentencePieceMinVocab = 16;
constexpr int kSentencePieceMaxVocab = 1'000'000;
struct SentencePieceVocabularyOptions {
  int vocabSize = 8000;               // kSentencePieceMinVocab .. kSentencePieceMaxVocab
  std::string modelType = "unigram";  // unigram | bpe
  int threads = 0;                    // 0: SentencePiece's default
};
// Checks the options; throws crisp::Error naming the bad one ("vocab_size", "model_type").
void validateSentencePieceOptions(const SentencePieceVocabularyOptions& options);
// Trains with crisp's special pieces ([PAD] 0, [UNK] 1, [CLS] 2 = BOS, [SEP] 3 = EOS) on the
// sentences (one per line; line breaks inside become spaces; empty and invalid UTF-8 ones are
// left out) in a temporary file; writes workDirectory/spiece.model and spiece.vocab and returns
// the model loaded. `source` names the sentences in errors (e.g. "train.tsv").
std::shared_ptr<const Tokenizer> trainSentencePieceTokenizer(
    const std::vector<std::string>& sentences, const SentencePieceVocabularyOptions& options,
    const std::string& workDirectory, const std::string& source);

}  // namespace crisp
