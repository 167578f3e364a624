#include "core/model/policy_term.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {

// Each file in core/model/policy_terms/ defines policyTerm_<file name>(); the build lists them
// in policy_term_list.inc (core/model/CMakeLists.txt), so adding a term is adding its file.
#define CRISP_POLICY_TERM(name) const PolicyTermDefinition& policyTerm_##name();
#include "core/model/policy_term_list.inc"
#undef CRISP_POLICY_TERM

namespace {

// Why an epsilon: (1 - 0.8) * 5 is 1.0000000000000002 in doubles, and ceil would keep 2.
constexpr double kCeilSlack = 1e-9;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

double parseReal(const std::string& text, const std::string& where) {
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  throw Error(where + quoted(text) + " is not a number");
}

double parseValue(const TermParameter& p, const std::string& text, const std::string& where) {
  double value = 0;
  if (p.kind == ParameterKind::Count || p.whole) {
    const auto integer = parseInteger(text);
    if (!integer) throw Error(where + quoted(text) + " is not a whole number");
    value = static_cast<double>(*integer);
  } else {
    value = parseReal(text, where);
  }
  if (!p.inRange(value)) {
    throw Error(where + p.label + " " + text + " is outside " + p.rangeText());
  }
  return value;
}

int rolePosition(TermRole role) {
  return static_cast<int>(role);
}

}  // namespace

TermParameter TermParameter::real(std::string name, std::string label, std::string help,
                                  double minimum, double maximum, bool maximumOpen) {
  TermParameter p;
  p.kind = ParameterKind::Real;
  p.name = std::move(name);
  p.label = std::move(label);
  p.help = std::move(help);
  p.minimum = minimum;
  p.maximum = maximum;
  p.maximumOpen = maximumOpen;
  return p;
}

TermParameter TermParameter::count(std::string name, std::string label, std::string help,
                                   double minimum, double maximum) {
  TermParameter p = real(std::move(name), std::move(label), std::move(help), minimum, maximum);
  p.kind = ParameterKind::Count;
  return p;
}

TermParameter& TermParameter::optional(double value) {
  required = false;
  defaultValue = value;
  return *this;
}

TermParameter& TermParameter::startingAt(double value) {
  defaultValue = value;
  return *this;
}

TermParameter& TermParameter::openBelow() {
  minimumOpen = true;
  return *this;
}

bool TermParameter::isPositional() const {
  return kind == ParameterKind::Real || kind == ParameterKind::Count ||
         kind == ParameterKind::RealList;
}

bool TermParameter::inRange(double value) const {
  if (!std::isfinite(value)) return false;
  const bool aboveMinimum = minimumOpen ? value > minimum : value >= minimum;
  const bool belowMaximum = maximumOpen ? value < maximum : value <= maximum;
  return aboveMinimum && belowMaximum;
}

std::string TermParameter::rangeText() const {
  const auto bound = [&](double value) {
    return kind == ParameterKind::Count || whole ? std::to_string(static_cast<long long>(value))
                                                 : formatPolicyNumber(value);
  };
  std::string range = std::string(minimumOpen ? "(" : "[") + bound(minimum) + ", " +
                      bound(maximum) + (maximumOpen ? ")" : "]");
  return kind == ParameterKind::Count || whole ? "whole numbers in " + range : range;
}

std::string PolicyTermDefinition::syntax() const {
  std::string text = name;
  int optionalDepth = 0;
  for (const TermParameter& p : parameters) {
    std::string field;
    switch (p.kind) {
      case ParameterKind::Real:
      case ParameterKind::Count: field = p.name; break;
      case ParameterKind::RealList: field = p.name + "1," + p.name + "2,.."; break;
      case ParameterKind::Choice: {
        for (const std::string& c : p.choices) field += (field.empty() ? "" : "|") + c;
        break;
      }
      case ParameterKind::Flag: field = p.name; break;
      case ParameterKind::Keyed: {
        std::string symbol = p.name;
        for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        field = p.name + "=" + symbol;
        break;
      }
    }
    if (p.isPositional() && p.required) {
      text += ":" + field;
    } else if (p.isPositional()) {
      text += "[:" + field;
      ++optionalDepth;
    } else {
      text += "[:" + field + "]";
    }
  }
  return text + std::string(static_cast<size_t>(optionalDepth), ']');
}

int PolicyTermDefinition::parameterIndex(const std::string& parameter) const {
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == parameter) return static_cast<int>(i);
  }
  throw Error("attention policy term " + quoted(name) + " has no parameter " + quoted(parameter));
}

double PolicyTerm::value(const std::string& name) const {
  return values[static_cast<size_t>(definition->parameterIndex(name))];
}

int PolicyTerm::count(const std::string& name) const {
  return static_cast<int>(value(name));
}

void PolicyTerm::set(const std::string& name, double value) {
  values[static_cast<size_t>(definition->parameterIndex(name))] = value;
}

std::string PolicyTerm::toString() const {
  std::string text = definition->name;
  for (size_t i = 0; i < definition->parameters.size(); ++i) {
    const TermParameter& p = definition->parameters[i];
    const double v = values[i];
    switch (p.kind) {
      case ParameterKind::Real: text += ":" + formatPolicyNumber(v); break;
      case ParameterKind::Count: text += ":" + std::to_string(static_cast<long long>(v)); break;
      case ParameterKind::RealList: {
        std::string joined;
        for (double s : list) joined += (joined.empty() ? "" : ",") + formatPolicyNumber(s);
        text += ":" + joined;
        break;
      }
      case ParameterKind::Choice: text += ":" + p.choices[static_cast<size_t>(v)]; break;
      case ParameterKind::Flag:
        if (v != 0.0) text += ":" + p.name;
        break;
      case ParameterKind::Keyed:
        if (v != p.defaultValue) {
          text += ":" + p.name + "=" +
                  (p.whole ? std::to_string(static_cast<long long>(v)) : formatPolicyNumber(v));
        }
        break;
    }
  }
  return text;
}

const std::vector<const PolicyTermDefinition*>& policyTermDefinitions() {
  static const std::vector<const PolicyTermDefinition*> registry = [] {
    std::vector<const PolicyTermDefinition*> terms = {
#define CRISP_POLICY_TERM(name) &policyTerm_##name(),
#include "core/model/policy_term_list.inc"
#undef CRISP_POLICY_TERM
    };
    std::stable_sort(terms.begin(), terms.end(), [](const auto* a, const auto* b) {
      return rolePosition(a->role) < rolePosition(b->role);
    });
    return terms;
  }();
  return registry;
}

const PolicyTermDefinition* findPolicyTerm(const std::string& name) {
  for (const PolicyTermDefinition* term : policyTermDefinitions()) {
    if (term->name == name ||
        std::find(term->aliases.begin(), term->aliases.end(), name) != term->aliases.end()) {
      return term;
    }
  }
  return nullptr;
}

PolicyTerm parsePolicyTerm(const std::string& text, const std::string& policy) {
  const std::string prefix = "attention policy " + quoted(policy) + ": ";
  if (text.empty()) {
    throw Error(prefix + "an empty term (terms are joined by single '+' signs)");
  }
  const std::vector<std::string> fields = split(text, ':');
  const PolicyTermDefinition* definition = findPolicyTerm(fields[0]);
  if (definition == nullptr) {
    std::vector<std::string> names;
    for (const PolicyTermDefinition* known : policyTermDefinitions()) {
      names.push_back(known->name);
      names.insert(names.end(), known->aliases.begin(), known->aliases.end());
    }
    const std::string suggestion = closestName(fields[0], names);
    throw Error(prefix + "unknown term " + quoted(fields[0]) +
                (suggestion.empty() ? "" : " (did you mean " + quoted(suggestion) + "?)") +
                "; the terms: " + policyTermsSynopsis());
  }
  const std::string where = prefix + "term " + quoted(text) + ": ";
  PolicyTerm term;
  term.definition = definition;
  size_t field = 1;
  for (const TermParameter& p : definition->parameters) {
    double value = p.kind == ParameterKind::Choice ? 0.0 : p.defaultValue;
    if (p.isPositional()) {
      if (field >= fields.size() || fields[field].empty()) {
        if (p.required) throw Error(where + "missing " + p.label + " " + p.name);
      } else if (p.kind == ParameterKind::RealList) {
        for (const std::string& item : split(fields[field], ',')) {
          term.list.push_back(parseValue(p, item, where));
        }
        ++field;
      } else {
        value = parseValue(p, fields[field++], where);
      }
    }
    term.values.push_back(value);
  }
  // Options (choices, flags, NAME=VALUE) follow the positional parameters, in any order.
  for (; field < fields.size(); ++field) {
    const std::string& option = fields[field];
    bool matched = false;
    for (size_t i = 0; i < definition->parameters.size() && !matched; ++i) {
      const TermParameter& p = definition->parameters[i];
      if (p.kind == ParameterKind::Choice) {
        const auto at = std::find(p.choices.begin(), p.choices.end(), option);
        if (at != p.choices.end()) {
          term.values[i] = static_cast<double>(at - p.choices.begin());
          matched = true;
        }
      } else if (p.kind == ParameterKind::Flag && option == p.name) {
        term.values[i] = 1.0;
        matched = true;
      } else if (p.kind == ParameterKind::Keyed && startsWith(option, p.name + "=")) {
        term.values[i] = parseValue(p, option.substr(p.name.size() + 1), where);
        matched = true;
      }
    }
    if (!matched) {
      const size_t declared = definition->parameters.size();
      const bool hasOptions =
          std::any_of(definition->parameters.begin(), definition->parameters.end(),
                      [](const TermParameter& p) { return !p.isPositional(); });
      if (!hasOptions) {
        throw Error(where +
                    (declared == 0 ? std::string("takes no parameters")
                                   : "takes at most " + std::to_string(declared) + " parameter" +
                                         (declared == 1 ? "" : "s")) +
                    " (" + definition->syntax() + ")");
      }
      throw Error(where + "unknown option " + quoted(option) + " (" + definition->syntax() + ")");
    }
  }
  return term;
}

std::string policyTermsSynopsis() {
  std::string text;
  for (const PolicyTermDefinition* term : policyTermDefinitions()) {
    text += (text.empty() ? "" : ", ") + term->syntax();
  }
  return text;
}

std::string policyTermsHelp() {
  std::ostringstream out;
  out << "An attention policy is one or more terms joined by '+', e.g. nodiag+crisp:0.8.\n"
         "Structural masks (nodiag, one pattern) apply first, then one selection (top-k or\n"
         "top-p) among the keys still allowed, then a learned mask; a row left with no key\n"
         "keeps its best-scoring real key.\n";
  for (const PolicyTermDefinition* term : policyTermDefinitions()) {
    out << "\n  " << term->syntax() << "\n      " << term->summary << "\n";
    for (const TermParameter& p : term->parameters) {
      out << "      " << p.name << "  " << p.label;
      if (p.kind == ParameterKind::Choice) {
        out << " (default " << p.choices.front() << ")";
      } else if (p.kind != ParameterKind::Flag) {
        out << ", " << p.rangeText();
        if (!p.required || p.kind == ParameterKind::Keyed) {
          out << ", default " << formatPolicyNumber(p.defaultValue);
        }
      }
      if (!p.help.empty()) out << ": " << p.help;
      out << "\n";
    }
  }
  return out.str();
}

at::Tensor topKCount(const at::Tensor& allowed, double sparsity) {
  return at::ceil(allowed.to(at::kDouble) * (1.0 - sparsity) - kCeilSlack)
      .to(at::kLong)
      .clamp_min(1);
}

at::Tensor keepTopK(const at::Tensor& masked, const at::Tensor& k) {
  const int64_t kmax = std::max<int64_t>(1, k.max().item<int64_t>());
  const at::Tensor top = std::get<0>(masked.topk(std::min(kmax, masked.size(-1)), -1));
  const at::Tensor threshold = top.gather(-1, (k - 1).clamp_min(0).unsqueeze(-1));
  return masked >= threshold;
}

std::string formatPolicyNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace crisp
