#include "core/dist/gloo_synchronizer.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <functional>
#include <string>

#include "core/sys/error.h"

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
  if (env.masterAddr == "localhost" || env.masterAddr.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// Groups tensors (in order, one dtype per group) into buckets of about `bytes`.
std::vector<std::vector<at::Tensor*>> buckets(std::vector<at::Tensor*> tensors, int64_t bytes) {
  std::vector<std::vector<at::Tensor*>> out;
  int64_t filled = 0;
  for (at::Tensor* t : tensors) {
    const int64_t size = t->numel() * static_cast<int64_t>(t->element_size());
    if (out.empty() || filled >= bytes || out.back().front()->scalar_type() != t->scalar_type()) {
      out.emplace_back();
      filled = 0;
    }
    out.back().push_back(t);
    filled += size;
  }
  return out;
}

}  // namespace

struct GlooSynchronizer::Impl {
  LaunchEnvironment env;
  std::chrono::milliseconds timeout;
  int64_t bucketBytes;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  [[noreturn]] void fail(const std::string& what, const std::exception& e) const {
    throw Error("data-parallel rank " + std::to_string(env.rank) + " of " +
                std::to_string(env.worldSize) + ": " + what + " failed: " + firstLine(e.what()) +
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

  // Reduces (or broadcasts from rank 0) `tensors` in place, bucket by bucket.
  void collective(const std::string& what, std::vector<at::Tensor*> tensors, bool reduce) {
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
            if (bucket.size() == 1 && bucket[0]->is_contiguous()) {
              flight.flat = *bucket[0];  // reduced in place, no copy
            } else {
              std::vector<at::Tensor> views;
              for (at::Tensor* t : bucket) views.push_back(t->reshape({-1}));
              flight.flat = at::cat(views);
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

GlooSynchronizer::GlooSynchronizer(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                   int64_t bucketBytes)
    : impl_(std::make_unique<Impl>()) {
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
    store = c10::make_intrusive<c10d::PrefixStore>("crisp_dp", store);
    auto groupOptions = c10d::ProcessGroupGloo::Options::create(timeout);
    groupOptions->devices.push_back(makeDevice(env));
    groupOptions->threads = 2;
    impl_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.worldSize, groupOptions);
  } catch (const std::exception& e) {
    throw Error("data-parallel rank " + std::to_string(env.rank) + " of " +
                std::to_string(env.worldSize) + ": cannot join the job at " + where +
                (env.useAgentStore ? " (torchrun's agent store)" : "") + ": " +
                firstLine(e.what()));
  }
}

GlooSynchronizer::~GlooSynchronizer() = default;

int GlooSynchronizer::rank() const {
  return impl_->env.rank;
}

int GlooSynchronizer::worldSize() const {
  return impl_->env.worldSize;
}

void GlooSynchronizer::synchronize(std::vector<at::Tensor>& parameters) {
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

void GlooSynchronizer::broadcast(std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor*> pointers;
  for (at::Tensor& t : tensors) pointers.push_back(&t);
  impl_->collective("the broadcast from rank 0", pointers, false);
}

void GlooSynchronizer::setBucketBytes(int64_t bytes) {
  impl_->bucketBytes = bytes;
}

void GlooSynchronizer::allReduceSum(at::Tensor& values) {
  impl_->collective("the per-step all-reduce of [loss, stop]", {&values}, true);
}

std::shared_ptr<GradientSynchronizer> joinFromEnvironment(std::chrono::milliseconds timeout) {
  const std::optional<LaunchEnvironment> env = LaunchEnvironment::fromEnvironment();
  if (!env || env->worldSize == 1) return nullptr;
  return std::make_shared<GlooSynchronizer>(*env, timeout);
}

}  // namespace crisp::dist
