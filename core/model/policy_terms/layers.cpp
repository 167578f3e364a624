#include "core/model/policy_term.h"
#include "core/sys/error.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_layers() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "layers";
    t.role = TermRole::Selection;
    t.title = "Crisp top-k per layer";
    t.summary = "crisp top-k with its own sparsity in each layer, first layer first";
    TermParameter s = TermParameter::real("S", "sparsity", "one per layer", 0.0, 1.0,
                                          /*maximumOpen=*/true);
    s.kind = ParameterKind::RealList;
    t.parameters = {s};
    t.sparsity = [](const PolicyTerm& term, int layer, int) {
      return layer < static_cast<int>(term.list.size()) ? term.list[static_cast<size_t>(layer)]
                                                        : 0.0;
    };
    t.validate = [](const PolicyTerm& term, const PolicyLimits& limits) {
      if (limits.layers > 0 && static_cast<int>(term.list.size()) != limits.layers) {
        throw Error("attention policy term \"" + term.toString() + "\": " +
                    std::to_string(term.list.size()) + " per-layer sparsities for a model with " +
                    std::to_string(limits.layers) + " layers");
      }
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
