#include "core/sys/sentencepiece_shim.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "core/sys/error.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

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

SentencePieceShimApi loadShim() {
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
    SentencePieceShimApi api;
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

}  // namespace

const SentencePieceShimApi& sentencePieceShim() {
  static std::once_flag once;
  static SentencePieceShimApi api;
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

std::string sentencePieceShimPath() {
  return sentencePieceShim().path;
}

}  // namespace crisp
