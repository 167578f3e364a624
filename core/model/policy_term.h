#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

// Where a term acts in an attention policy. Terms apply (and print) in this order, and a policy
// holds at most one term of each role: structural masks first, then a selection among the keys
// still allowed, a learned mask, and when the policy prunes at all.
enum class TermRole {
  Dense,        // "dense": no pruning; stands alone
  Diagonal,     // removes each token's own key; composes with a pattern
  Pattern,      // one of SparseBERT's fixed patterns
  Selection,    // crisp top-k or top-p among the allowed keys
  LearnedMask,  // SparseBERT's Differentiable Attention Mask
  Phase,        // pruning in training only
};

enum class ParameterKind {
  Real,      // a number
  Count,     // a whole decimal number
  RealList,  // comma-separated numbers (one per layer)
  Choice,    // one of `choices`, written after the positional parameters; the first is default
  Flag,      // a word written after the positional parameters; off unless written
  Keyed,     // NAME=NUMBER written after the positional parameters
};

// One declared parameter of a term: its syntax, range, default and the text the help and the
// studio's policy editor show.
struct TermParameter {
  ParameterKind kind = ParameterKind::Real;
  std::string name;   // positional: the syntax symbol ("S"); Keyed: the key; Flag: the word
  std::string label;  // what the value is, for help and editor ("sparsity")
  std::string help;
  double minimum = 0, maximum = 0;  // for Real, Count, RealList, Keyed
  bool minimumOpen = false, maximumOpen = false;
  bool whole = false;    // Keyed: a whole number (Count is always whole)
  bool required = true;  // positional parameters only; optional ones take defaultValue
  // Optional and Keyed parameters: the value when not written. Required ones: the editor's
  // starting value.
  double defaultValue = 0;
  std::vector<std::string> choices;

  static TermParameter real(std::string name, std::string label, std::string help, double minimum,
                            double maximum, bool maximumOpen = false);
  static TermParameter count(std::string name, std::string label, std::string help, double minimum,
                             double maximum);
  TermParameter& optional(double value);    // makes a positional parameter optional
  TermParameter& startingAt(double value);  // a required parameter's value in the editor
  TermParameter& openBelow();               // the minimum itself is outside the range

  bool isPositional() const;
  bool inRange(double value) const;
  std::string rangeText() const;  // "[0, 1)", "whole number in [1, 1000000]"
};

struct PolicyTerm;

// A T x T grid of (query, key) positions for structural masks: query [T, 1], key [1, T],
// distance |query - key| [T, T], all long.
struct MaskGeometry {
  at::Tensor query, key, distance;
  int64_t length = 0;
  int layer = 0;
};

// What a policy is checked against before it runs.
struct PolicyLimits {
  int layers = 0;
  int maxPositions = 0;  // 0 when unknown
};

// One kind of term: declared once (core/model/policy_terms/<name>.cpp) and found by the
// registry. Parsing, printing, help, validation, the FLOPs count and the studio's editor all
// read this declaration.
struct PolicyTermDefinition {
  std::string name;
  std::vector<std::string> aliases;
  TermRole role = TermRole::Dense;
  std::string title;    // a few words for menus ("Crisp top-k")
  std::string summary;  // one line
  std::vector<TermParameter> parameters;

  // Diagonal and Pattern terms: the allowed (query, key) pairs, bool [T, T].
  at::Tensor (*mask)(const PolicyTerm&, const MaskGeometry&) = nullptr;
  // Selection terms give either the sparsity s of crisp's top-k rule for a layer ...
  double (*sparsity)(const PolicyTerm&, int layer, int layers) = nullptr;
  // ... or their own choice of keys from the masked scores [B, H, T, T] (-inf where not
  // allowed) and the allowed count per row [B, H, T]; returns bool [B, H, T, T].
  at::Tensor (*select)(const PolicyTerm&, const at::Tensor& masked,
                       const at::Tensor& allowed) = nullptr;
  // Checks across parameters or against the model; throws crisp::Error.
  void (*validate)(const PolicyTerm&, const PolicyLimits&) = nullptr;
  // Keeps a number of keys that depends on the data (top-p, a learned mask).
  bool dataDependent = false;

  std::string syntax() const;                         // "bigbird:W[:G[:R[:SEED]]]"
  int parameterIndex(const std::string& name) const;  // throws when not declared
};

// A term as written in a policy, its parameters parsed and checked against their ranges.
struct PolicyTerm {
  const PolicyTermDefinition* definition = nullptr;
  std::vector<double> values;  // one per declared parameter; defaults filled in
  std::vector<double> list;    // the RealList parameter's values

  double value(const std::string& name) const;
  int count(const std::string& name) const;
  void set(const std::string& name, double value);
  std::string toString() const;  // canonical: every positional, non-default options
};

// The registry, in help order (by role, then name).
const std::vector<const PolicyTermDefinition*>& policyTermDefinitions();
const PolicyTermDefinition* findPolicyTerm(const std::string& name);  // nullptr when unknown

// Parses one term ("bigbird:3:1"); `policy` is the whole text, for messages. Throws crisp::Error.
PolicyTerm parsePolicyTerm(const std::string& text, const std::string& policy);

// Every term's syntax, summary and parameters with their ranges and defaults.
std::string policyTermsHelp();
// One line: "dense, crisp:S, ramp:S[:SPREAD], ..."
std::string policyTermsSynopsis();

// Crisp's top-k rule: of n allowed keys keep k = max(1, ceil((1 - s) n)), per element of n
// (long). The one place this count is computed.
at::Tensor topKCount(const at::Tensor& allowed, double sparsity);

// Keeps, per row, the keys scoring at least the k-th largest masked score (ties kept).
at::Tensor keepTopK(const at::Tensor& masked, const at::Tensor& k);

std::string formatPolicyNumber(double value);

}  // namespace crisp
