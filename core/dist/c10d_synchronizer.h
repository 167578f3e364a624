#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/dist/launch.h"
#include "core/train/trainer.h"

namespace crisp::dist {

// Data-parallel training on PyTorch's c10d: a TCPStore for the rendezvous (rank 0 hosts it, or
// torchrun's agent does and every rank is a client through a PrefixStore) and a process group
// for the collectives on the device the model trains on (useDevice): ProcessGroupGloo on the
// CPU, ProcessGroupNCCL on CUDA (one process per GPU; in builds whose LibTorch has NCCL, i.e.
// the `cuda` preset). Without useDevice the group is Gloo, made at the first collective.
//
// Gradients are summed in buckets of about `bucketBytes`, each one flat all-reduce on the
// device. With `overlap` (after prepare()), during backward: autograd hooks copy each gradient
// into its bucket as it is computed, and a full bucket is all-reduced while backward goes on
// (buckets are filled in reverse parameter order, about the order backward produces them, and
// launched strictly in bucket order, so every rank issues the same collectives in the same
// order); synchronize() then completes the buckets still open, waits and copies the sums back.
// Without it (or without prepare()), synchronize() does it all after backward. Tensors on
// another device than the group's (the trainer's small CPU tensors) travel through a copy.
// Every collective is bounded by `timeout`: a rank that died breaks the connection at once, one
// that hangs is given up after the timeout; either way the collective throws crisp::Error
// naming the rank and the operation, and the trainer ends the run as failed.
class C10dSynchronizer : public GradientSynchronizer {
 public:
  C10dSynchronizer(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                   int64_t bucketBytes = int64_t{25} << 20, bool overlap = true);
  ~C10dSynchronizer() override;

  int rank() const override;
  int worldSize() const override;
  int localRank() const override;
  // Makes the process group: NCCL for a CUDA device, Gloo for the CPU. Throws crisp::Error
  // when the job cannot be joined, or for CUDA where this LibTorch has no NCCL.
  void useDevice(const c10::Device& device) override;
  void prepare(const std::vector<at::Tensor>& parameters) override;
  void synchronize(std::vector<at::Tensor>& parameters) override;
  void broadcast(std::vector<at::Tensor>& tensors) override;
  void allReduceSum(at::Tensor& values) override;

  // The size gradients are bucketed by (bench/allreduce_bench compares sizes); before prepare().
  void setBucketBytes(int64_t bytes);
  // Gradients reduced during backward (see above); before prepare().
  void setOverlap(bool overlap);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// This process's rank when torchrun or `crisp train --nproc` started it (WORLD_SIZE set and
// above 1): joins the job, blocking until every rank has (at most `timeout`). Null for one
// process. CRISP_DIST_OVERLAP=0 reduces gradients after backward instead of during it;
// CRISP_DIST_BUCKET_MB sets the bucket size (25; the tests use small ones). Throws
// crisp::Error when the variables are malformed or the job cannot be joined.
std::shared_ptr<GradientSynchronizer> joinFromEnvironment(std::chrono::milliseconds timeout);

}  // namespace crisp::dist
