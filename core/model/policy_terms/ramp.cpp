#include "core/model/policy_term.h"
#include "core/sys/error.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_ramp() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "ramp";
    t.role = TermRole::Selection;
    t.title = "Crisp top-k, layer ramp";
    t.summary =
        "crisp top-k whose sparsity rises linearly from S-SPREAD (first layer) to "
        "S+SPREAD (last layer)";
    t.parameters = {
        TermParameter::real("S", "mean sparsity", "", 0.0, 1.0, /*maximumOpen=*/true)
            .startingAt(0.7),
        TermParameter::real("SPREAD", "spread", "", 0.0, 1.0, /*maximumOpen=*/true).optional(0.1)};
    t.sparsity = [](const PolicyTerm& term, int layer, int layers) {
      const double position = layers > 1 ? 2.0 * layer / (layers - 1) - 1.0 : 0.0;
      return term.values[0] + term.values[1] * position;
    };
    t.validate = [](const PolicyTerm& term, const PolicyLimits&) {
      const double first = term.values[0] - term.values[1];
      const double last = term.values[0] + term.values[1];
      if (first < 0.0 || last >= 1.0) {
        throw Error("attention policy term \"" + term.toString() + "\": the sparsity would run " +
                    "from " + formatPolicyNumber(first) + " to " + formatPolicyNumber(last) +
                    "; every layer's must lie in [0, 1)");
      }
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
