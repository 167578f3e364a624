// The isolation shim around libsentencepiece: see core/sys/spm_shim_api.h for why it exists.
// Everything here catches its exceptions; nothing C++ leaves this file.
#include "core/sys/spm_shim_api.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct crisp_spm {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

int fail(char* err, size_t errLen, const std::string& message, int code = 1) {
  if (err != nullptr && errLen > 0) {
    const size_t n = std::min(errLen - 1, message.size());
    std::memcpy(err, message.data(), n);
    err[n] = '\0';
  }
  return code;
}

int copyOut(const std::string& bytes, char* out, size_t capacity, size_t* size) {
  *size = bytes.size();
  if (capacity < bytes.size()) return CRISP_SPM_BUFFER_TOO_SMALL;
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return 0;
}

template <typename Fn>
int guarded(char* err, size_t errLen, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return fail(err, errLen, std::string("sentencepiece: ") + e.what());
  } catch (...) {
    return fail(err, errLen, "sentencepiece: unknown exception");
  }
}

int openWith(crisp_spm** out, char* err, size_t errLen,
             const std::function<sentencepiece::util::Status(crisp_spm&)>& load) {
  if (out == nullptr) return fail(err, errLen, "crisp_spm_open: null output pointer");
  *out = nullptr;
  auto model = std::make_unique<crisp_spm>();
  const auto status = load(*model);
  if (!status.ok()) return fail(err, errLen, status.ToString());
  *out = model.release();
  return 0;
}

}  // namespace

extern "C" {

int crisp_spm_abi_version(void) {
  return CRISP_SPM_SHIM_ABI;
}

const char* crisp_spm_library_version(void) {
  return CRISP_SENTENCEPIECE_VERSION;
}

int crisp_spm_open(const char* model_path, crisp_spm** out, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (model_path == nullptr) return fail(err, err_len, "crisp_spm_open: null path");
    return openWith(out, err, err_len, [&](crisp_spm& m) { return m.processor.Load(model_path); });
  });
}

int crisp_spm_open_from_bytes(const char* data, size_t size, crisp_spm** out, char* err,
                              size_t err_len) {
  return guarded(err, err_len, [&] {
    if (data == nullptr && size > 0) return fail(err, err_len, "crisp_spm_open: null data");
    const absl::string_view bytes(data, size);
    return openWith(out, err, err_len,
                    [&](crisp_spm& m) { return m.processor.LoadFromSerializedProto(bytes); });
  });
}

void crisp_spm_close(crisp_spm* model) {
  delete model;
}

int crisp_spm_vocab_size(const crisp_spm* model) {
  return model == nullptr ? 0 : model->processor.GetPieceSize();
}

int crisp_spm_encode(const crisp_spm* model, const char* text, size_t text_len, int32_t* ids,
                     size_t capacity, size_t* count, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (model == nullptr || count == nullptr || (text == nullptr && text_len > 0)) {
      return fail(err, err_len, "crisp_spm_encode: null argument");
    }
    std::vector<int> encoded;
    const auto status = model->processor.Encode(absl::string_view(text, text_len), &encoded);
    if (!status.ok()) return fail(err, err_len, status.ToString());
    *count = encoded.size();
    if (capacity < encoded.size()) return CRISP_SPM_BUFFER_TOO_SMALL;
    std::copy(encoded.begin(), encoded.end(), ids);
    return 0;
  });
}

int crisp_spm_encode_with_offsets(const crisp_spm* model, const char* text, size_t text_len,
                                  int32_t* ids, uint32_t* begins, uint32_t* ends, size_t capacity,
                                  size_t* count, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (model == nullptr || count == nullptr || (text == nullptr && text_len > 0)) {
      return fail(err, err_len, "crisp_spm_encode_with_offsets: null argument");
    }
    sentencepiece::ImmutableSentencePieceText spt;
    const auto status =
        model->processor.Encode(absl::string_view(text, text_len), spt.mutable_proto());
    if (!status.ok()) return fail(err, err_len, status.ToString());
    const auto pieces = spt.pieces();
    *count = pieces.size();
    if (capacity < pieces.size()) return CRISP_SPM_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < pieces.size(); ++i) {
      ids[i] = static_cast<int32_t>(pieces[i].id());
      begins[i] = pieces[i].begin();
      ends[i] = pieces[i].end();
    }
    return 0;
  });
}

void crisp_spm_special_ids(const crisp_spm* model, int32_t* unk, int32_t* bos, int32_t* eos,
                           int32_t* pad) {
  const auto id = [model](int (sentencepiece::SentencePieceProcessor::*get)() const) {
    try {
      return model == nullptr ? -1 : static_cast<int32_t>((model->processor.*get)());
    } catch (...) {
      return -1;
    }
  };
  using Processor = sentencepiece::SentencePieceProcessor;
  if (unk != nullptr) *unk = id(&Processor::unk_id);
  if (bos != nullptr) *bos = id(&Processor::bos_id);
  if (eos != nullptr) *eos = id(&Processor::eos_id);
  if (pad != nullptr) *pad = id(&Processor::pad_id);
}

int crisp_spm_decode(const crisp_spm* model, const int32_t* ids, size_t count, char* text,
                     size_t capacity, size_t* size, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (model == nullptr || size == nullptr || (ids == nullptr && count > 0)) {
      return fail(err, err_len, "crisp_spm_decode: null argument");
    }
    const int pieces = model->processor.GetPieceSize();
    for (size_t i = 0; i < count; ++i) {
      if (ids[i] < 0 || ids[i] >= pieces) {
        return fail(err, err_len,
                    "crisp_spm_decode: id " + std::to_string(ids[i]) + " at position " +
                        std::to_string(i) + " is outside the vocabulary (size " +
                        std::to_string(pieces) + ")");
      }
    }
    std::string decoded;
    const auto status = model->processor.Decode(std::vector<int>(ids, ids + count), &decoded);
    if (!status.ok()) return fail(err, err_len, status.ToString());
    return copyOut(decoded, text, capacity, size);
  });
}

int crisp_spm_id_to_piece(const crisp_spm* model, int32_t id, char* piece, size_t capacity,
                          size_t* size, char* err, size_t err_len) {
  return guarded(err, err_len, [&] {
    if (model == nullptr || size == nullptr) {
      return fail(err, err_len, "crisp_spm_id_to_piece: null argument");
    }
    if (id < 0 || id >= model->processor.GetPieceSize()) {
      return fail(err, err_len,
                  "crisp_spm_id_to_piece: id " + std::to_string(id) + " is outside the vocabulary");
    }
    return copyOut(model->processor.IdToPiece(id), piece, capacity, size);
  });
}

int32_t crisp_spm_piece_to_id(const crisp_spm* model, const char* piece, size_t piece_len) {
  if (model == nullptr || (piece == nullptr && piece_len > 0)) return -1;
  try {
    return model->processor.PieceToId(absl::string_view(piece, piece_len));
  } catch (...) {
    return -1;
  }
}

int crisp_spm_train(const char* const* keys, const char* const* values, size_t count, char* err,
                    size_t err_len) {
  return guarded(err, err_len, [&] {
    std::unordered_map<std::string, std::string> options;
    for (size_t i = 0; i < count; ++i) {
      if (keys[i] == nullptr || values[i] == nullptr) {
        return fail(err, err_len, "crisp_spm_train: null option");
      }
      options[keys[i]] = values[i];
    }
    const auto status = sentencepiece::SentencePieceTrainer::Train(options);
    if (!status.ok()) return fail(err, err_len, status.ToString());
    return 0;
  });
}

}  // extern "C"
