#include "core/model/dam.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "core/sys/error.h"

namespace crisp {
namespace {

// Assumption (SparseBERT does not state it): alpha starts at 2, so every pair is kept with
// probability sigma(2) = 0.88 and training begins close to dense attention.
constexpr double kInitialLogit = 2.0;

}  // namespace

DamMask::DamMask(const DamSpec& spec, int layers, int heads, int maxPositions)
    : spec_(spec),
      layers_(layers),
      heads_(heads),
      length_(spec.maxLength > 0 ? spec.maxLength : maxPositions) {
  const int64_t groups = spec.shared ? 1 : layers;
  std::vector<int64_t> shape = {groups, heads, length_};
  if (!spec.structured) shape.push_back(length_);
  logits = register_parameter("logits", at::full(shape, kInitialLogit));
  if (spec.frozen) logits.set_requires_grad(false);
}

bool DamMask::matches(const DamSpec& spec, int layers, int heads, int maxPositions) const {
  const int length = spec.maxLength > 0 ? spec.maxLength : maxPositions;
  return spec.structured == spec_.structured && spec.shared == spec_.shared && layers == layers_ &&
         heads == heads_ && length == length_;
}

at::Tensor DamMask::expand(const at::Tensor& perGroup, int64_t length) const {
  if (length > length_) {
    throw Error("DAM mask covers " + std::to_string(length_) + " positions but the input has " +
                std::to_string(length) + " tokens (raise dam len=)");
  }
  if (!spec_.structured) return perGroup.narrow(-2, 0, length).narrow(-1, 0, length);
  const at::Tensor i =
      at::arange(length, at::TensorOptions().dtype(at::kLong).device(perGroup.device()));
  const at::Tensor offset = (i.unsqueeze(1) - i.unsqueeze(0)).abs();  // [T, T]
  return perGroup.index_select(-1, offset.flatten()).view({perGroup.size(0), length, length});
}

std::vector<at::Tensor> DamMask::sample(int64_t length, bool training) const {
  std::vector<at::Tensor> masks;
  for (int64_t g = 0; g < logits.size(0); ++g) {
    const at::Tensor alpha = expand(logits[g], length);
    if (!training || spec_.frozen) {
      masks.push_back((alpha.detach() > 0).to(alpha.scalar_type()));
      continue;
    }
    // Gumbel-sigmoid: logistic noise log(u) - log(1 - u), then the hard straight-through.
    const at::Tensor u = at::rand_like(alpha).clamp(1e-6, 1.0 - 1e-6);
    const at::Tensor soft = at::sigmoid((alpha + at::log(u) - at::log1p(-u)) / spec_.temperature);
    const at::Tensor hard = (soft.detach() > 0.5).to(soft.scalar_type());
    masks.push_back(hard + soft - soft.detach());
  }
  return masks;
}

at::Tensor DamMask::maskForLayer(const std::vector<at::Tensor>& masks, int layer) const {
  return masks.size() == 1 ? masks[0] : masks.at(static_cast<size_t>(layer));
}

at::Tensor DamMask::keepProbabilities() const {
  at::NoGradGuard noGrad;
  std::vector<at::Tensor> groups;
  for (int64_t g = 0; g < logits.size(0); ++g) {
    groups.push_back(at::sigmoid(expand(logits[g], length_)));
  }
  return at::stack(groups);
}

void DamMask::freeze() {
  spec_.frozen = true;
  logits.set_requires_grad(false);
}

}  // namespace crisp
