#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crisp {

// A SentencePiece model, used through the isolated shim library (see core/sys/spm_shim_api.h).
// Thread-safe for concurrent encode/decode calls. Errors throw crisp::Error naming the model file.
// A model's special ids as its trainer options set them (unk_id, bos_id, eos_id, pad_id); -1
// for one the model does not define.
struct SentencePieceSpecialIds {
  int32_t unk = -1, bos = -1, eos = -1, pad = -1;
};

// Pieces with their byte spans [begin, end) in the encoded text (all three the same length).
struct SentencePiecePieces {
  std::vector<int32_t> ids;
  std::vector<uint32_t> begins, ends;
};

class SentencePieceModel {
 public:
  static SentencePieceModel load(const std::string& path);
  static SentencePieceModel fromBytes(std::string_view serializedModel, std::string name);

  SentencePieceModel(SentencePieceModel&&) noexcept;
  SentencePieceModel& operator=(SentencePieceModel&&) noexcept;
  ~SentencePieceModel();

  std::vector<int32_t> encode(std::string_view text) const;
  std::vector<std::string> encodeAsPieces(std::string_view text) const;
  SentencePiecePieces encodeWithOffsets(std::string_view text) const;
  std::string decode(const std::vector<int32_t>& ids) const;
  std::string idToPiece(int32_t id) const;
  int32_t pieceToId(std::string_view piece) const;  // the unknown id if absent
  int vocabSize() const;
  SentencePieceSpecialIds specialIds() const;
  const std::string& name() const { return name_; }

 private:
  struct Handle;
  SentencePieceModel(std::unique_ptr<Handle> handle, std::string name);
  std::unique_ptr<Handle> handle_;
  std::string name_;
};

struct SentencePieceTrainOptions {
  std::string inputFile;              // one sentence per line
  std::string modelPrefix;            // writes <prefix>.model and <prefix>.vocab
  std::string modelType = "unigram";  // unigram | bpe | word | char
  int vocabSize = 8000;
  double characterCoverage = 1.0;
  // Further SentencePieceTrainer options, passed through as given.
  std::vector<std::pair<std::string, std::string>> extra;
};

void trainSentencePiece(const SentencePieceTrainOptions& options);

}  // namespace crisp
