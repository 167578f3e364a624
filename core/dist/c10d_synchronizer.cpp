#include "core/dist/c10d_synchronizer.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL  // LibTorch's CUDA builds (the `cuda` preset)
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>

#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/torch_compat.h"

namespace crisp::dist {
namespace {

std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// Gloo's transport device: the interface GLOO_SOCKET_IFNAME names (as torch.distributed
// reads it), the loopback address for a job on this machine, else the host's own address.
std::shared_ptr<::gloo::transport::Device> makeDevice(const LaunchEnvironment& env) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (env.masterAddr == "localhost" || startsWith(env.masterAddr, "127."))
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Groups tensors (in order, one dtype and device per group) into buckets of about `bytes`.
std::vector<std::vector<at::Tensor*>> buckets(std::vector<at::Tensor*> tensors, int64_t bytes) {
  std::vector<std::vector<at::Tensor*>> out;
  int64_t filled = 0;
  for (at::Tensor* t : tensors) {
    const int64_t size = t->numel() * static_cast<int64_t>(t->element_size());
    if (out.empty() || filled >= bytes || out.back().front()->scalar_type() != t->scalar_type() ||
        out.back().front()->device() != t->device()) {
      out.emplace_back();
      filled = 0;
    }
    out.back().push_back(t);
    filled += size;
  }
  return out;
}

}  // namespace

// Gradients reduced during backward: the buckets, filled by autograd hooks. Each bucket is one
// float buffer: its members' gradients, then one flag per member (1: this rank has its
// gradient), so the sums say which gradients exist on some rank without another collective.
struct OverlapState {
  struct Bucket {
    std::vector<size_t> members;   // parameter indices
    std::vector<int64_t> offsets;  // of each member in `flat`
    int64_t numel = 0;             // gradient elements; the flags follow
    at::Tensor flat;
    size_t arrived = 0;
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<at::Tensor> parameters;
  std::vector<Bucket> buckets;
  std::vector<size_t> bucketOf, slotOf;  // per parameter
  std::vector<bool> seen;                // per parameter, this step
  size_t launched = 0;                   // buckets launched this step, in order
  std::mutex mutex;
  std::exception_ptr error;  // a failed launch inside a hook, rethrown by synchronize()
};

struct C10dSynchronizer::Impl {
  LaunchEnvironment env;
  std::chrono::milliseconds timeout;
  int64_t bucketBytes;
  bool overlap = true;
  c10::intrusive_ptr<c10d::Store> store;
  c10::Device device{c10::kCPU};  // where the group's collectives run
  c10::intrusive_ptr<torch_compat::CollectiveBackend> group;
  std::shared_ptr<OverlapState> state;  // after prepare() with overlap

  std::string rankName() const {
    return "data-parallel rank " + std::to_string(env.rank) + " of " +
           std::to_string(env.worldSize);
  }

  // The process group on `on` (every rank makes its own at the same point: a rendezvous).
  void makeGroup(const c10::Device& on) {
    if (group) {
      if (on != device) {
        throw Error(rankName() + ": the collectives already run on " + device.str() + ", not " +
                    on.str());
      }
      return;
    }
    const std::string backend = on.is_cuda() ? "NCCL" : "Gloo";
    try {
      if (on.is_cuda()) {
#ifdef USE_C10D_NCCL
        // The rank's GPU becomes its current device, so that nothing (NCCL's communicator, a
        // tensor made without an index) lands on cuda:0 of every rank.
        if (on.has_index()) c10::cuda::set_device(on.index());
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = timeout;
        group =
            c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.worldSize, options);
#else
        throw Error(rankName() + ": data-parallel training on " + on.str() +
                    " needs NCCL, which this LibTorch lacks (a CPU build): use --device cpu");
#endif
      } else {
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(makeDevice(env));
        options->threads = 2;
        group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.worldSize, options);
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(rankName() + ": cannot make the " + backend + " process group on " + on.str() +
                  ": " + firstLine(e.what()));
    }
    device = on;
  }
  void ensureGroup() {
    if (!group) makeGroup(device);
  }

  c10::intrusive_ptr<c10d::Work> allreduce(at::Tensor& flat) {
    std::vector<at::Tensor> one{flat};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    options.timeout = timeout;
    return group->allreduce(one, options);
  }

  // Launches the complete buckets that are next in order (the caller holds the mutex).
  void launchReady(OverlapState& o) {
    while (o.launched < o.buckets.size() &&
           o.buckets[o.launched].arrived == o.buckets[o.launched].members.size()) {
      OverlapState::Bucket& bucket = o.buckets[o.launched++];
      bucket.work = allreduce(bucket.flat);
    }
  }

  // The autograd hook of parameter i: its gradient of this step.
  void onGradient(OverlapState& o, size_t i, const at::Tensor& grad) {
    std::lock_guard lock(o.mutex);
    if (o.error || o.seen[i]) return;
    try {
      at::NoGradGuard noGrad;
      OverlapState::Bucket& bucket = o.buckets[o.bucketOf[i]];
      const size_t slot = o.slotOf[i];
      bucket.flat.narrow(0, bucket.offsets[slot], grad.numel()).copy_(grad.reshape({-1}));
      bucket.flat[bucket.numel + static_cast<int64_t>(slot)].fill_(1.0);
      o.seen[i] = true;
      ++bucket.arrived;
      launchReady(o);
    } catch (...) {
      o.error = std::current_exception();
    }
  }

  void prepareOverlap(const std::vector<at::Tensor>& parameters) {
    auto o = std::make_shared<OverlapState>();
    o->parameters = parameters;
    o->bucketOf.resize(parameters.size());
    o->slotOf.resize(parameters.size());
    o->seen.assign(parameters.size(), false);
    int64_t filled = 0;
    for (size_t k = parameters.size(); k-- > 0;) {  // backward produces the last ones first
      const at::Tensor& p = parameters[k];
      if (p.scalar_type() != at::kFloat) {
        throw Error("data-parallel: gradients must be float32, not " +
                    std::string(p.dtype().name()));
      }
      if (o->buckets.empty() || filled >= bucketBytes) {
        o->buckets.emplace_back();
        filled = 0;
      }
      OverlapState::Bucket& bucket = o->buckets.back();
      o->bucketOf[k] = o->buckets.size() - 1;
      o->slotOf[k] = bucket.members.size();
      bucket.members.push_back(k);
      bucket.offsets.push_back(bucket.numel);
      bucket.numel += p.numel();
      filled += p.numel() * 4;
    }
    for (OverlapState::Bucket& bucket : o->buckets) {
      bucket.flat = at::zeros({bucket.numel + static_cast<int64_t>(bucket.members.size())},
                              at::TensorOptions().dtype(at::kFloat).device(device));
    }
    const std::weak_ptr<OverlapState> weak = o;
    for (size_t k = 0; k < parameters.size(); ++k) {
      parameters[k].register_hook([this, weak, k](const at::Tensor& grad) {
        if (auto alive = weak.lock()) onGradient(*alive, k, grad);
      });
    }
    state = std::move(o);
  }

  // Completes the step's buckets: the ones backward did not fill (a gradient missing here
  // counts as zeros, flag 0), launched in order; then waits and copies the sums back.
  void finishOverlap(std::vector<at::Tensor>& parameters) {
    OverlapState& o = *state;
    if (parameters.size() != o.parameters.size())
      throw Error("data-parallel: synchronize() got other parameters than prepare()");
    run("the all-reduce of the gradients", [&](std::vector<c10::intrusive_ptr<c10d::Work>>&) {
      std::lock_guard lock(o.mutex);
      if (o.error) std::rethrow_exception(o.error);
      at::NoGradGuard noGrad;
      for (size_t b = o.launched; b < o.buckets.size(); ++b) {
        OverlapState::Bucket& bucket = o.buckets[b];
        for (size_t slot = 0; slot < bucket.members.size(); ++slot) {
          const size_t i = bucket.members[slot];
          if (o.seen[i]) continue;
          bucket.flat.narrow(0, bucket.offsets[slot], o.parameters[i].numel()).zero_();
          bucket.flat[bucket.numel + static_cast<int64_t>(slot)].fill_(0.0);
          o.seen[i] = true;
          ++bucket.arrived;
        }
      }
      launchReady(o);
    });
    run(
        "the all-reduce of the gradients",
        [&](std::vector<c10::intrusive_ptr<c10d::Work>>& works) {
          for (OverlapState::Bucket& bucket : o.buckets) works.push_back(bucket.work);
        },
        [&] {
          at::NoGradGuard noGrad;
          for (OverlapState::Bucket& bucket : o.buckets) {
            const at::Tensor flags =  // read here (a copy from a GPU, after its reduction)
                bucket.flat.narrow(0, bucket.numel, static_cast<int64_t>(bucket.members.size()))
                    .cpu();
            const auto f = flags.accessor<float, 1>();
            for (size_t slot = 0; slot < bucket.members.size(); ++slot) {
              const size_t i = bucket.members[slot];
              at::Tensor& grad = parameters[i].mutable_grad();
              if (f[static_cast<int64_t>(slot)] == 0.0F) {
                grad = at::Tensor();  // no rank has it: the optimizer skips it, as in one process
                continue;
              }
              const at::Tensor sum =
                  bucket.flat.narrow(0, bucket.offsets[slot], parameters[i].numel())
                      .view(parameters[i].sizes());
              if (grad.defined())
                grad.copy_(sum);
              else
                grad = sum.clone();
            }
          }
        });
    std::lock_guard lock(o.mutex);
    for (OverlapState::Bucket& bucket : o.buckets) {
      bucket.arrived = 0;
      bucket.work.reset();
    }
    o.seen.assign(o.seen.size(), false);
    o.launched = 0;
  }

  [[noreturn]] void fail(const std::string& what, const std::exception& e) const {
    throw Error(rankName() + ": " + what + " failed: " + firstLine(e.what()) +
                " (another rank died or did not answer within the " +
                std::to_string(timeout.count() / 1000) + " s timeout)");
  }

  // Runs collectives launched by `launch` (each returns its work), waits for them in order
  // and then calls `finish`; errors name `what`.
  void run(const std::string& what,
           const std::function<void(std::vector<c10::intrusive_ptr<c10d::Work>>&)>& launch,
           const std::function<void()>& finish = {}) {
    try {
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      launch(works);
      for (auto& work : works) work->wait(timeout);
      if (finish) finish();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }

  // Reduces (or broadcasts from rank 0) `tensors` in place, bucket by bucket, on the group's
  // device (tensors elsewhere travel through a copy).
  void collective(const std::string& what, std::vector<at::Tensor*> tensors, bool reduce) {
    ensureGroup();
    at::NoGradGuard noGrad;  // parameters are written in place
    struct Flight {
      std::vector<at::Tensor*> members;
      at::Tensor flat;
    };
    std::vector<Flight> flights;
    run(
        what,
        [&](std::vector<c10::intrusive_ptr<c10d::Work>>& works) {
          for (auto& bucket : buckets(tensors, bucketBytes)) {
            Flight flight{bucket, {}};
            if (bucket.size() == 1 && bucket[0]->is_contiguous() && bucket[0]->device() == device) {
              flight.flat = *bucket[0];  // reduced in place, no copy
            } else {
              std::vector<at::Tensor> views;
              for (at::Tensor* t : bucket) views.push_back(t->reshape({-1}));
              flight.flat = at::cat(views).to(device);
            }
            std::vector<at::Tensor> one{flight.flat};
            if (reduce) {
              c10d::AllreduceOptions options;
              options.reduceOp = c10d::ReduceOp::SUM;
              options.timeout = timeout;
              works.push_back(group->allreduce(one, options));
            } else {
              c10d::BroadcastOptions options;
              options.rootRank = 0;
              options.timeout = timeout;
              works.push_back(group->broadcast(one, options));
            }
            flights.push_back(std::move(flight));
          }
        },
        [&] {
          for (Flight& flight : flights) {
            if (flight.members.size() == 1 && flight.flat.is_same(*flight.members[0])) continue;
            int64_t offset = 0;
            for (at::Tensor* t : flight.members) {
              t->copy_(flight.flat.narrow(0, offset, t->numel()).view(t->sizes()));
              offset += t->numel();
            }
          }
        });
  }
};

C10dSynchronizer::C10dSynchronizer(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                   int64_t bucketBytes, bool overlap)
    : impl_(std::make_unique<Impl>()) {
  impl_->overlap = overlap;
  impl_->env = env;
  impl_->timeout = timeout;
  impl_->bucketBytes = bucketBytes;
  const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.masterPort);
    options.isServer = !env.useAgentStore && env.rank == 0;
    options.numWorkers = static_cast<std::size_t>(env.worldSize);
    options.waitWorkers = true;
    options.timeout = timeout;
    options.multiTenant = !env.useAgentStore;
    c10::intrusive_ptr<c10d::Store> store =
        c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
    // Under torchrun's agent store the keys of one restart attempt live under their own
    // prefix, as torch.distributed's workers keep them; ours then go under "crisp_dp".
    if (env.useAgentStore)
      store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restartCount, store);
    impl_->store = c10::make_intrusive<c10d::PrefixStore>("crisp_dp", store);
  } catch (const std::exception& e) {
    const std::string message = impl_->rankName() + ": cannot join the job at " + where +
                                (env.useAgentStore ? " (torchrun's agent store)" : "") + ": " +
                                firstLine(e.what());
    const bool hostsStore = !env.useAgentStore && env.rank == 0;
    if (hostsStore && std::string(e.what()).find("Address already in use") != std::string::npos)
      throw PortTakenError(message);
    throw Error(message);
  }
}

C10dSynchronizer::~C10dSynchronizer() = default;

int C10dSynchronizer::rank() const {
  return impl_->env.rank;
}

int C10dSynchronizer::worldSize() const {
  return impl_->env.worldSize;
}

int C10dSynchronizer::localRank() const {
  return impl_->env.localRank;
}

void C10dSynchronizer::useDevice(const c10::Device& device) {
  impl_->makeGroup(device);
}

void C10dSynchronizer::prepare(const std::vector<at::Tensor>& parameters) {
  impl_->ensureGroup();
  if (impl_->overlap && !impl_->state) impl_->prepareOverlap(parameters);
}

void C10dSynchronizer::setOverlap(bool overlap) {
  impl_->overlap = overlap;
}

void C10dSynchronizer::synchronize(std::vector<at::Tensor>& parameters) {
  impl_->ensureGroup();
  if (impl_->state) {
    impl_->finishOverlap(parameters);
    return;
  }
  // Which gradients exist anywhere: a parameter without a gradient on every rank keeps none
  // (the optimizer skips it, as in one process); elsewhere a missing one counts as zeros.
  at::Tensor defined = at::zeros({static_cast<int64_t>(parameters.size())}, at::kFloat);
  auto flags = defined.accessor<float, 1>();
  for (size_t i = 0; i < parameters.size(); ++i)
    flags[static_cast<int64_t>(i)] = parameters[i].grad().defined() ? 1.0F : 0.0F;
  impl_->collective("the all-reduce of which gradients exist", {&defined}, true);
  std::vector<at::Tensor*> gradients;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (flags[static_cast<int64_t>(i)] == 0.0F) continue;
    at::Tensor& grad = parameters[i].mutable_grad();
    if (!grad.defined()) grad = at::zeros_like(parameters[i]);
    gradients.push_back(&grad);
  }
  impl_->collective("the all-reduce of the gradients", gradients, true);
}

void C10dSynchronizer::broadcast(std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor*> pointers;
  for (at::Tensor& t : tensors) pointers.push_back(&t);
  impl_->collective("the broadcast from rank 0", pointers, false);
}

void C10dSynchronizer::setBucketBytes(int64_t bytes) {
  impl_->bucketBytes = bytes;
}

void C10dSynchronizer::allReduceSum(at::Tensor& values) {
  impl_->collective("the per-step all-reduce of [loss, stop]", {&values}, true);
}

std::shared_ptr<GradientSynchronizer> joinFromEnvironment(std::chrono::milliseconds timeout) {
  const std::optional<LaunchEnvironment> env = LaunchEnvironment::fromEnvironment();
  if (!env || env->worldSize == 1) return nullptr;
  const char* overlap = std::getenv("CRISP_DIST_OVERLAP");
  int64_t bucketBytes = int64_t{25} << 20;
  if (const char* mb = std::getenv("CRISP_DIST_BUCKET_MB"); mb && *mb) {
    char* end = nullptr;
    const double value = std::strtod(mb, &end);
    if (*end != '\0' || !(value > 0 && value <= 1e6))
      throw Error(std::string("CRISP_DIST_BUCKET_MB=") + mb + ": expected a positive size in MB");
    bucketBytes = std::max<int64_t>(1, static_cast<int64_t>(value * (1 << 20)));
  }
  return std::make_shared<C10dSynchronizer>(*env, timeout, bucketBytes,
                                            !(overlap && std::string(overlap) == "0"));
}

}  // namespace crisp::dist
