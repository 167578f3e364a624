#pragma once
// WordPiece tokenisation that gives exactly what Hugging Face's fast BertTokenizerFast (the Rust
// `tokenizers`, what AutoTokenizer loads) gives, ids and offsets: BertNormalizer (cleaning: Cc,
// Cf, Co and U+FFFD dropped, unassigned code points kept; CJK split; accent stripping as NFD
// without Mn marks; lower-casing), BertPreTokenizer (whitespace and punctuation split),
// added/special tokens kept whole, then greedy longest-match-first WordPiece with "##".
// No Qt, no LibTorch. Unicode data comes from utf8proc.
//
// Where transformers' slow, pure-Python BertTokenizer differs from the fast one, this follows
// the fast one: the slow one also drops unassigned code points (the fast one gives [UNK]) and
// applies NFC first (so a decomposed "e" + U+0301 can give other ids when accents are kept).
//
// Differences from transformers, all deliberate and documented:
//  - a UTF-8 byte order mark at the start of vocab.txt is dropped (Python would keep it in the
//    first token), and empty lines at the end of vocab.txt get no id;
//  - invalid UTF-8 in the input either throws crisp::Error naming the byte offset (the default)
//    or, with InvalidUtf8::kSkip, drops the ill-formed bytes: exactly what Python gives for
//    bytes.decode("utf-8", errors="replace") followed by the tokenizer, which drops U+FFFD;
//  - do_basic_tokenize = false is not supported (loading such a config throws).
// Offsets are byte offsets into the original text: each token spans the code points its
// characters came from; a stripped accent belongs to no span (as in the Rust tokenizers).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text/token_encoding.h"

namespace crisp {

// One encoded text (ids, tokens, attention mask, byte offsets): the encoding all tokenizers
// share (token_encoding.h).
using WordPieceEncoding = TokenEncoding;

// tokenizer_config.json / special_tokens_map.json settings (Hugging Face names in comments).
struct WordPieceConfig {
  bool doLowerCase = true;           // do_lower_case
  std::optional<bool> stripAccents;  // strip_accents; nullopt (null) follows doLowerCase
  bool tokenizeChineseChars = true;  // tokenize_chinese_chars
  int maxInputCharsPerWord = 100;    // WordpieceTokenizer's max_input_chars_per_word
  std::size_t modelMaxLength = 0;    // model_max_length; 0 = none (HF's 1e30 sentinel)
  std::string unkToken = "[UNK]";    // unk_token
  std::string sepToken = "[SEP]";    // sep_token
  std::string padToken = "[PAD]";    // pad_token
  std::string clsToken = "[CLS]";    // cls_token
  std::string maskToken = "[MASK]";  // mask_token
  std::vector<std::string> additionalSpecialTokens;  // additional_special_tokens
  // Added tokens with a fixed id (added_tokens_decoder); kept whole like special tokens.
  std::vector<std::pair<int32_t, std::string>> addedTokens;
  std::vector<std::string> neverSplit;  // never_split: words kept whole, never WordPiece-split

  bool stripsAccents() const { return stripAccents.value_or(doLowerCase); }

  // Reads DIR/tokenizer_config.json and DIR/special_tokens_map.json where present (defaults
  // otherwise). Throws crisp::Error naming the file and key on malformed JSON or bad types.
  static WordPieceConfig fromDirectory(const std::string& directory);
  // The same files applied over config's current values (e.g. settings from tokenizer.json).
  static void applyDirectory(const std::string& directory, WordPieceConfig& config);
};

enum class InvalidUtf8 {
  kThrow,  // crisp::Error("invalid UTF-8 at byte N (0xXY)")
  kSkip,   // drop ill-formed bytes (= decode with errors="replace", then HF drops U+FFFD)
};

struct WordPieceEncodeOptions {
  bool addSpecialTokens = true;  // [CLS] ... [SEP]
  std::size_t maxLength = 0;     // > 0: truncate to this many ids in all, keeping [SEP]
  bool padToMaxLength = false;   // pad with [PAD] (mask 0, empty span) up to maxLength
  InvalidUtf8 invalidUtf8 = InvalidUtf8::kThrow;
};

class WordPieceTokenizer {
 public:
  // A directory (vocab.txt, else Hugging Face's fast-tokenizer file tokenizer.json, + optional
  // tokenizer_config.json and special_tokens_map.json, which override tokenizer.json's settings
  // as they do in transformers) or a vocabulary file on its own (then with default, uncased
  // settings, like BertTokenizer(vocab_file)). Throws crisp::Error naming the file at fault.
  explicit WordPieceTokenizer(const std::string& path);
  WordPieceTokenizer(const std::string& vocabFile, WordPieceConfig config);
  // vocab.txt contents in memory; name is used in messages.
  static WordPieceTokenizer fromVocabText(std::string_view vocabText, WordPieceConfig config,
                                          std::string name = "<memory>");

  WordPieceTokenizer(WordPieceTokenizer&&) noexcept;
  WordPieceTokenizer& operator=(WordPieceTokenizer&&) noexcept;
  ~WordPieceTokenizer();

  // Thread-safe (const, no shared mutable state).
  WordPieceEncoding encode(std::string_view text, const WordPieceEncodeOptions& options = {}) const;
  // The same, reusing out's storage (out is cleared first; unspecified if this throws).
  void encode(std::string_view text, WordPieceEncoding& out,
              const WordPieceEncodeOptions& options = {}) const;
  // HF tokenize(): the tokens without [CLS]/[SEP], no truncation.
  std::vector<std::string> tokenize(std::string_view text,
                                    InvalidUtf8 invalidUtf8 = InvalidUtf8::kThrow) const;

  // HF convert_tokens_to_ids: the unknown id for tokens not in the vocabulary.
  int32_t tokenToId(std::string_view token) const;
  std::optional<int32_t> findToken(std::string_view token) const;
  // HF convert_ids_to_tokens: the unknown token for ids out of range.
  std::string idToToken(int32_t id) const;
  std::vector<int32_t> convertTokensToIds(const std::vector<std::string>& tokens) const;
  std::vector<std::string> convertIdsToTokens(const std::vector<int32_t>& ids,
                                              bool skipSpecialTokens = false) const;
  // HF decode(): tokens joined by spaces, " ##" removed, clean_up_tokenization_spaces applied.
  std::string decode(const std::vector<int32_t>& ids, bool skipSpecialTokens = false,
                     bool cleanUpTokenizationSpaces = true) const;

  int32_t clsId() const;
  int32_t sepId() const;
  int32_t padId() const;
  int32_t unkId() const;
  int32_t maskId() const;
  bool isSpecialId(int32_t id) const;
  std::size_t vocabSize() const;  // lines of vocab.txt (HF vocab_size)
  std::size_t size() const;       // with added tokens that are not in the vocabulary (len(tok))
  const WordPieceConfig& config() const;
  const std::string& name() const;

  // For the benchmark: false disables the pure-ASCII fast path, so every word goes through
  // the general Unicode path (same results, slower).
  void setAsciiFastPath(bool enabled);

 private:
  struct Impl;
  explicit WordPieceTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace crisp
