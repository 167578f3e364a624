#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_strided() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "strided";
    t.role = TermRole::Pattern;
    t.title = "Strided";
    t.summary = "strided (Sparse Transformer): |i - j| < L, or L divides i - j";
    t.parameters = {TermParameter::count("L", "stride", "", 1, 1e6).startingAt(4)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      const int stride = term.count("L");
      return (g.distance < stride) | (g.distance.remainder(stride) == 0);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
