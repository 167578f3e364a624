#include <ATen/ATen.h>

#include <random>

#include "core/model/policy_term.h"
#include "core/sys/error.h"

namespace crisp {

const PolicyTermDefinition& policyTerm_bigbird() {
  static const PolicyTermDefinition definition = [] {
    PolicyTermDefinition t;
    t.name = "bigbird";
    t.role = TermRole::Pattern;
    t.title = "BigBird (window + global + random)";
    t.summary =
        "BigBird: a local window of half-width W, G global tokens, and R random keys "
        "per query row";
    // R is bounded: each random key is drawn in a loop per row, at every forward pass.
    t.parameters = {
        TermParameter::count("W", "half-width", "", 0, 1e6).startingAt(3),
        TermParameter::count("G", "global tokens", "the first G positions", 0, 1e6).optional(1),
        TermParameter::count("R", "random keys", "per query row, drawn with replacement", 0, 1024)
            .optional(2),
        TermParameter::count("SEED", "seed", "of the random keys", 0, 2147483647.0).optional(0)};
    t.mask = [](const PolicyTerm& term, const MaskGeometry& g) {
      const int global = term.count("G");
      at::Tensor allowed = (g.distance <= term.count("W")) | (g.query < global) | (g.key < global);
      // Random keys from (seed, layer, length) only: the same pattern at every call.
      std::mt19937_64 rng(static_cast<uint64_t>(term.value("SEED")) * 1000003ULL +
                          static_cast<uint64_t>(g.layer) * 7919ULL +
                          static_cast<uint64_t>(g.length));
      std::uniform_int_distribution<int64_t> pick(0, g.length - 1);
      auto rows = allowed.accessor<bool, 2>();
      const int randomKeys = term.count("R");
      for (int64_t row = 0; row < g.length; ++row) {
        for (int r = 0; r < randomKeys; ++r) rows[row][pick(rng)] = true;
      }
      return allowed;
    };
    t.validate = [](const PolicyTerm& term, const PolicyLimits& limits) {
      if (limits.maxPositions > 0 && term.count("R") > limits.maxPositions) {
        throw Error("attention policy term \"" + term.toString() + "\": " +
                    std::to_string(term.count("R")) + " random keys per row for a model of " +
                    std::to_string(limits.maxPositions) + " positions");
      }
    };
    return t;
  }();
  return definition;
}

}  // namespace crisp
