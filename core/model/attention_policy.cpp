#include "core/model/attention_policy.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/sys/error.h"

namespace crisp {
namespace {

// SparseBERT writes the mask into the scores as -c(1 - M) with a large c; the forward pass here
// removes keys exactly (-inf), so c only scales DAM's straight-through gradient.
constexpr double kDamGradientScale = 1.0;

// What a role is called when a policy holds two terms of it.
const char* roleNoun(TermRole role) {
  switch (role) {
    case TermRole::Dense: return "dense term";
    case TermRole::Diagonal: return "diagonal removal";
    case TermRole::Pattern: return "fixed pattern";
    case TermRole::Selection: return "top-k selection";
    case TermRole::LearnedMask: return "learned mask";
    case TermRole::Phase: return "train-only";
  }
  return "term";
}

}  // namespace

bool AttentionPolicySpec::isDense() const {
  return std::all_of(terms.begin(), terms.end(),
                     [](const PolicyTerm& t) { return t.definition->role == TermRole::Phase; });
}

bool AttentionPolicySpec::appliesInEvaluation() const {
  return term(TermRole::Phase) == nullptr;
}

bool AttentionPolicySpec::hasStructure() const {
  return std::any_of(terms.begin(), terms.end(),
                     [](const PolicyTerm& t) { return t.definition->mask != nullptr; });
}

const PolicyTerm* AttentionPolicySpec::term(TermRole role) const {
  for (const PolicyTerm& t : terms) {
    if (t.definition->role == role) return &t;
  }
  return nullptr;
}

bool AttentionPolicySpec::keepsDataDependentKeys() const {
  return std::any_of(terms.begin(), terms.end(),
                     [](const PolicyTerm& t) { return t.definition->dataDependent; });
}

double AttentionPolicySpec::sparsityForLayer(int layer, int layers) const {
  const PolicyTerm* selection = term(TermRole::Selection);
  if (selection == nullptr || selection->definition->sparsity == nullptr) return 0.0;
  return selection->definition->sparsity(*selection, layer, layers);
}

DamSpec AttentionPolicySpec::dam() const {
  const PolicyTerm* mask = term(TermRole::LearnedMask);
  return mask != nullptr ? damSpecOf(*mask) : DamSpec();
}

void AttentionPolicySpec::freezeDam() {
  for (PolicyTerm& t : terms) {
    if (t.definition->role == TermRole::LearnedMask) t.set("frozen", 1.0);
  }
}

void AttentionPolicySpec::validate(int layers, int maxPositions) const {
  const PolicyLimits limits{layers, maxPositions};
  for (const PolicyTerm& t : terms) {
    if (t.definition->validate != nullptr) t.definition->validate(t, limits);
  }
}

AttentionPolicySpec AttentionPolicySpec::parse(const std::string& text) {
  if (text.empty()) throw Error("attention policy: empty (try dense or crisp:0.8)");
  AttentionPolicySpec spec;
  bool dense = false;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find('+', start);
    PolicyTerm term = parsePolicyTerm(text.substr(start, end - start), text);
    const TermRole role = term.definition->role;
    if (role == TermRole::Dense) {
      dense = true;
    } else if (spec.term(role) != nullptr) {
      throw Error("attention policy \"" + text + "\": more than one " + roleNoun(role));
    } else {
      spec.terms.push_back(std::move(term));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (dense && !spec.terms.empty()) {
    throw Error("attention policy \"" + text + "\": dense cannot be combined with other terms");
  }
  std::stable_sort(spec.terms.begin(), spec.terms.end(),
                   [](const PolicyTerm& a, const PolicyTerm& b) {
                     return a.definition->role < b.definition->role;
                   });
  spec.validate(/*layers=*/0);  // what can be checked without the model
  return spec;
}

std::string AttentionPolicySpec::toString() const {
  if (terms.empty()) return "dense";
  std::string text;
  for (const PolicyTerm& t : terms) text += (text.empty() ? "" : "+") + t.toString();
  return text;
}

nlohmann::json AttentionPolicySpec::toJson() const {
  const PolicyTerm* pattern = term(TermRole::Pattern);
  return {{"policy", toString()}, {"pattern", pattern ? pattern->definition->name : "none"}};
}

AttentionPolicySpec AttentionPolicySpec::fromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("policy") || !json["policy"].is_string()) {
    throw Error("attention policy JSON: expected an object with a \"policy\" string");
  }
  return parse(json["policy"].get<std::string>());
}

at::Tensor structuralMask(const AttentionPolicySpec& spec, int64_t length, int layer) {
  const auto options = at::TensorOptions().dtype(at::kLong);
  MaskGeometry geometry;
  geometry.query = at::arange(length, options).unsqueeze(1);
  geometry.key = at::arange(length, options).unsqueeze(0);
  geometry.distance = (geometry.query - geometry.key).abs();
  geometry.length = length;
  geometry.layer = layer;
  at::Tensor allowed = at::ones({length, length}, at::kBool);
  for (const PolicyTerm& t : spec.terms) {
    if (t.definition->mask != nullptr) allowed = allowed & t.definition->mask(t, geometry);
  }
  return allowed;
}

at::Tensor attentionProbabilities(const at::Tensor& scores, const at::Tensor& keyMask,
                                  const AttentionPolicySpec& spec, int layer, int layers,
                                  bool training, LayerAttention* capture,
                                  const at::Tensor& damMask) {
  const float negInf = -std::numeric_limits<float>::infinity();
  const int64_t queries = scores.size(-2);
  const at::Tensor dam = damMask.defined() ? damMask.narrow(-2, 0, queries) : damMask;
  const at::Tensor keyAllowed = keyMask.to(at::kBool).unsqueeze(1).unsqueeze(1);  // [B,1,1,T]
  const bool prune = !spec.isDense() && (training || spec.appliesInEvaluation());

  at::Tensor keep;
  if (prune) {
    at::NoGradGuard noGrad;  // the choice of keys is not differentiable; the scores kept are
    const int64_t length = scores.size(-1);
    at::Tensor allowed = keyAllowed;
    if (spec.hasStructure()) {
      allowed =
          allowed & structuralMask(spec, length, layer).narrow(0, 0, queries).to(scores.device());
    }
    if (dam.defined()) allowed = allowed & (dam.detach() > 0.5);
    allowed = allowed.expand(scores.sizes());
    const at::Tensor detached = scores.detach();
    // A row left with no key keeps its best real key.
    const at::Tensor empty = allowed.sum(-1, true) == 0;
    // On a GPU the rescue is computed unconditionally: asking first would wait for the device.
    if (!scores.is_cpu() || empty.any().item<bool>()) {
      const at::Tensor best =
          detached.masked_fill(keyAllowed.logical_not(), negInf).argmax(-1, true);
      const at::Tensor rescue = at::zeros_like(allowed).scatter_(-1, best, true);
      allowed = allowed | (rescue & empty);
    }
    keep = allowed;
    const at::Tensor masked = detached.masked_fill(allowed.logical_not(), negInf);
    const at::Tensor n = allowed.sum(-1);  // keys still allowed per row
    const PolicyTerm* selection = spec.term(TermRole::Selection);
    if (selection != nullptr) {
      const PolicyTermDefinition& rule = *selection->definition;
      const at::Tensor chosen =
          rule.sparsity != nullptr
              ? keepTopK(masked, topKCount(n, rule.sparsity(*selection, layer, layers)))
              : rule.select(*selection, masked, n);
      keep = chosen & allowed;
    }
  }

  // SparseBERT's -c(1 - M) term as a straight-through: it adds exactly zero here (keys are removed
  // above), but carries the task loss's gradient on each kept score to the mask's logits.
  const at::Tensor scored = dam.defined() && dam.requires_grad()
                                ? scores + kDamGradientScale * (dam - dam.detach())
                                : scores;
  const at::Tensor probs = at::softmax(prune ? scored.masked_fill(keep.logical_not(), negInf)
                                             : scored.masked_fill(keyAllowed.logical_not(), negInf),
                                       -1);
  if (capture != nullptr) {
    at::NoGradGuard noGrad;
    capture->after = probs.detach();
    capture->before =
        prune ? at::softmax(scores.detach().masked_fill(keyAllowed.logical_not(), negInf), -1)
              : capture->after;
    capture->keep = prune ? keep : keyAllowed.expand(scores.sizes()).clone();
  }
  return probs;
}

}  // namespace crisp
