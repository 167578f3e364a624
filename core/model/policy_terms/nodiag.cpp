#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_nodiag() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "nodiag";
    t.aliases = {"no-diagonal"};
    t.role = TermRole::Diagonal;
    t.title = "Remove the diagonal";
    t.summary = "diagonal removal (SparseBERT): no token attends to itself";
    t.mask = [](const PolicyTerm&, const MaskGeometry& g) { return g.distance != 0; };
    return t;
  }();
  return definition;
}

}  // namespace crisp
