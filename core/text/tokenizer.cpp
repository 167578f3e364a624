#include "core/text/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/atomic_file.h"
#include "core/io/json_file.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/utf8.h"
#include "core/text/hf_tokenizer_files.h"
#include "core/text/sentencepiece.h"
#include "core/text/unicode_text.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

// --- WordPiece ----------------------------------------------------------------------------------

class WordPieceAdapter final : public Tokenizer {
 public:
  // files: the vocabulary (vocab.txt or tokenizer.json) first, then tokenizer_config.json /
  // special_tokens_map.json where the source has them; empty for a tokenizer built in memory.
  WordPieceAdapter(std::shared_ptr<const WordPieceTokenizer> tokenizer,
                   std::vector<std::string> files)
      : wp_(std::move(tokenizer)), files_(std::move(files)) {}

  TokenizerKind kind() const override { return TokenizerKind::WordPiece; }
  int32_t clsId() const override { return wp_->clsId(); }
  int32_t sepId() const override { return wp_->sepId(); }
  int32_t padId() const override { return wp_->padId(); }
  int32_t unkId() const override { return wp_->unkId(); }
  std::size_t vocabSize() const override { return wp_->vocabSize(); }
  std::string idToToken(int32_t id) const override { return wp_->idToToken(id); }
  const std::string& name() const override { return wp_->name(); }
  std::size_t modelMaxLength() const override { return wp_->config().modelMaxLength; }
  const WordPieceTokenizer* wordPiece() const override { return wp_.get(); }

  std::vector<std::string> writeFiles(const std::string& directory) const override {
    const fs::path dir(directory);
    std::vector<std::string> written = {"vocab.txt"};
    if (files_.empty()) {
      std::string vocab;
      for (std::size_t id = 0; id < wp_->vocabSize(); ++id) {
        vocab += wp_->idToToken(static_cast<int32_t>(id)) + "\n";
      }
      writeFileAtomically((dir / "vocab.txt").string(), vocab);
      writeFileAtomically((dir / "tokenizer_config.json").string(),
                          wordPieceConfigJson(wp_->config()).dump(2) + "\n");
      written.push_back("tokenizer_config.json");
      return written;
    }
    // The vocabulary keeps its kind: a vocabulary file of any name becomes vocab.txt, a
    // tokenizer.json stays one.
    written.clear();
    for (std::size_t i = 0; i < files_.size(); ++i) {
      std::string name = fs::path(files_[i]).filename().string();
      if (i == 0 && name != "tokenizer.json") name = "vocab.txt";
      copyFileAtomically(files_[i], (dir / name).string());
      written.push_back(name);
    }
    return written;
  }

 protected:
  void encodeInto(std::string_view text, TokenEncoding& out,
                  const TokenizerEncodeOptions& options) const override {
    WordPieceEncodeOptions o;
    o.maxLength = options.maxLength;
    o.invalidUtf8 = options.invalidUtf8;
    wp_->encode(text, out, o);  // its own fast path, [CLS] ... [SEP] and truncation
  }

 private:
  std::shared_ptr<const WordPieceTokenizer> wp_;
  std::vector<std::string> files_;
};

// --- SentencePiece ------------------------------------------------------------------------------

class SentencePieceAdapter final : public Tokenizer {
 public:
  SentencePieceAdapter(std::string bytes, const std::string& name)
      : model_(SentencePieceModel::fromBytes(bytes, name)), bytes_(std::move(bytes)), name_(name) {
    const int size = model_.vocabSize();
    if (size <= 0) throw Error("SentencePiece model " + name_ + ": empty vocabulary");
    pieces_.reserve(static_cast<std::size_t>(size));
    for (int id = 0; id < size; ++id) pieces_.push_back(model_.idToPiece(id));
    const SentencePieceSpecialIds special = model_.specialIds();
    unk_ = special.unk;
    if (unk_ < 0 || unk_ >= size) {
      throw Error("SentencePiece model " + name_ + ": no unknown-piece id");
    }
    cls_ = find("[CLS]", special.bos);
    sep_ = find("[SEP]", special.eos);
    if (cls_ < 0 || sep_ < 0) {
      throw Error("SentencePiece model " + name_ + " has no " +
                  (cls_ < 0 ? "[CLS] piece or BOS id" : "[SEP] piece or EOS id") +
                  ": crisp needs one to mark each sentence's " + (cls_ < 0 ? "start" : "end") +
                  " (train one with --train-sentencepiece, or with spm_train --bos_id/--eos_id)");
    }
    // Its pad id; else a [PAD] or <pad> piece; else (documented fallback) the unknown id.
    pad_ = special.pad >= 0 ? special.pad : find("[PAD]", find("<pad>", unk_));
  }

  TokenizerKind kind() const override { return TokenizerKind::SentencePiece; }
  int32_t clsId() const override { return cls_; }
  int32_t sepId() const override { return sep_; }
  int32_t padId() const override { return pad_; }
  int32_t unkId() const override { return unk_; }
  std::size_t vocabSize() const override { return pieces_.size(); }
  std::string idToToken(int32_t id) const override {
    return id >= 0 && static_cast<std::size_t>(id) < pieces_.size() ? pieces_[id] : pieces_[unk_];
  }
  const std::string& name() const override { return name_; }

  std::vector<std::string> writeFiles(const std::string& directory) const override {
    writeFileAtomically((fs::path(directory) / "spiece.model").string(), bytes_);
    return {"spiece.model"};
  }

 protected:
  void encodeInto(std::string_view text, TokenEncoding& out,
                  const TokenizerEncodeOptions& options) const override {
    out.clear();
    // Ill-formed bytes: an error naming the byte, or dropped (with a map back to the original
    // offsets), exactly as WordPiece treats them.
    std::string cleaned;
    std::vector<std::size_t> original;  // cleaned byte -> original byte; empty when unchanged
    std::string_view input = text;
    if (const size_t bad = findInvalidUtf8(text); bad != std::string_view::npos) {
      if (options.invalidUtf8 == InvalidUtf8::kThrow) {
        throw Error(describeInvalidUtf8(text, bad));
      }
      for (std::size_t i = 0; i < text.size();) {
        const Utf8CodePoint d = decodeUtf8(text, i);
        if (d.length == 0) {
          ++i;
          continue;
        }
        for (int k = 0; k < d.length; ++k) {
          cleaned.push_back(text[i + k]);
          original.push_back(i + k);
        }
        i += static_cast<std::size_t>(d.length);
      }
      original.push_back(text.size());
      input = cleaned;
    }
    const auto back = [&](uint32_t offset) -> std::size_t {
      return original.empty() ? offset : original[std::min<std::size_t>(offset, cleaned.size())];
    };
    const SentencePiecePieces pieces = model_.encodeWithOffsets(input);
    std::size_t kept = pieces.ids.size();
    if (options.maxLength > 0) kept = std::min(kept, options.maxLength - 2);
    const auto push = [&out](int32_t id, const std::string& token, ByteSpan span) {
      out.ids.push_back(id);
      out.tokens.push_back(token);
      out.attentionMask.push_back(1);
      out.offsets.push_back(span);
    };
    push(cls_, pieces_[cls_], {});
    for (std::size_t i = 0; i < kept; ++i) {
      push(pieces.ids[i], idToToken(pieces.ids[i]), {back(pieces.begins[i]), back(pieces.ends[i])});
    }
    push(sep_, pieces_[sep_], {});
  }

 private:
  // The id of piece if the model has it, else fallback.
  int32_t find(const std::string& piece, int32_t fallback) const {
    const int32_t id = model_.pieceToId(piece);
    const bool present =
        id >= 0 && static_cast<std::size_t>(id) < pieces_.size() && pieces_[id] == piece;
    return present ? id : fallback;
  }

  SentencePieceModel model_;
  std::string bytes_;
  std::string name_;
  std::vector<std::string> pieces_;
  int32_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1;
};

}  // namespace

const char* toString(TokenizerKind kind) {
  return kind == TokenizerKind::WordPiece ? "wordpiece" : "sentencepiece";
}

TokenEncoding Tokenizer::encode(std::string_view text,
                                const TokenizerEncodeOptions& options) const {
  TokenEncoding out;
  encode(text, out, options);
  return out;
}

void Tokenizer::encode(std::string_view text, TokenEncoding& out,
                       const TokenizerEncodeOptions& options) const {
  if (options.maxLength == 1) {
    throw Error("max length 1 is too small: [CLS] and [SEP] alone take 2");
  }
  encodeInto(text, out, options);
}

nlohmann::json Tokenizer::describe() const {
  return {{"kind", toString(kind())},
          {"name", name()},
          {"vocab_size", vocabSize()},
          {"special_ids", {{"cls", clsId()}, {"sep", sepId()}, {"pad", padId()}, {"unk", unkId()}}},
          {"special_tokens",
           {{"cls", idToToken(clsId())},
            {"sep", idToToken(sepId())},
            {"pad", idToToken(padId())},
            {"unk", idToToken(unkId())}}}};
}

std::shared_ptr<const Tokenizer> openWordPieceTokenizer(const std::string& path) {
  auto tokenizer = std::make_shared<const WordPieceTokenizer>(path);
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    const bool hasVocab = fs::is_regular_file(fs::path(path) / "vocab.txt");
    files.push_back((fs::path(path) / (hasVocab ? "vocab.txt" : "tokenizer.json")).string());
    for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
      if (fs::is_regular_file(fs::path(path) / name)) {
        files.push_back((fs::path(path) / name).string());
      }
    }
  } else {
    files.push_back(path);
  }
  return std::make_shared<const WordPieceAdapter>(std::move(tokenizer), std::move(files));
}

std::shared_ptr<const Tokenizer> wrapWordPieceTokenizer(
    std::shared_ptr<const WordPieceTokenizer> tokenizer) {
  return std::make_shared<const WordPieceAdapter>(std::move(tokenizer), std::vector<std::string>{});
}

std::shared_ptr<const Tokenizer> openSentencePieceTokenizer(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error("SentencePiece model " + path + ": no such file");
  return std::make_shared<const SentencePieceAdapter>(readWholeFile(path), path);
}

bool hasTokenizerFiles(const std::string& directory) {
  const fs::path p(directory);
  std::error_code ec;
  return fs::is_regular_file(p / "vocab.txt", ec) || fs::is_regular_file(p / "spiece.model", ec) ||
         fs::is_regular_file(p / "tokenizer.json", ec);
}

std::shared_ptr<const Tokenizer> openTokenizer(const std::string& path) {
  if (path.empty()) throw Error("no tokenizer given");
  const fs::path p(path);
  if (fs::is_directory(p)) {
    const fs::path stored = p / kStoredTokenizerFile;
    if (fs::is_regular_file(stored)) {
      const nlohmann::json j = readJsonFile(stored.string());
      const std::string kind = j.is_object() ? j.value("kind", "") : "";
      std::shared_ptr<const Tokenizer> tokenizer;
      if (kind == "wordpiece") {
        tokenizer = openWordPieceTokenizer(path);
      } else if (kind == "sentencepiece") {
        tokenizer = openSentencePieceTokenizer((p / "spiece.model").string());
      } else {
        throw Error(stored.string() + ": \"kind\" must be \"wordpiece\" or \"sentencepiece\"");
      }
      // The files must still be the ones recorded.
      const nlohmann::json now = tokenizer->describe();
      for (const char* key : {"vocab_size", "special_ids"}) {
        if (j.contains(key) && j.at(key) != now.at(key)) {
          throw Error(stored.string() + ": records " + key + " " + j.at(key).dump() +
                      " but the tokenizer's files give " + now.at(key).dump());
        }
      }
      return tokenizer;
    }
    if (fs::is_regular_file(p / "vocab.txt")) return openWordPieceTokenizer(path);
    if (fs::is_regular_file(p / "spiece.model")) {
      return openSentencePieceTokenizer((p / "spiece.model").string());
    }
    if (fs::is_regular_file(p / "tokenizer.json")) return openWordPieceTokenizer(path);
    throw Error(path +
                ": no vocab.txt, spiece.model or tokenizer.json (not a tokenizer directory)");
  }
  if (!fs::exists(p)) throw Error(path + ": no such file or directory");
  if (endsWith(path, ".model")) return openSentencePieceTokenizer(path);
  return openWordPieceTokenizer(path);
}

nlohmann::json storeTokenizer(const Tokenizer& tokenizer, const std::string& directory,
                              const nlohmann::json& provenance) {
  fs::create_directories(directory);
  nlohmann::json j = tokenizer.describe();
  j.erase("name");  // where it was loaded from, often a temporary file; "source" says more
  j["files"] = tokenizer.writeFiles(directory);
  j["source"] = provenance;
  writeFileAtomically((fs::path(directory) / kStoredTokenizerFile).string(), j.dump(2) + "\n");
  return j;
}

void validateSentencePieceOptions(const SentencePieceVocabularyOptions& options) {
  if (options.vocabSize < kSentencePieceMinVocab || options.vocabSize > kSentencePieceMaxVocab) {
    throw Error("vocab_size: " + std::to_string(options.vocabSize) + " is out of range (" +
                std::to_string(kSentencePieceMinVocab) + " to " +
                std::to_string(kSentencePieceMaxVocab) + ")");
  }
  if (options.modelType != "unigram" && options.modelType != "bpe") {
    throw Error("model_type: \"" + options.modelType + "\" is not unigram or bpe");
  }
}

std::shared_ptr<const Tokenizer> trainSentencePieceTokenizer(
    const std::vector<std::string>& sentences, const SentencePieceVocabularyOptions& options,
    const std::string& workDirectory, const std::string& source) {
  validateSentencePieceOptions(options);
  fs::create_directories(workDirectory);
  const fs::path corpus = fs::path(workDirectory) / "sentencepiece-corpus.txt";
  std::size_t kept = 0;
  {
    std::ofstream out(corpus, std::ios::binary);
    if (!out) throw Error(corpus.string() + ": cannot write");
    for (std::string line : sentences) {
      if (!isValidUtf8(line)) continue;
      std::replace(line.begin(), line.end(), '\n', ' ');
      std::replace(line.begin(), line.end(), '\r', ' ');
      if (line.find_first_not_of(' ') == std::string::npos) continue;
      out << line << '\n';
      ++kept;
    }
    if (!out) throw Error(corpus.string() + ": cannot write");
  }
  const std::string what = "training SentencePiece (" + options.modelType + ", vocab_size " +
                           std::to_string(options.vocabSize) + ") on " + source + " (" +
                           std::to_string(kept) + " sentences)";
  if (kept == 0) {
    fs::remove(corpus);
    throw Error(what + ": no sentences to learn from");
  }
  SentencePieceTrainOptions train;
  train.inputFile = corpus.string();
  train.modelPrefix = (fs::path(workDirectory) / "spiece").string();
  train.modelType = options.modelType;
  train.vocabSize = options.vocabSize;
  // crisp's special pieces, as control symbols (text never produces them).
  train.extra = {{"pad_id", "0"},        {"unk_id", "1"},        {"bos_id", "2"},
                 {"eos_id", "3"},        {"pad_piece", "[PAD]"}, {"unk_piece", "[UNK]"},
                 {"bos_piece", "[CLS]"}, {"eos_piece", "[SEP]"}};
  if (options.threads > 0) train.extra.emplace_back("num_threads", std::to_string(options.threads));
  try {
    trainSentencePiece(train);
  } catch (const std::exception& e) {
    fs::remove(corpus);
    // The shim's message ends with SentencePiece's own ("Vocabulary size is too high ...").
    std::string reason = e.what();
    const std::size_t failed = reason.find("failed: ");
    if (failed != std::string::npos) reason = reason.substr(failed + 8);
    // Drop SentencePiece's source location: "Internal: ./src/x.cc(660) [(a) == (b)] Message".
    const std::size_t check = reason.find(") [(");
    const std::size_t close = reason.find("] ", check == std::string::npos ? 0 : check);
    if (check != std::string::npos && close != std::string::npos) reason = reason.substr(close + 2);
    throw Error(what + ": " + reason);
  }
  fs::remove(corpus);
  return openSentencePieceTokenizer(train.modelPrefix + ".model");
}

}  // namespace crisp
