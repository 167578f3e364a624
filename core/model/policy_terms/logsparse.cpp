#include <ATen/ATen.h>

#include "core/model/policy_term.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_logsparse() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "logsparse";
    t.role = TermRole::Pattern;
    t.title = "LogSparse";
    t.summary = "LogSparse: the query itself and keys at distances that are powers of two";
    t.mask = [](const PolicyTerm&, const MaskGeometry& g) {
      return ((g.distance & (g.distance - 1)) == 0) | (g.distance == 0);
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
