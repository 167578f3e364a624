#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_crisp() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "crisp";
    t.role = TermRole::Selection;
    t.title = "Crisp top-k";
    t.summary =
        "crisp top-k: of the n allowed keys keep the k = max(1, ceil((1-S) n)) best-scoring, "
        "ties kept";
    t.parameters = {TermParameter::real("S", "sparsity",
                                        "the fraction of allowed keys pruned per query row", 0.0,
                                        1.0, /*maximumOpen=*/true)
                        .startingAt(0.8)};
    t.sparsity = [](const PolicyTerm& term, int, int) { return term.values[0]; };
    return t;
  }();
  return definition;
}

}  // namespace crisp
