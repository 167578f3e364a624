#include "core/data/batching.h"

#include <ATen/ops/empty.h>

#include <algorithm>
#include <string>

#include "core/sys/error.h"

namespace crisp::data {
namespace {

void checkOptions(const CollateOptions& options) {
  if (options.maxLength == 1) {
    throw Error("batching: max length 1 cannot hold a token and the final [SEP]");
  }
}

}  // namespace

size_t truncatedLength(size_t length, const CollateOptions& options) {
  return options.maxLength > 0 ? std::min(length, options.maxLength) : length;
}

std::vector<size_t> sequenceLengths(const EncodedDataset& data, const CollateOptions& options) {
  std::vector<size_t> lengths;
  lengths.reserve(data.ids.size());
  for (const auto& ids : data.ids) lengths.push_back(truncatedLength(ids.size(), options));
  return lengths;
}

Batch collate(const EncodedDataset& data, const std::vector<size_t>& indices,
              const CollateOptions& options) {
  checkOptions(options);
  if (data.labels.size() != data.ids.size()) {
    throw Error("batching: " + std::to_string(data.ids.size()) + " sequences but " +
                std::to_string(data.labels.size()) + " labels");
  }
  if (indices.empty()) throw Error("batching: an empty batch");
  size_t width = 0;
  for (size_t index : indices) {
    if (index >= data.ids.size()) {
      throw Error("batching: index " + std::to_string(index) + " out of range (" +
                  std::to_string(data.ids.size()) + " sequences)");
    }
    const auto& ids = data.ids[index];
    if (ids.empty()) throw Error("batching: sequence " + std::to_string(index) + " is empty");
    if (options.sepId >= 0 && ids.back() != options.sepId) {
      throw Error("batching: sequence " + std::to_string(index) + " does not end with [SEP] (id " +
                  std::to_string(options.sepId) + "); the tokenizer must add it");
    }
    const size_t length = truncatedLength(ids.size(), options);
    if (length < ids.size() && options.sepId < 0) {
      throw Error("batching: sequence " + std::to_string(index) + " has " +
                  std::to_string(ids.size()) + " tokens, more than the max length " +
                  std::to_string(options.maxLength) + ", and no [SEP] id was given to truncate");
    }
    width = std::max(width, length);
  }

  const auto rows = static_cast<int64_t>(indices.size());
  const auto columns = static_cast<int64_t>(width);
  const auto longs = at::TensorOptions().dtype(at::kLong).pinned_memory(options.pinMemory);
  Batch batch;
  batch.inputIds = at::empty({rows, columns}, longs);
  batch.attentionMask = at::empty({rows, columns}, longs);
  batch.labels = at::empty({rows}, longs);
  batch.indices = indices;
  int64_t* ids = batch.inputIds.data_ptr<int64_t>();
  int64_t* mask = batch.attentionMask.data_ptr<int64_t>();
  int64_t* labels = batch.labels.data_ptr<int64_t>();
  for (size_t row = 0; row < indices.size(); ++row) {
    const auto& source = data.ids[indices[row]];
    const size_t length = truncatedLength(source.size(), options);
    int64_t* outIds = ids + row * width;
    int64_t* outMask = mask + row * width;
    std::copy(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(length), outIds);
    if (length < source.size()) outIds[length - 1] = options.sepId;  // keep the final [SEP]
    std::fill(outIds + length, outIds + width, options.padId);
    std::fill(outMask, outMask + length, int64_t{1});
    std::fill(outMask + length, outMask + width, int64_t{0});
    labels[row] = data.labels[indices[row]];
  }
  return batch;
}

BatchLoader::BatchLoader(std::shared_ptr<const EncodedDataset> data, LoaderOptions options)
    : data_(std::move(data)), options_(std::move(options)) {
  if (!data_) throw Error("batching: no data");
  if (options_.batchSize == 0) throw Error("batching: the batch size must be at least 1");
  checkOptions(options_.collate);
  if (data_->labels.size() != data_->ids.size()) {
    throw Error("batching: " + std::to_string(data_->ids.size()) + " sequences but " +
                std::to_string(data_->labels.size()) + " labels");
  }
  if (options_.order == BatchOrder::Bucketed) lengths_ = sequenceLengths(*data_, options_.collate);
}

BatchLoader BatchLoader::training(std::shared_ptr<const EncodedDataset> data, size_t batchSize,
                                  uint64_t seed, CollateOptions collate) {
  LoaderOptions options;
  options.batchSize = batchSize;
  options.order = BatchOrder::Bucketed;
  options.seed = seed;
  options.collate = collate;
  return BatchLoader(std::move(data), options);
}

BatchLoader BatchLoader::evaluation(std::shared_ptr<const EncodedDataset> data, size_t batchSize,
                                    CollateOptions collate) {
  LoaderOptions options;
  options.batchSize = batchSize;
  options.order = BatchOrder::Sequential;
  options.collate = collate;
  return BatchLoader(std::move(data), options);
}

BatchPlan BatchLoader::plan(uint64_t epoch) const {
  switch (options_.order) {
    case BatchOrder::Sequential: return sequentialBatches(size(), options_.batchSize);
    case BatchOrder::Shuffled:
      return shuffledBatches(size(), options_.batchSize, options_.seed, epoch, options_.dropLast);
    case BatchOrder::Bucketed:
      return bucketedBatches(lengths_, options_.batchSize, options_.seed, epoch,
                             options_.bucketBatches, options_.dropLast);
  }
  return {};
}

}  // namespace crisp::data
