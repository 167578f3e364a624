#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/dist/launch.h"
#include "core/train/trainer.h"

namespace crisp::dist {

// Data-parallel training on PyTorch's c10d: a TCPStore for the rendezvous (rank 0 hosts it, or
// torchrun's agent does and every rank is a client through a PrefixStore) and a
// ProcessGroupGloo for the collectives, on CPU.
//
// Gradients are summed after backward, in buckets of about `bucketBytes` (each bucket is one
// flat all-reduce; a bucket's reduction overlaps the flattening of the next). Every collective
// is bounded by `timeout`: a rank that died breaks the connection at once, one that hangs is
// given up after the timeout; either way the collective throws crisp::Error naming the rank
// and the operation, and the trainer ends the run as failed.
class GlooSynchronizer : public GradientSynchronizer {
 public:
  GlooSynchronizer(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                   int64_t bucketBytes = int64_t{25} << 20);
  ~GlooSynchronizer() override;

  int rank() const override;
  int worldSize() const override;
  void synchronize(std::vector<at::Tensor>& parameters) override;
  void broadcast(std::vector<at::Tensor>& tensors) override;
  void allReduceSum(at::Tensor& values) override;

  // The size gradients are bucketed by (bench/allreduce_bench compares sizes).
  void setBucketBytes(int64_t bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// This process's rank when torchrun or `crisp train --nproc` started it (WORLD_SIZE set and
// above 1): joins the job, blocking until every rank has (at most `timeout`). Null for one
// process. Throws crisp::Error when the variables are malformed or the job cannot be joined.
std::shared_ptr<GradientSynchronizer> joinFromEnvironment(std::chrono::milliseconds timeout);

}  // namespace crisp::dist
