#pragma once

// Which examples go into which batch, epoch by epoch. No LibTorch: see batching.h for tensors.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crisp::data {

// Batches of dataset positions, in the order they are served.
using BatchPlan = std::vector<std::vector<size_t>>;

// Evaluation: positions 0..count-1 in file order, cut into batches (the last may be smaller).
BatchPlan sequentialBatches(size_t count, size_t batchSize);

// Training, plain shuffling: a permutation that depends on (seed, epoch) only.
BatchPlan shuffledBatches(size_t count, size_t batchSize, uint64_t seed, uint64_t epoch,
                          bool dropLast = false);

// Training, length-bucketed: shuffle all positions, cut them into buckets of
// bucketBatches * batchSize, sort each bucket by length (stable), cut it into batches, then
// shuffle the batches. Similar lengths share a batch (little padding) while the order still
// changes every epoch. Depends on (lengths, seed, epoch) only.
BatchPlan bucketedBatches(const std::vector<size_t>& lengths, size_t batchSize, uint64_t seed,
                          uint64_t epoch, size_t bucketBatches = 100, bool dropLast = false);

}  // namespace crisp::data
