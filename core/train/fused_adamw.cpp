#include "core/train/fused_adamw.h"

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/string_utils.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "core/sys/error.h"
#include "core/sys/torch_compat.h"

namespace crisp {
namespace {

struct UpdateScalars {
  float gradScale;
  float decay;  // 1 - lr * weight_decay
  float beta1, oneMinusBeta1;
  float beta2, oneMinusBeta2;
  float sqrtBiasCorrection2;
  float eps;
  float negStepSize;  // -lr / bias_correction1
};

// The update of torch::optim::AdamW (LibTorch 1.13, amsgrad off), element by element, in the
// order its ATen operations round: p *= decay; m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g;
// p += -step * m / (sqrt(v) / sqrt(bc2) + eps). Built for three instruction sets and chosen at
// load time, so the package runs on any x86-64 and still uses AVX-512 where there is one.
// Not under TSan: the choice is an ifunc resolver that the dynamic loader calls before TSan's
// runtime is set up, and instrumented it crashed every binary at start.
#ifdef __SANITIZE_THREAD__
#define CRISP_UPDATE_TARGETS
#else
#define CRISP_UPDATE_TARGETS __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
CRISP_UPDATE_TARGETS void updateSpan(float* __restrict param, const float* __restrict grad,
                                     float* __restrict expAvg, float* __restrict expAvgSq,
                                     int64_t count, const UpdateScalars& s) {
  const UpdateScalars k = s;  // a local copy: the compiler may keep it in registers
  for (int64_t i = 0; i < count; ++i) {
    const float g = grad[i] * k.gradScale;
    const float m = expAvg[i] * k.beta1 + k.oneMinusBeta1 * g;
    const float v = expAvgSq[i] * k.beta2 + k.oneMinusBeta2 * g * g;
    const float denom = std::sqrt(v) / k.sqrtBiasCorrection2 + k.eps;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = param[i] * k.decay + k.negStepSize * (m / denom);
  }
}

// Enough elements per task that a thread hand-off costs little against the memory traffic.
constexpr int64_t kGrainElements = 1 << 15;

}  // namespace

at::Tensor FusedAdamW::step(LossClosure closure) {
  at::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enableGrad(true);
    loss = closure();
  }
  step(1.0F);
  return loss;
}

torch::optim::AdamWParamState& FusedAdamW::stateOf(const at::Tensor& p) {
  const auto key = torch_compat::optimizerStateKey(p);
  auto found = state_.find(key);
  if (found == state_.end()) {
    auto fresh = std::make_unique<torch::optim::AdamWParamState>();
    fresh->exp_avg(torch::zeros_like(p, at::MemoryFormat::Contiguous));
    fresh->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Contiguous));
    found = state_.emplace(key, std::move(fresh)).first;
  }
  auto& state = static_cast<torch::optim::AdamWParamState&>(*found->second);
  // A checkpoint written by another layout could hold non-contiguous moments.
  if (!state.exp_avg().is_contiguous()) state.exp_avg(state.exp_avg().contiguous());
  if (!state.exp_avg_sq().is_contiguous()) state.exp_avg_sq(state.exp_avg_sq().contiguous());
  return state;
}

void FusedAdamW::stepOnGpu(torch::optim::OptimizerParamGroup& group, float gradScale) {
  const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
  const auto [beta1, beta2] = options.betas();
  std::vector<at::Tensor> params, grads, expAvgs, expAvgSqs, steps;
  std::map<int64_t, at::Tensor> stepTensors;  // one per distinct count (normally just one)
  for (auto& p : group.params()) {
    const at::Tensor& gradient = p.grad();
    if (!gradient.defined()) continue;
    if (p.scalar_type() != at::kFloat || gradient.scalar_type() != at::kFloat ||
        gradient.is_sparse() || p.sizes() != gradient.sizes() || gradient.device() != p.device() ||
        p.device() != group.params().front().device()) {
      throw Error("FusedAdamW: parameter of shape " + c10::str(p.sizes()) + " (" +
                  std::string(c10::toString(p.scalar_type())) + ", " + p.device().str() +
                  ") needs a float32 parameter and a dense gradient of its shape, on the "
                  "device of its group");
    }
    auto& state = stateOf(p);
    state.step(state.step() + 1);
    at::Tensor& count = stepTensors[state.step()];
    if (!count.defined()) {
      count = at::full({}, static_cast<double>(state.step()), p.options().dtype(at::kFloat));
    }
    params.push_back(p);
    grads.push_back(gradient);
    expAvgs.push_back(state.exp_avg());
    expAvgSqs.push_back(state.exp_avg_sq());
    steps.push_back(count);
  }
  if (params.empty()) return;
  at::Tensor divisor;  // the kernel divides by it: 1 / scale
  if (gradScale != 1.0F) {
    divisor = at::full({}, 1.0 / static_cast<double>(gradScale),
                       params.front().options().dtype(at::kFloat));
  }
  torch_compat::fusedAdamW(params, grads, expAvgs, expAvgSqs, steps, options.lr(), beta1, beta2,
                           options.weight_decay(), options.eps(), divisor);
}

void FusedAdamW::step(float gradScale) {
  torch::NoGradGuard noGrad;
  const bool onGpu = !param_groups().empty() && !param_groups().front().params().empty() &&
                     !param_groups().front().params().front().is_cpu();
  if (onGpu && !torch_compat::kHasFusedAdamW) {  // LibTorch 1.13: its own AdamW, scaled first
    for (auto& group : param_groups()) {
      for (auto& p : group.params()) {
        if (p.grad().defined() && gradScale != 1.0F) p.mutable_grad().mul_(gradScale);
      }
    }
    torch::optim::AdamW::step();
    return;
  }
  for (auto& group : param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad()) throw Error("FusedAdamW: amsgrad is not supported");
    if (!group.params().empty() && !group.params().front().is_cpu()) {
      stepOnGpu(group, gradScale);
      continue;
    }
    const double lr = options.lr();
    const auto [beta1, beta2] = options.betas();
    for (auto& p : group.params()) {
      const at::Tensor& gradient = p.grad();
      if (!gradient.defined()) continue;
      if (!p.is_cpu() || !gradient.is_cpu() || p.scalar_type() != at::kFloat ||
          gradient.scalar_type() != at::kFloat || gradient.is_sparse() || !p.is_contiguous() ||
          p.sizes() != gradient.sizes()) {
        throw Error("FusedAdamW: parameter of shape " + c10::str(p.sizes()) + " (" +
                    std::string(c10::toString(p.scalar_type())) + ", " + p.device().str() +
                    ") needs a contiguous float32 CPU parameter and a dense gradient of its shape");
      }
      auto& state = stateOf(p);
      state.step(state.step() + 1);

      const double biasCorrection1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double biasCorrection2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
      const UpdateScalars scalars{gradScale,
                                  static_cast<float>(1.0 - lr * options.weight_decay()),
                                  static_cast<float>(beta1),
                                  static_cast<float>(1.0 - beta1),
                                  static_cast<float>(beta2),
                                  static_cast<float>(1.0 - beta2),
                                  static_cast<float>(std::sqrt(biasCorrection2)),
                                  static_cast<float>(options.eps()),
                                  static_cast<float>(-lr / biasCorrection1)};
      const at::Tensor grad = gradient.contiguous();
      float* param = p.data_ptr<float>();
      const float* g = grad.data_ptr<float>();
      float* expAvg = state.exp_avg().data_ptr<float>();
      float* expAvgSq = state.exp_avg_sq().data_ptr<float>();
      at::parallel_for(0, p.numel(), kGrainElements, [&](int64_t begin, int64_t end) {
        updateSpan(param + begin, g + begin, expAvg + begin, expAvgSq + begin, end - begin,
                   scalars);
      });
    }
  }
}

void FusedAdamW::releaseGradients() {
  for (auto& group : param_groups()) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

GradientClip gradientClip(const std::vector<at::Tensor>& parameters, double maxNorm) {
  torch::NoGradGuard noGrad;
  std::vector<at::Tensor> norms, gradients;
  for (const auto& p : parameters) {
    if (p.grad().defined()) gradients.push_back(p.grad());
  }
  if (gradients.empty()) return {};
  if (gradients.front().is_cpu()) {  // as it always was: the CPU's results stay bit-identical
    for (const auto& g : gradients) norms.push_back(g.norm(2));
  } else {
    norms = torch_compat::norms(gradients);  // one kernel, not one per parameter
  }
  const at::Tensor total = norms.size() == 1 ? norms.front() : at::stack(norms).norm(2);
  const float norm = total.item<float>();
  const float coefficient = static_cast<float>(maxNorm) / (norm + 1e-6F);
  return {norm, std::min(coefficient, 1.0F)};
}

}  // namespace crisp
