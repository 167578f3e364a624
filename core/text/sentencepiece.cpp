#include "core/text/sentencepiece.h"

#include <array>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/sys/error.h"
#include "core/sys/sentencepiece_shim.h"
#include "core/sys/spm_shim_api.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

constexpr size_t kErrLen = 1024;
using ErrBuffer = std::array<char, kErrLen>;

// Calls a shim function with the grow-and-retry buffer protocol, for byte outputs.
template <typename Call>
std::string readBytes(Call&& call, const std::string& what) {
  std::string out(64, '\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    ErrBuffer err{};
    size_t size = 0;
    const int rc = call(out.data(), out.size(), &size, err.data(), err.size());
    if (rc == 0) {
      out.resize(size);
      return out;
    }
    if (rc != CRISP_SPM_BUFFER_TOO_SMALL) throw Error(what + ": " + err.data());
    out.assign(size, '\0');
  }
  throw Error(what + ": output size changed between calls");
}

}  // namespace

struct SentencePieceModel::Handle {
  crisp_spm* model = nullptr;
  ~Handle() {
    if (model != nullptr) sentencePieceShim().close(model);
  }
};

SentencePieceModel::SentencePieceModel(std::unique_ptr<Handle> handle, std::string name)
    : handle_(std::move(handle)), name_(std::move(name)) {}
SentencePieceModel::SentencePieceModel(SentencePieceModel&&) noexcept = default;
SentencePieceModel& SentencePieceModel::operator=(SentencePieceModel&&) noexcept = default;
SentencePieceModel::~SentencePieceModel() = default;

SentencePieceModel SentencePieceModel::load(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error("SentencePiece model " + path + ": no such file");
  auto handle = std::make_unique<Handle>();
  ErrBuffer err{};
  if (sentencePieceShim().open(path.c_str(), &handle->model, err.data(), err.size()) != 0) {
    throw Error("SentencePiece model " + path + ": cannot load: " + err.data());
  }
  return SentencePieceModel(std::move(handle), path);
}

SentencePieceModel SentencePieceModel::fromBytes(std::string_view serializedModel,
                                                 std::string name) {
  auto handle = std::make_unique<Handle>();
  ErrBuffer err{};
  if (sentencePieceShim().openFromBytes(serializedModel.data(), serializedModel.size(),
                                        &handle->model, err.data(), err.size()) != 0) {
    throw Error("SentencePiece model " + name + ": cannot load: " + err.data());
  }
  return SentencePieceModel(std::move(handle), std::move(name));
}

std::vector<int32_t> SentencePieceModel::encode(std::string_view text) const {
  std::vector<int32_t> ids(text.size() + 8);
  for (int attempt = 0; attempt < 2; ++attempt) {
    ErrBuffer err{};
    size_t count = 0;
    const int rc = sentencePieceShim().encode(handle_->model, text.data(), text.size(), ids.data(),
                                              ids.size(), &count, err.data(), err.size());
    if (rc == 0) {
      ids.resize(count);
      return ids;
    }
    if (rc != CRISP_SPM_BUFFER_TOO_SMALL) {
      throw Error("SentencePiece model " + name_ + ": encode failed: " + err.data());
    }
    ids.resize(count);
  }
  throw Error("SentencePiece model " + name_ + ": encode output size changed between calls");
}

SentencePiecePieces SentencePieceModel::encodeWithOffsets(std::string_view text) const {
  SentencePiecePieces out;
  size_t capacity = text.size() + 8;
  for (int attempt = 0; attempt < 2; ++attempt) {
    out.ids.resize(capacity);
    out.begins.resize(capacity);
    out.ends.resize(capacity);
    ErrBuffer err{};
    size_t count = 0;
    const int rc = sentencePieceShim().encodeWithOffsets(
        handle_->model, text.data(), text.size(), out.ids.data(), out.begins.data(),
        out.ends.data(), capacity, &count, err.data(), err.size());
    if (rc == 0) {
      out.ids.resize(count);
      out.begins.resize(count);
      out.ends.resize(count);
      return out;
    }
    if (rc != CRISP_SPM_BUFFER_TOO_SMALL) {
      throw Error("SentencePiece model " + name_ + ": encode failed: " + err.data());
    }
    capacity = count;
  }
  throw Error("SentencePiece model " + name_ + ": encode output size changed between calls");
}

std::vector<std::string> SentencePieceModel::encodeAsPieces(std::string_view text) const {
  std::vector<std::string> pieces;
  for (int32_t id : encode(text)) pieces.push_back(idToPiece(id));
  return pieces;
}

std::string SentencePieceModel::decode(const std::vector<int32_t>& ids) const {
  return readBytes(
      [&](char* out, size_t cap, size_t* size, char* err, size_t errLen) {
        return sentencePieceShim().decode(handle_->model, ids.data(), ids.size(), out, cap, size,
                                          err, errLen);
      },
      "SentencePiece model " + name_ + ": decode failed");
}

std::string SentencePieceModel::idToPiece(int32_t id) const {
  return readBytes(
      [&](char* out, size_t cap, size_t* size, char* err, size_t errLen) {
        return sentencePieceShim().idToPiece(handle_->model, id, out, cap, size, err, errLen);
      },
      "SentencePiece model " + name_);
}

int32_t SentencePieceModel::pieceToId(std::string_view piece) const {
  return sentencePieceShim().pieceToId(handle_->model, piece.data(), piece.size());
}

int SentencePieceModel::vocabSize() const {
  return sentencePieceShim().vocabSize(handle_->model);
}

SentencePieceSpecialIds SentencePieceModel::specialIds() const {
  SentencePieceSpecialIds ids;
  sentencePieceShim().specialIds(handle_->model, &ids.unk, &ids.bos, &ids.eos, &ids.pad);
  return ids;
}

void trainSentencePiece(const SentencePieceTrainOptions& options) {
  if (!fs::is_regular_file(options.inputFile)) {
    throw Error("SentencePiece training corpus " + options.inputFile + ": no such file");
  }
  std::vector<std::pair<std::string, std::string>> kv = {
      {"input", options.inputFile},
      {"model_prefix", options.modelPrefix},
      {"model_type", options.modelType},
      {"vocab_size", std::to_string(options.vocabSize)},
      {"character_coverage", std::to_string(options.characterCoverage)},
      {"minloglevel", "2"},  // quiet: errors come back through the status
  };
  kv.insert(kv.end(), options.extra.begin(), options.extra.end());
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  ErrBuffer err{};
  if (sentencePieceShim().train(keys.data(), values.data(), kv.size(), err.data(), err.size()) !=
      0) {
    throw Error("SentencePiece training on " + options.inputFile + " failed: " + err.data());
  }
}

}  // namespace crisp
