#include "core/model/hf_export.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/model/dam.h"
#include "core/sys/error.h"

namespace crisp {
namespace fs = std::filesystem;
namespace {

// The pattern terms modeling_crisp.py's MASKS implements. Bigbird is not one: its random keys
// come from the C++ standard library's generator and distribution.
const std::set<std::string>& remoteMaskTerms() {
  static const std::set<std::string> terms = {"nodiag",     "window", "strided",   "fixed",
                                              "longformer", "star",   "logsparse", "block"};
  return terms;
}

std::string describeTerm(const PolicyTerm& term) {
  return "the term \"" + term.toString() + "\"";
}

}  // namespace

RemoteAttention remoteAttentionFor(const SequenceClassifier& model) {
  RemoteAttention remote;
  const AttentionPolicySpec& policy = model.policy();
  if (policy.isDense() || !policy.appliesInEvaluation()) return remote;  // dense in evaluation
  remote.needed = true;
  const ModelConfig& config = model.config();
  nlohmann::json spec = {
      {"policy", policy.toString()}, {"in_evaluation", true}, {"masks", nlohmann::json::array()}};
  for (const PolicyTerm& term : policy.terms) {
    const PolicyTermDefinition& definition = *term.definition;
    switch (definition.role) {
      case TermRole::Dense:
      case TermRole::Phase: break;
      case TermRole::Diagonal:
      case TermRole::Pattern: {
        if (remoteMaskTerms().count(definition.name) == 0) {
          remote.reason = describeTerm(term) + " has no counterpart in modeling_crisp.py";
          return remote;
        }
        nlohmann::json mask = {{"term", definition.name}};
        for (const TermParameter& parameter : definition.parameters) {
          if (parameter.isPositional()) mask[parameter.name] = term.count(parameter.name);
        }
        spec["masks"].push_back(mask);
        break;
      }
      case TermRole::Selection:
        if (definition.sparsity != nullptr) {
          nlohmann::json sparsity = nlohmann::json::array();
          for (int layer = 0; layer < config.layers; ++layer) {
            sparsity.push_back(definition.sparsity(term, layer, config.layers));
          }
          spec["selection"] = {{"kind", "top_k"}, {"sparsity", sparsity}};
        } else if (definition.name == "topp") {
          spec["selection"] = {{"kind", "top_p"}, {"mass", term.value("P")}};
        } else {
          remote.reason = describeTerm(term) + " has no counterpart in modeling_crisp.py";
          return remote;
        }
        break;
      case TermRole::LearnedMask: {
        const DamSpec dam = damSpecOf(term);
        spec["dam"] = {{"structured", dam.structured},
                       {"shared", dam.shared},
                       {"length", dam.maxLength > 0 ? dam.maxLength : config.maxPositions},
                       {"groups", dam.shared ? 1 : config.layers}};
        break;
      }
    }
  }
  remote.supported = true;
  remote.spec = std::move(spec);
  return remote;
}

const char* huggingFaceTokenizerClass(Architecture architecture) {
  return architecture == Architecture::Bert ? "BertTokenizer" : "DistilBertTokenizer";
}

std::vector<std::string> writeHuggingFaceConfig(const SequenceClassifier& model,
                                                const std::string& directory,
                                                const std::vector<std::string>& labelNames,
                                                RemoteAttention* remoteOut) {
  const fs::path dir(directory);
  std::vector<std::string> written = {"config.json"};
  nlohmann::json config = model.config().toJson();
  config["problem_type"] = "single_label_classification";
  config["transformers_version"] = kVerifiedTransformersVersion;
  config["crisp_attention_policy"] = model.policy().toString();
  if (!labelNames.empty()) {
    config["id2label"] = nlohmann::json::object();
    config["label2id"] = nlohmann::json::object();
    for (size_t i = 0; i < labelNames.size(); ++i) {
      config["id2label"][std::to_string(i)] = labelNames[i];
      config["label2id"][labelNames[i]] = i;
    }
  }
  RemoteAttention remote = remoteAttentionFor(model);
  if (remote.supported) {
    const bool bert = model.config().architecture == Architecture::Bert;
    config["crisp_attention"] = remote.spec;
    config["auto_map"] = {
        {"AutoModelForSequenceClassification",
         std::string("modeling_crisp.") + (bert ? "CrispBertForSequenceClassification"
                                                : "CrispDistilBertForSequenceClassification")}};
    writeFileAtomically((dir / "modeling_crisp.py").string(), remoteModelingCode());
    written.push_back("modeling_crisp.py");
  }
  writeFileAtomically((dir / "config.json").string(), config.dump(2) + "\n");
  if (remoteOut != nullptr) *remoteOut = std::move(remote);
  return written;
}

std::vector<std::string> exportHuggingFaceDirectory(const SequenceClassifier& model,
                                                    const std::string& directory,
                                                    const std::vector<std::string>& labelNames,
                                                    RemoteAttention* remote) {
  const fs::path dir(directory);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(directory + ": cannot create: " + ec.message());
  std::vector<std::string> written = writeHuggingFaceConfig(model, directory, labelNames, remote);
  // The learned mask's logits go too: crisp reads them back, and so does modeling_crisp.py.
  auto tensors = model.huggingFaceParameters();
  if (model.policy().dam().enabled) {
    for (const auto& item : model.named_parameters(/*recurse=*/true)) {
      if (SequenceClassifier::isDamParameter(item.key())) {
        tensors.emplace_back(item.key(), item.value());
      }
    }
  }
  // transformers refuses safetensors files without format metadata.
  writeSafeTensors((dir / "model.safetensors").string(), tensors, {{"format", "pt"}});
  written.push_back("model.safetensors");
  return written;
}

}  // namespace crisp
