#include "core/model/attention_policy.h"

#include <ATen/ATen.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/sys/error.h"

namespace crisp {
namespace {

// Why an epsilon: (1 - 0.8) * 5 is 1.0000000000000002 in doubles, and ceil would keep 2.
constexpr double kCeilSlack = 1e-9;

// SparseBERT writes the mask into the scores as -c(1 - M) with a large c; the forward pass here
// removes keys exactly (-inf), so c only scales DAM's straight-through gradient.
constexpr double kDamGradientScale = 1.0;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  return parts;
}

double parseNumber(const std::string& text, const std::string& term) {
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw Error("attention policy \"" + term + "\": \"" + text + "\" is not a number");
}

int parseInt(const std::string& text, const std::string& term) {
  const double value = parseNumber(text, term);
  if (value != std::floor(value) || value < 0 || value > 1e6) {
    throw Error("attention policy \"" + term + "\": \"" + text + "\" is not a count");
  }
  return static_cast<int>(value);
}

const char* patternName(PatternKind kind) {
  switch (kind) {
    case PatternKind::None: return "none";
    case PatternKind::Window: return "window";
    case PatternKind::Strided: return "strided";
    case PatternKind::Fixed: return "fixed";
    case PatternKind::Longformer: return "longformer";
    case PatternKind::Star: return "star";
    case PatternKind::BigBird: return "bigbird";
    case PatternKind::LogSparse: return "logsparse";
  }
  return "none";
}

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Keeps, per row, the keys scoring at least the k-th largest allowed score (ties kept).
at::Tensor keepTopK(const at::Tensor& masked, const at::Tensor& k) {
  const int64_t kmax = std::max<int64_t>(1, k.max().item<int64_t>());
  const at::Tensor top = std::get<0>(masked.topk(std::min(kmax, masked.size(-1)), -1));
  const at::Tensor threshold = top.gather(-1, (k - 1).clamp_min(0).unsqueeze(-1));
  return masked >= threshold;
}

}  // namespace

bool AttentionPolicySpec::isDense() const {
  return !removeDiagonal && pattern.kind == PatternKind::None &&
         crisp.schedule == SparsitySchedule::None && !dam.enabled;
}

double AttentionPolicySpec::sparsityForLayer(int layer, int layers) const {
  switch (crisp.schedule) {
    case SparsitySchedule::None:
    case SparsitySchedule::TopP: return 0.0;
    case SparsitySchedule::Uniform: return crisp.sparsity;
    case SparsitySchedule::PerLayer:
      return layer < static_cast<int>(crisp.perLayer.size()) ? crisp.perLayer[layer] : 0.0;
    case SparsitySchedule::Ramp: {
      const double position = layers > 1 ? 2.0 * layer / (layers - 1) - 1.0 : 0.0;
      return std::clamp(crisp.sparsity + crisp.rampSpread * position, 0.0, 0.99);
    }
  }
  return 0.0;
}

void AttentionPolicySpec::validate(int layers) const {
  const auto checkSparsity = [](double s) {
    if (!(s >= 0.0 && s < 1.0)) {
      throw Error("attention policy: sparsity " + formatNumber(s) + " is not in [0, 1)");
    }
  };
  if (crisp.schedule == SparsitySchedule::Uniform || crisp.schedule == SparsitySchedule::Ramp) {
    checkSparsity(crisp.sparsity);
  }
  if (crisp.schedule == SparsitySchedule::PerLayer) {
    if (static_cast<int>(crisp.perLayer.size()) != layers) {
      throw Error("attention policy: " + std::to_string(crisp.perLayer.size()) +
                  " per-layer sparsities for a model with " + std::to_string(layers) + " layers");
    }
    for (double s : crisp.perLayer) checkSparsity(s);
  }
  if (crisp.schedule == SparsitySchedule::TopP && !(crisp.topP > 0.0 && crisp.topP <= 1.0)) {
    throw Error("attention policy: top-p " + formatNumber(crisp.topP) + " is not in (0, 1]");
  }
  if (dam.enabled && !(dam.lambda >= 0.0 && dam.temperature > 0.0 && dam.learningRate > 0.0)) {
    throw Error("attention policy: DAM needs lambda >= 0, tau > 0 and a positive learning rate");
  }
  if (pattern.kind != PatternKind::None &&
      (pattern.window < 0 || pattern.stride < 1 || pattern.globalTokens < 0)) {
    throw Error("attention policy: pattern parameters must be non-negative (stride >= 1)");
  }
}

AttentionPolicySpec AttentionPolicySpec::parse(const std::string& text) {
  AttentionPolicySpec spec;
  if (text.empty()) throw Error("attention policy: empty");
  for (const std::string& term : split(text, '+')) {
    const std::vector<std::string> f = split(term, ':');
    const std::string& name = f[0];
    const auto arg = [&](size_t i) -> const std::string& {
      if (i >= f.size() || f[i].empty()) {
        throw Error("attention policy \"" + term + "\": missing parameter " + std::to_string(i));
      }
      return f[i];
    };
    const auto setPattern = [&](PatternKind kind) {
      if (spec.pattern.kind != PatternKind::None) {
        throw Error("attention policy \"" + text + "\": more than one fixed pattern");
      }
      spec.pattern.kind = kind;
    };
    const auto setSchedule = [&](SparsitySchedule schedule) {
      if (spec.crisp.schedule != SparsitySchedule::None) {
        throw Error("attention policy \"" + text + "\": more than one top-k selection");
      }
      spec.crisp.schedule = schedule;
    };
    if (name == "dense") {
      if (f.size() != 1) throw Error("attention policy \"" + term + "\": takes no parameter");
    } else if (name == "nodiag" || name == "no-diagonal") {
      spec.removeDiagonal = true;
    } else if (name == "crisp") {
      setSchedule(SparsitySchedule::Uniform);
      spec.crisp.sparsity = parseNumber(arg(1), term);
    } else if (name == "ramp") {
      setSchedule(SparsitySchedule::Ramp);
      spec.crisp.sparsity = parseNumber(arg(1), term);
      if (f.size() > 2) spec.crisp.rampSpread = parseNumber(arg(2), term);
    } else if (name == "layers") {
      setSchedule(SparsitySchedule::PerLayer);
      for (const std::string& s : split(arg(1), ',')) {
        spec.crisp.perLayer.push_back(parseNumber(s, term));
      }
    } else if (name == "topp") {
      setSchedule(SparsitySchedule::TopP);
      spec.crisp.topP = parseNumber(arg(1), term);
    } else if (name == "train-only") {
      spec.applyInEval = false;
    } else if (name == "window") {
      setPattern(PatternKind::Window);
      spec.pattern.window = parseInt(arg(1), term);
    } else if (name == "strided") {
      setPattern(PatternKind::Strided);
      spec.pattern.stride = parseInt(arg(1), term);
    } else if (name == "fixed") {
      setPattern(PatternKind::Fixed);
      spec.pattern.stride = parseInt(arg(1), term);
    } else if (name == "longformer") {
      setPattern(PatternKind::Longformer);
      spec.pattern.window = parseInt(arg(1), term);
      if (f.size() > 2) spec.pattern.globalTokens = parseInt(arg(2), term);
    } else if (name == "star") {
      setPattern(PatternKind::Star);
      spec.pattern.window = 1;
      spec.pattern.globalTokens = 1;
    } else if (name == "bigbird") {
      setPattern(PatternKind::BigBird);
      spec.pattern.window = parseInt(arg(1), term);
      if (f.size() > 2) spec.pattern.globalTokens = parseInt(arg(2), term);
      if (f.size() > 3) spec.pattern.randomKeys = parseInt(arg(3), term);
      if (f.size() > 4) spec.pattern.seed = static_cast<uint64_t>(parseInt(arg(4), term));
    } else if (name == "logsparse") {
      setPattern(PatternKind::LogSparse);
    } else if (name == "dam") {
      spec.dam.enabled = true;
      spec.dam.lambda = parseNumber(arg(1), term);
      for (size_t i = 2; i < f.size(); ++i) {
        const std::string& option = f[i];
        if (option == "structured") {
          spec.dam.structured = true;
        } else if (option == "unstructured") {
          spec.dam.structured = false;
        } else if (option == "shared") {
          spec.dam.shared = true;
        } else if (option == "per-layer") {
          spec.dam.shared = false;
        } else if (option == "frozen") {
          spec.dam.frozen = true;
        } else if (option.rfind("tau=", 0) == 0) {
          spec.dam.temperature = parseNumber(option.substr(4), term);
        } else if (option.rfind("lr=", 0) == 0) {
          spec.dam.learningRate = parseNumber(option.substr(3), term);
        } else if (option.rfind("len=", 0) == 0) {
          spec.dam.maxLength = parseInt(option.substr(4), term);
        } else {
          throw Error("attention policy \"" + term + "\": unknown DAM option \"" + option +
                      "\" (structured, unstructured, shared, per-layer, frozen, tau=, lr=, len=)");
        }
      }
    } else {
      throw Error("attention policy \"" + term +
                  "\": unknown term (dense, crisp:S, ramp:S[:SPREAD], layers:S1,S2,.., topp:P, "
                  "nodiag, window:W, strided:L, fixed:L, longformer:W[:G], star, "
                  "bigbird:W[:G[:R[:SEED]]], logsparse, dam:LAMBDA[:OPTIONS], train-only)");
    }
  }
  return spec;
}

std::string AttentionPolicySpec::toString() const {
  std::vector<std::string> terms;
  if (removeDiagonal) terms.emplace_back("nodiag");
  const FixedPattern& p = pattern;
  switch (p.kind) {
    case PatternKind::None: break;
    case PatternKind::Window: terms.push_back("window:" + std::to_string(p.window)); break;
    case PatternKind::Strided: terms.push_back("strided:" + std::to_string(p.stride)); break;
    case PatternKind::Fixed: terms.push_back("fixed:" + std::to_string(p.stride)); break;
    case PatternKind::Longformer:
      terms.push_back("longformer:" + std::to_string(p.window) + ":" +
                      std::to_string(p.globalTokens));
      break;
    case PatternKind::Star: terms.emplace_back("star"); break;
    case PatternKind::BigBird:
      terms.push_back("bigbird:" + std::to_string(p.window) + ":" + std::to_string(p.globalTokens) +
                      ":" + std::to_string(p.randomKeys) + ":" + std::to_string(p.seed));
      break;
    case PatternKind::LogSparse: terms.emplace_back("logsparse"); break;
  }
  switch (crisp.schedule) {
    case SparsitySchedule::None: break;
    case SparsitySchedule::Uniform: terms.push_back("crisp:" + formatNumber(crisp.sparsity)); break;
    case SparsitySchedule::Ramp:
      terms.push_back("ramp:" + formatNumber(crisp.sparsity) + ":" +
                      formatNumber(crisp.rampSpread));
      break;
    case SparsitySchedule::PerLayer: {
      std::string list;
      for (double s : crisp.perLayer) list += (list.empty() ? "" : ",") + formatNumber(s);
      terms.push_back("layers:" + list);
      break;
    }
    case SparsitySchedule::TopP: terms.push_back("topp:" + formatNumber(crisp.topP)); break;
  }
  if (dam.enabled) {
    std::string term = "dam:" + formatNumber(dam.lambda);
    term += dam.structured ? ":structured" : ":unstructured";
    term += dam.shared ? ":shared" : ":per-layer";
    if (dam.temperature != 1.0) term += ":tau=" + formatNumber(dam.temperature);
    if (dam.learningRate != DamSpec().learningRate) term += ":lr=" + formatNumber(dam.learningRate);
    if (dam.maxLength != 0) term += ":len=" + std::to_string(dam.maxLength);
    if (dam.frozen) term += ":frozen";
    terms.push_back(term);
  }
  if (!applyInEval) terms.emplace_back("train-only");
  if (terms.empty()) return "dense";
  std::string text;
  for (const std::string& t : terms) text += (text.empty() ? "" : "+") + t;
  return text;
}

nlohmann::json AttentionPolicySpec::toJson() const {
  return {{"policy", toString()}, {"pattern", patternName(pattern.kind)}};
}

AttentionPolicySpec AttentionPolicySpec::fromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("policy") || !json["policy"].is_string()) {
    throw Error("attention policy JSON: expected an object with a \"policy\" string");
  }
  return parse(json["policy"].get<std::string>());
}

at::Tensor structuralMask(const AttentionPolicySpec& spec, int64_t length, int layer) {
  const auto options = at::TensorOptions().dtype(at::kLong);
  const at::Tensor i = at::arange(length, options).unsqueeze(1);
  const at::Tensor j = at::arange(length, options).unsqueeze(0);
  const at::Tensor distance = (i - j).abs();
  const FixedPattern& p = spec.pattern;
  at::Tensor allowed;
  const auto global = [&](const at::Tensor& mask) {
    return mask | (i < p.globalTokens) | (j < p.globalTokens);
  };
  switch (p.kind) {
    case PatternKind::None: allowed = at::ones({length, length}, at::kBool); break;
    case PatternKind::Window: allowed = distance <= p.window; break;
    case PatternKind::Strided:
      allowed = (distance < p.stride) | (distance.remainder(p.stride) == 0);
      break;
    case PatternKind::Fixed:
      // Same block, or a key in the last position of its block (the block's summary).
      allowed = (i.div(p.stride, "floor") == j.div(p.stride, "floor")) |
                (j.remainder(p.stride) == p.stride - 1);
      break;
    case PatternKind::Longformer:
    case PatternKind::Star: allowed = global(distance <= p.window); break;
    case PatternKind::BigBird: {
      allowed = global(distance <= p.window);
      // Random keys per query row, from (seed, layer, length) only: the same pattern every call.
      std::mt19937_64 rng(p.seed * 1000003ULL + static_cast<uint64_t>(layer) * 7919ULL +
                          static_cast<uint64_t>(length));
      std::uniform_int_distribution<int64_t> pick(0, length - 1);
      auto accessor = allowed.accessor<bool, 2>();
      for (int64_t row = 0; row < length; ++row) {
        for (int r = 0; r < p.randomKeys; ++r) accessor[row][pick(rng)] = true;
      }
      break;
    }
    case PatternKind::LogSparse: {
      // Itself and keys at distances that are powers of two.
      at::Tensor power = (distance & (distance - 1)) == 0;
      allowed = power | (distance == 0);
      break;
    }
  }
  if (spec.removeDiagonal) allowed = allowed & (distance != 0);
  return allowed;
}

at::Tensor attentionProbabilities(const at::Tensor& scores, const at::Tensor& keyMask,
                                  const AttentionPolicySpec& spec, int layer, int layers,
                                  bool training, LayerAttention* capture,
                                  const at::Tensor& damMask) {
  const float negInf = -std::numeric_limits<float>::infinity();
  const at::Tensor keyAllowed = keyMask.to(at::kBool).unsqueeze(1).unsqueeze(1);  // [B,1,1,T]
  const bool prune = !spec.isDense() && (training || spec.applyInEval);

  at::Tensor keep;
  if (prune) {
    at::NoGradGuard noGrad;  // the choice of keys is not differentiable; the scores kept are
    const int64_t length = scores.size(-1);
    at::Tensor allowed = keyAllowed;
    if (spec.removeDiagonal || spec.pattern.kind != PatternKind::None) {
      allowed = allowed & structuralMask(spec, length, layer).to(scores.device());
    }
    if (damMask.defined()) allowed = allowed & (damMask.detach() > 0.5);
    allowed = allowed.expand(scores.sizes());
    const at::Tensor detached = scores.detach();
    // A row left with no key keeps its best real key.
    const at::Tensor empty = allowed.sum(-1, true) == 0;
    if (empty.any().item<bool>()) {
      const at::Tensor best =
          detached.masked_fill(keyAllowed.logical_not(), negInf).argmax(-1, true);
      const at::Tensor rescue = at::zeros_like(allowed).scatter_(-1, best, true);
      allowed = allowed | (rescue & empty);
    }
    keep = allowed;
    const at::Tensor masked = detached.masked_fill(allowed.logical_not(), negInf);
    const at::Tensor n = allowed.sum(-1);  // keys still allowed per row
    if (spec.crisp.schedule == SparsitySchedule::TopP) {
      const at::Tensor probs = at::softmax(masked, -1);
      const at::Tensor sorted = std::get<0>(probs.sort(-1, /*descending=*/true));
      const at::Tensor before = sorted.cumsum(-1) - sorted;  // mass ahead of each key
      const at::Tensor k = (before < spec.crisp.topP).sum(-1).clamp_min(1).minimum(n);
      keep = keepTopK(masked, k) & allowed;
    } else if (spec.crisp.schedule != SparsitySchedule::None) {
      const double s = spec.sparsityForLayer(layer, layers);
      const at::Tensor k =
          at::ceil(n.to(at::kDouble) * (1.0 - s) - kCeilSlack).to(at::kLong).clamp_min(1);
      keep = keepTopK(masked, k) & allowed;
    }
  }

  // SparseBERT's -c(1 - M) term as a straight-through: it adds exactly zero here (keys are removed
  // above), but carries the task loss's gradient on each kept score to the mask's logits.
  const at::Tensor scored = damMask.defined() && damMask.requires_grad()
                                ? scores + kDamGradientScale * (damMask - damMask.detach())
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
