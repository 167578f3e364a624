#pragma once

#include <string>

#include "core/sys/spm_shim_api.h"

namespace crisp {

// The SentencePiece shim's functions (core/sys/spm_shim_api.h), resolved once per process from
// a private link namespace (dlmopen), so the shim's protobuf never meets LibTorch's (see
// docs/ARCHITECTURE.md, "Platform hazards"). core/text's SentencePieceModel is its user.
struct SentencePieceShimApi {
  std::string path;  // resolved
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

// Loads the shim on first use; throws crisp::Error naming every path tried.
const SentencePieceShimApi& sentencePieceShim();

// The shim's resolved path after loading it (throws if it cannot be found or loaded).
std::string sentencePieceShimPath();

}  // namespace crisp
