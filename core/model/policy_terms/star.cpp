#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_star() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "star";
    t.role = TermRole::Pattern;
    t.title = "Star";
    t.summary = "Star-Transformer: neighbours |i - j| <= 1 and the first token as a relay";
    t.mask = [](const PolicyTerm&, const MaskGeometry& g) {
      return (g.distance <= 1) | (g.query < 1) | (g.key < 1);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
