/* C API of libcrisp_spm_shim.so, the only binary that links libsentencepiece.
 *
 * Why a shim: libsentencepiece carries its own protobuf-lite 3.14 with exported symbols and
 * LibTorch links the system protobuf 3.21; in one link namespace they crash at start-up
 * (docs/ARCHITECTURE.md, "Platform hazards"). core loads this library with
 * dlmopen(LM_ID_NEWLM) so its protobuf never meets LibTorch's. Only plain C types and
 * caller-owned buffers cross this boundary.
 *
 * Every function returns 0 on success and a non-zero code on failure, with a NUL-terminated
 * message written to err (at most err_len bytes, truncated). Functions never throw. */
#ifndef CRISP_SPM_SHIM_H
#define CRISP_SPM_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crisp_spm crisp_spm;

#define CRISP_SPM_SHIM_ABI 2
#define CRISP_SPM_BUFFER_TOO_SMALL 2

int crisp_spm_abi_version(void);
const char* crisp_spm_library_version(void);

int crisp_spm_open(const char* model_path, crisp_spm** out, char* err, size_t err_len);
/* Loads a model from memory (the serialized ModelProto bytes). */
int crisp_spm_open_from_bytes(const char* data, size_t size, crisp_spm** out, char* err,
                              size_t err_len);
void crisp_spm_close(crisp_spm* model);

int crisp_spm_vocab_size(const crisp_spm* model);

/* Encodes UTF-8 text into ids. Writes at most capacity ids; *count receives the number the
 * text needs. Returns CRISP_SPM_BUFFER_TOO_SMALL when capacity < *count (call again). */
int crisp_spm_encode(const crisp_spm* model, const char* text, size_t text_len, int32_t* ids,
                     size_t capacity, size_t* count, char* err, size_t err_len);

/* encode, with each piece's byte span [begins[i], ends[i]) in the original text (the span of
 * the source characters it came from; empty for pieces that cover no input). Same buffer
 * protocol as crisp_spm_encode, all three arrays of capacity entries. */
int crisp_spm_encode_with_offsets(const crisp_spm* model, const char* text, size_t text_len,
                                  int32_t* ids, uint32_t* begins, uint32_t* ends, size_t capacity,
                                  size_t* count, char* err, size_t err_len);

/* The model's special ids (its trainer options unk_id, bos_id, eos_id, pad_id); -1 for one the
 * model does not define. Any output pointer may be null. */
void crisp_spm_special_ids(const crisp_spm* model, int32_t* unk, int32_t* bos, int32_t* eos,
                           int32_t* pad);

/* Decodes ids into UTF-8 text (not NUL-terminated). *size receives the bytes needed; returns
 * CRISP_SPM_BUFFER_TOO_SMALL when capacity < *size. */
int crisp_spm_decode(const crisp_spm* model, const int32_t* ids, size_t count, char* text,
                     size_t capacity, size_t* size, char* err, size_t err_len);

/* The piece of one id (UTF-8, not NUL-terminated), with the same buffer protocol as decode. */
int crisp_spm_id_to_piece(const crisp_spm* model, int32_t id, char* piece, size_t capacity,
                          size_t* size, char* err, size_t err_len);
/* The id of a piece, or the unknown id when the piece is not in the vocabulary. */
int32_t crisp_spm_piece_to_id(const crisp_spm* model, const char* piece, size_t piece_len);

/* Trains a model. keys/values are SentencePieceTrainer options ("input", "model_prefix",
 * "vocab_size", "model_type", ...), count pairs of NUL-terminated strings. */
int crisp_spm_train(const char* const* keys, const char* const* values, size_t count, char* err,
                    size_t err_len);

#ifdef __cplusplus
}
#endif

#endif /* CRISP_SPM_SHIM_H */
