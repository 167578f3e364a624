#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_fixed() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "fixed";
    t.role = TermRole::Pattern;
    t.title = "Fixed blocks";
    t.summary =
        "fixed (Sparse Transformer): keys in the query's block of L positions, and the "
        "last key of every block (its summary)";
    t.parameters = {TermParameter::count("L", "block length", "", 1, 1e6).startingAt(4)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      const int block = term.count("L");
      return (g.query.div(block, "floor") == g.key.div(block, "floor")) |
             (g.key.remainder(block) == block - 1);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
