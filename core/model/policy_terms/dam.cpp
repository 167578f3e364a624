#include "core/model/attention_policy.h"
#include "core/model/policy_term.h"
#include "core/sys/error.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_dam() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "dam";
    t.role = TermRole::LearnedMask;
    t.title = "Learned mask (DAM)";
    t.summary =
        "SparseBERT's Differentiable Attention Mask: a learned keep/drop logit per head "
        "and (query, key) pair, with an L1 penalty LAMBDA * mean(M)";
    TermParameter structure;
    structure.kind = ParameterKind::Choice;
    structure.name = "structure";
    structure.label = "mask structure";
    structure.help = "one logit per pair, or one per diagonal offset |i - j|";
    structure.choices = {"unstructured", "structured"};
    TermParameter sharing = structure;
    sharing.name = "sharing";
    sharing.label = "mask sharing";
    sharing.help = "one mask for all layers (the authors' code), or one per layer";
    sharing.choices = {"shared", "per-layer"};
    TermParameter temperature =
        TermParameter::real("tau", "Gumbel-sigmoid temperature", "", 0.0, 1e3).openBelow();
    temperature.kind = ParameterKind::Keyed;
    temperature.defaultValue = 1.0;
    TermParameter rate =
        TermParameter::real("lr", "the mask's learning rate", "", 0.0, 10.0).openBelow();
    rate.kind = ParameterKind::Keyed;
    rate.defaultValue = DamSpec().learningRate;
    TermParameter length = TermParameter::count("len", "positions covered",
                                                "0: the model's max_position_embeddings", 0, 1e6);
    length.kind = ParameterKind::Keyed;
    length.whole = true;
    TermParameter frozen;
    frozen.kind = ParameterKind::Flag;
    frozen.name = "frozen";
    frozen.label = "binarised into a fixed pattern";
    frozen.help = "the second fine-tuning phase";
    t.parameters = {TermParameter::real("LAMBDA", "L1 weight", "SparseBERT: 1e-4 to 1e-1", 0.0, 1e3)
                        .startingAt(1e-3),
                    structure,
                    sharing,
                    temperature,
                    rate,
                    length,
                    frozen};
    t.dataDependent = true;
    t.validate = [](const PolicyTerm& term, const PolicyLimits& limits) {
      if (limits.maxPositions > 0 && term.count("len") > limits.maxPositions) {
        throw Error("attention policy term \"" + term.toString() + "\": a mask over " +
                    std::to_string(term.count("len")) + " positions for a model of " +
                    std::to_string(limits.maxPositions));
      }
    };
    return t;
  }();
  return definition;
}

DamSpec damSpecOf(const PolicyTerm& term) {
  DamSpec spec;
  spec.enabled = true;
  spec.lambda = term.value("LAMBDA");
  spec.structured = term.value("structure") != 0.0;
  spec.shared = term.value("sharing") == 0.0;
  spec.temperature = term.value("tau");
  spec.learningRate = term.value("lr");
  spec.maxLength = term.count("len");
  spec.frozen = term.value("frozen") != 0.0;
  return spec;
}

}  // namespace crisp
