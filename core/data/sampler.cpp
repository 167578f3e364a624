#include "core/data/sampler.h"

#include <algorithm>
#include <numeric>

#include "core/data/random.h"
#include "core/sys/error.h"

namespace crisp::data {
namespace {

void checkBatchSize(size_t batchSize) {
  if (batchSize == 0) throw Error("batching: the batch size must be at least 1");
}

BatchPlan cut(const std::vector<size_t>& order, size_t batchSize, bool dropLast) {
  BatchPlan plan;
  plan.reserve((order.size() + batchSize - 1) / batchSize);
  for (size_t start = 0; start < order.size(); start += batchSize) {
    const size_t end = std::min(order.size(), start + batchSize);
    if (dropLast && end - start < batchSize) break;
    plan.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                      order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return plan;
}

std::vector<size_t> iota(size_t count) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  return order;
}

}  // namespace

BatchPlan sequentialBatches(size_t count, size_t batchSize) {
  checkBatchSize(batchSize);
  return cut(iota(count), batchSize, false);
}

BatchPlan shuffledBatches(size_t count, size_t batchSize, uint64_t seed, uint64_t epoch,
                          bool dropLast) {
  checkBatchSize(batchSize);
  std::vector<size_t> order = iota(count);
  Rng rng(seed, epoch);
  rng.shuffle(order);
  return cut(order, batchSize, dropLast);
}

BatchPlan bucketedBatches(const std::vector<size_t>& lengths, size_t batchSize, uint64_t seed,
                          uint64_t epoch, size_t bucketBatches, bool dropLast) {
  checkBatchSize(batchSize);
  if (bucketBatches == 0) throw Error("batching: a bucket must hold at least one batch");
  std::vector<size_t> order = iota(lengths.size());
  Rng rng(seed, epoch);
  rng.shuffle(order);
  const size_t bucket = batchSize * bucketBatches;
  for (size_t start = 0; start < order.size(); start += bucket) {
    const auto first = order.begin() + static_cast<std::ptrdiff_t>(start);
    const auto last =
        order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + bucket));
    std::stable_sort(first, last, [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  }
  // Every bucket but the last is a whole number of batches, so no batch spans two buckets.
  BatchPlan plan = cut(order, batchSize, dropLast);
  rng.shuffle(plan);
  return plan;
}

}  // namespace crisp::data
