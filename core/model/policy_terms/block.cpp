#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

// Added as the registry's worked example: one file and its test (see docs/ARCHITECTURE.md).
const PolicyTermDefinition& policyTerm_block() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "block";
    t.role = TermRole::Pattern;
    t.title = "Block-diagonal";
    t.summary =
        "block-diagonal (BlockBERT, Qiu et al. 2020): keys in the query's own block of "
        "B positions";
    t.parameters = {TermParameter::count("B", "block length", "", 1, 1e6).startingAt(4)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      const int block = term.count("B");
      return g.query.div(block, "floor") == g.key.div(block, "floor");
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
