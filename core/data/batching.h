#pragma once

// Tensors for a batch of token-id sequences: dynamic padding, attention masks, truncation that
// keeps the final [SEP], and a loader that serves batches epoch by epoch (sampler.h).

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/data/sampler.h"

namespace crisp::data {

// Already tokenized examples: each sequence includes [CLS] ... [SEP].
struct EncodedDataset {
  std::vector<std::vector<int32_t>> ids;
  std::vector<int64_t> labels;  // one per sequence
};

struct Batch {
  at::Tensor inputIds;          // int64 [B, T], T = the longest sequence in the batch
  at::Tensor attentionMask;     // int64 [B, T], 1 = real token, 0 = padding
  at::Tensor labels;            // int64 [B]
  std::vector<size_t> indices;  // the dataset positions of the B rows

  // The batch with its tensors copied to `device` (the trainer's, when it is not the CPU).
  // A copy on `device`; from pinned memory (CollateOptions::pinMemory) the copy is
  // asynchronous, so the host goes on queueing work while it runs.
  Batch to(const c10::Device& device) const {
    const bool async = !device.is_cpu() && inputIds.is_pinned();
    return {inputIds.to(device, async), attentionMask.to(device, async), labels.to(device, async),
            indices};
  }
};

struct CollateOptions {
  int64_t padId = 0;
  // Sequences longer than this are cut to their first maxLength - 1 tokens plus the final
  // [SEP]. 0 = no limit; otherwise at least 2.
  size_t maxLength = 0;
  // The [SEP] id. When given (>= 0), every sequence must end with it (the tokenizer's
  // contract; checked). Truncation needs it.
  int64_t sepId = -1;
  // Collate into page-locked host memory, for batches that go to a GPU (needs CUDA).
  bool pinMemory = false;
};

// The tokens a sequence of `length` keeps under `options` (its length after truncation).
size_t truncatedLength(size_t length, const CollateOptions& options);

// Lengths after truncation, for bucketedBatches().
std::vector<size_t> sequenceLengths(const EncodedDataset& data, const CollateOptions& options);

// Pads data[indices] to the longest (truncated) sequence among them. Throws crisp::Error on an
// index out of range, an empty sequence, a missing final [SEP] or a sequence too long to
// truncate without a [SEP] id.
Batch collate(const EncodedDataset& data, const std::vector<size_t>& indices,
              const CollateOptions& options);

enum class BatchOrder {
  Sequential,  // file order: evaluation
  Shuffled,    // a fresh permutation per epoch
  Bucketed,    // length buckets, batches shuffled per epoch (training default)
};

struct LoaderOptions {
  size_t batchSize = 32;
  BatchOrder order = BatchOrder::Bucketed;
  uint64_t seed = 0;
  size_t bucketBatches = 100;  // Bucketed: a bucket holds this many batches
  bool dropLast = false;       // Shuffled/Bucketed: drop a final short batch
  CollateOptions collate;
};

// Serves the batches of one epoch; the plan depends on (seed, epoch) only, so a run resumes or
// repeats exactly. Shares the data; cheap to copy.
class BatchLoader {
 public:
  BatchLoader(std::shared_ptr<const EncodedDataset> data, LoaderOptions options);

  static BatchLoader training(std::shared_ptr<const EncodedDataset> data, size_t batchSize,
                              uint64_t seed, CollateOptions collate);
  static BatchLoader evaluation(std::shared_ptr<const EncodedDataset> data, size_t batchSize,
                                CollateOptions collate);

  BatchPlan plan(uint64_t epoch) const;
  Batch batch(const std::vector<size_t>& indices) const {
    return collate(*data_, indices, options_.collate);
  }
  size_t size() const { return data_->ids.size(); }
  const LoaderOptions& options() const { return options_; }

 private:
  std::shared_ptr<const EncodedDataset> data_;
  LoaderOptions options_;
  std::vector<size_t> lengths_;  // after truncation, for bucketing
};

}  // namespace crisp::data
