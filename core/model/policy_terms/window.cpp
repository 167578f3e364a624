#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_window() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "window";
    t.role = TermRole::Pattern;
    t.title = "Local window";
    t.summary = "local window: keys within W positions of the query, |i - j| <= W";
    t.parameters = {TermParameter::count("W", "half-width", "", 0, 1e6).startingAt(3)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      return g.distance <= term.count("W");
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
