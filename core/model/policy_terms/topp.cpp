#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_topp() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "topp";
    t.role = TermRole::Selection;
    t.title = "Top-p";
    t.summary =
        "top-p: keep the smallest set of allowed keys holding at least P of the dense "
        "attention mass";
    t.parameters = {TermParameter::real("P", "mass", "", 0.0, 1.0).openBelow().startingAt(0.9)};
    t.dataDependent = true;
    t.select = [](const PolicyTerm& term, const at::Tensor& masked, const at::Tensor& allowed) {
      const at::Tensor probs = at::softmax(masked, -1);
      const at::Tensor sorted = std::get<0>(probs.sort(-1, /*descending=*/true));
      const at::Tensor before = sorted.cumsum(-1) - sorted;  // mass ahead of each key
      const at::Tensor k = (before < term.values[0]).sum(-1).clamp_min(1).minimum(allowed);
      return keepTopK(masked, k);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
