#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_train_only() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "train-only";
    t.role = TermRole::Phase;
    t.title = "Prune in training only";
    t.summary = "prune in training only: dense attention at evaluation and inference";
    return t;
  }();
  return definition;
}

}  // namespace crisp
