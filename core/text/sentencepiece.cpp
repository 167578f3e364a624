#include "core/text/sentencepiece.h"

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/sys/error.h"
#include "core/text/spm_shim/spm_shim.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

constexpr size_t kErrLen = 1024;
using ErrBuffer = std::array<char, kErrLen>;

// The shim's functions, resolved once per process from a private link namespace.
struct ShimApi {
  std::string path;
  decltype(&crisp_spm_abi_version) abiVersion = nullptr;
  decltype(&crisp_spm_open) open = nullptr;
  decltype(&crisp_spm_open_from_bytes) openFromBytes = nullptr;
  decltype(&crisp_spm_close) close = nullptr;
  decltype(&crisp_spm_vocab_size) vocabSize = nullptr;
  decltype(&crisp_spm_encode) encode = nullptr;
  decltype(&crisp_spm_encode_with_offsets) encodeWithOffsets = nullptr;
  decltype(&crisp_spm_special_ids) specialIds = nullptr;
  decltype(&crisp_spm_decode) decode = nullptr;
  decltype(&crisp_spm_id_to_piece) idToPiece = nullptr;
  decltype(&crisp_spm_piece_to_id) pieceToId = nullptr;
  decltype(&crisp_spm_train) train = nullptr;
};

fs::path executableDir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

// CRISP_SPM_SHIM overrides; otherwise the path relative to the executable, which is the same
// in the build tree and in an installed package (bin/ and lib/<arch>/crisp/).
std::vector<fs::path> shimCandidates() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("CRISP_SPM_SHIM"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
    return candidates;
  }
  candidates.push_back(executableDir() / CRISP_SPM_SHIM_RELATIVE_PATH);
  return candidates;
}

template <typename Fn>
void resolve(void* lib, const char* symbol, Fn& out, const std::string& path) {
  out = reinterpret_cast<Fn>(dlsym(lib, symbol));
  if (out == nullptr) throw Error("SentencePiece shim " + path + " lacks symbol " + symbol);
}

ShimApi loadShim() {
  std::string tried;
  for (const fs::path& candidate : shimCandidates()) {
    if (!fs::exists(candidate)) {
      tried += "\n  " + candidate.string() + ": not found";
      continue;
    }
    // LM_ID_NEWLM: a fresh link namespace, so the shim's protobuf never meets LibTorch's.
    void* lib = dlmopen(LM_ID_NEWLM, candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      tried += "\n  " + candidate.string() + ": " + dlerror();
      continue;
    }
    ShimApi api;
    api.path = fs::weakly_canonical(candidate).string();
    resolve(lib, "crisp_spm_abi_version", api.abiVersion, api.path);
    if (api.abiVersion() != CRISP_SPM_SHIM_ABI) {
      throw Error("SentencePiece shim " + api.path + " has ABI " +
                  std::to_string(api.abiVersion()) + ", expected " +
                  std::to_string(CRISP_SPM_SHIM_ABI));
    }
    resolve(lib, "crisp_spm_open", api.open, api.path);
    resolve(lib, "crisp_spm_open_from_bytes", api.openFromBytes, api.path);
    resolve(lib, "crisp_spm_close", api.close, api.path);
    resolve(lib, "crisp_spm_vocab_size", api.vocabSize, api.path);
    resolve(lib, "crisp_spm_encode", api.encode, api.path);
    resolve(lib, "crisp_spm_encode_with_offsets", api.encodeWithOffsets, api.path);
    resolve(lib, "crisp_spm_special_ids", api.specialIds, api.path);
    resolve(lib, "crisp_spm_decode", api.decode, api.path);
    resolve(lib, "crisp_spm_id_to_piece", api.idToPiece, api.path);
    resolve(lib, "crisp_spm_piece_to_id", api.pieceToId, api.path);
    resolve(lib, "crisp_spm_train", api.train, api.path);
    return api;  // never dlclose'd: models may live until exit
  }
  throw Error(
      "cannot load the SentencePiece shim (libcrisp_spm_shim.so); set CRISP_SPM_SHIM "
      "to its path. Tried:" +
      tried);
}

const ShimApi& shim() {
  static std::once_flag once;
  static ShimApi api;
  static std::string failure;
  std::call_once(once, [] {
    try {
      api = loadShim();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw Error(failure);
  return api;
}

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
    if (model != nullptr) shim().close(model);
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
  if (shim().open(path.c_str(), &handle->model, err.data(), err.size()) != 0) {
    throw Error("SentencePiece model " + path + ": cannot load: " + err.data());
  }
  return SentencePieceModel(std::move(handle), path);
}

SentencePieceModel SentencePieceModel::fromBytes(std::string_view serializedModel,
                                                 std::string name) {
  auto handle = std::make_unique<Handle>();
  ErrBuffer err{};
  if (shim().openFromBytes(serializedModel.data(), serializedModel.size(), &handle->model,
                           err.data(), err.size()) != 0) {
    throw Error("SentencePiece model " + name + ": cannot load: " + err.data());
  }
  return SentencePieceModel(std::move(handle), std::move(name));
}

std::vector<int32_t> SentencePieceModel::encode(std::string_view text) const {
  std::vector<int32_t> ids(text.size() + 8);
  for (int attempt = 0; attempt < 2; ++attempt) {
    ErrBuffer err{};
    size_t count = 0;
    const int rc = shim().encode(handle_->model, text.data(), text.size(), ids.data(), ids.size(),
                                 &count, err.data(), err.size());
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
    const int rc = shim().encodeWithOffsets(handle_->model, text.data(), text.size(),
                                            out.ids.data(), out.begins.data(), out.ends.data(),
                                            capacity, &count, err.data(), err.size());
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
        return shim().decode(handle_->model, ids.data(), ids.size(), out, cap, size, err, errLen);
      },
      "SentencePiece model " + name_ + ": decode failed");
}

std::string SentencePieceModel::idToPiece(int32_t id) const {
  return readBytes(
      [&](char* out, size_t cap, size_t* size, char* err, size_t errLen) {
        return shim().idToPiece(handle_->model, id, out, cap, size, err, errLen);
      },
      "SentencePiece model " + name_);
}

int32_t SentencePieceModel::pieceToId(std::string_view piece) const {
  return shim().pieceToId(handle_->model, piece.data(), piece.size());
}

int SentencePieceModel::vocabSize() const {
  return shim().vocabSize(handle_->model);
}

SentencePieceSpecialIds SentencePieceModel::specialIds() const {
  SentencePieceSpecialIds ids;
  shim().specialIds(handle_->model, &ids.unk, &ids.bos, &ids.eos, &ids.pad);
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
  if (shim().train(keys.data(), values.data(), kv.size(), err.data(), err.size()) != 0) {
    throw Error("SentencePiece training on " + options.inputFile + " failed: " + err.data());
  }
}

std::string sentencePieceShimPath() {
  return shim().path;
}

}  // namespace crisp
