#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_longformer() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "longformer";
    t.role = TermRole::Pattern;
    t.title = "Longformer";
    t.summary =
        "Longformer: a local window of half-width W, plus G global tokens that attend "
        "and are attended everywhere";
    t.parameters = {
        TermParameter::count("W", "half-width", "", 0, 1e6).startingAt(3),
        TermParameter::count("G", "global tokens", "the first G positions", 0, 1e6).optional(1)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      const int global = term.count("G");
      return (g.distance <= term.count("W")) | (g.query < global) | (g.key < global);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
