#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_dense() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "dense";
    t.role = TermRole::Dense;
    t.title = "Dense";
    t.summary = "no pruning: every real key, as the model was pre-trained";
    return t;
  }();
  return definition;
}

}  // namespace crisp
