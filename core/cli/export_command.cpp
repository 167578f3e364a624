#include "core/cli/export_command.h"

#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "core/cli/command_support.h"
#include "core/io/atomic_file.h"
#include "core/io/json_file.h"
#include "core/model/hf_export.h"
#include "core/text/hf_tokenizer_files.h"
#include "core/train/model_reference.h"
#include "core/train/run_curves.h"

namespace crisp::cli {
namespace {
namespace fs = std::filesystem;

std::string percent(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100.0 * fraction << " %";
  return text.str();
}

// The model card: what the run trained, on what, and how well; how to load it.
std::string modelCard(const ModelReference& ref, const nlohmann::json& runConfig,
                      const RemoteAttention& remote, const std::string& policy) {
  const nlohmann::json experiment = runConfig.value("experiment", nlohmann::json::object());
  const auto field = [&](const char* key) {
    const nlohmann::json value = experiment.value(key, nlohmann::json());
    if (value.is_string())
      return value.get<std::string>().empty() ? std::string("(none)") : value.get<std::string>();
    return value.is_null() ? std::string("(none)") : value.dump();
  };
  std::ostringstream card;
  card << "---\nlibrary_name: transformers\npipeline_tag: text-classification\ntags:\n"
       << "- crisp-studio\n- sparse-attention\n---\n\n"
       << "# " << experiment.value("name", fs::path(ref.path).filename().string()) << "\n\n"
       << "Fine-tuned with Crisp Studio (`crisp train`) and exported with `crisp export` from "
       << ref.describe() << ".\n\n"
       << "| | |\n|---|---|\n"
       << "| base model | " << field("model") << " |\n"
       << "| training data | "
       << (field("train_data") == "(none)" ? "the embedded demo corpus" : field("train_data"))
       << " |\n"
       << "| dev data | "
       << (field("dev_data") == "(none)" ? "the embedded demo corpus" : field("dev_data")) << " |\n"
       << "| attention policy | `" << policy << "` |\n"
       << "| max tokens | " << ref.maxLength << " |\n"
       << "| labels | ";
  for (size_t i = 0; i < ref.labelNames.size(); ++i) {
    card << (i ? ", " : "") << i << " = " << ref.labelNames[i];
  }
  card << " |\n";
  if (experiment.contains("hyperparameters")) {
    for (const auto& [key, value] : experiment["hyperparameters"].items()) {
      card << "| " << key << " | " << value.dump() << " |\n";
    }
  }
  // The dev evaluation at the exported step, where the run recorded one.
  try {
    for (const CurvePoint& point : readRunCurves(ref.path).dev) {
      if (point.step == ref.step) {
        card << "| dev accuracy at step " << point.step << " | " << percent(point.accuracy)
             << " |\n| dev loss at step " << point.step << " | " << point.loss << " |\n";
      }
    }
  } catch (const std::exception&) {
    // A run without readable metrics still exports; its card just has no results.
  }
  card << "\n## Loading\n\n```python\nfrom transformers import AutoModelForSequenceClassification, "
          "AutoTokenizer\n\ntokenizer = AutoTokenizer.from_pretrained(\"DIR\")\n";
  if (remote.supported) {
    card << "model = AutoModelForSequenceClassification.from_pretrained(\"DIR\", "
            "trust_remote_code=True)\n```\n\n"
         << "The attention policy `" << policy
         << "` is in `modeling_crisp.py` (remote code, named in config.json's `auto_map`): "
            "with `trust_remote_code=True` the logits equal `crisp forward`'s. Without it, "
            "transformers computes dense attention from the same weights.\n";
  } else {
    card << "model = AutoModelForSequenceClassification.from_pretrained(\"DIR\")\n```\n\n";
    if (remote.needed) {
      card << "**Warning:** transformers computes dense attention here, not `" << policy
           << "`: " << remote.reason
           << ". `crisp forward`, `eval` and `predict` read this directory with its policy.\n";
    }
  }
  return card.str();
}

}  // namespace

int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err) {
  try {
    if (options.out.empty()) throw InputError("--out DIR is required");
    std::optional<CheckpointChoice> choice;
    if (!options.checkpoint.empty()) choice = CheckpointChoice::parse(options.checkpoint);
    std::optional<AttentionPolicySpec> policyOverride;
    if (!options.attention.empty()) {
      policyOverride = readingInput([&] { return AttentionPolicySpec::parse(options.attention); });
    }
    const ModelReference ref =
        loadModelReference(options.run, choice, {false, options.allowNonFinite});
    if (ref.kind != ModelReference::Kind::Run) {
      throw InputError(options.run + " is already a Hugging Face model directory");
    }
    if (fs::exists(options.out) && fs::equivalent(options.out, options.run)) {
      throw InputError("--out " + options.out + " is the run directory itself");
    }
    if (fs::exists(options.out) && !fs::is_directory(options.out)) {
      throw InputError("--out " + options.out + " exists and is not a directory");
    }
    if (fs::is_directory(options.out) && !fs::is_empty(options.out) && !options.force) {
      throw InputError("--out " + options.out +
                       " is not empty (--force writes into it, replacing the export's files)");
    }
    if (policyOverride) {
      const ModelConfig& config = ref.model->config();
      readingInput([&] {
        policyOverride->validate(config.layers, config.maxPositions);
        return 0;
      });
      // The learned mask is weights: an override may keep the run's, never add or reshape one.
      const PolicyTerm* mask = policyOverride->term(TermRole::LearnedMask);
      const PolicyTerm* trained = ref.model->policy().term(TermRole::LearnedMask);
      if (mask != nullptr && (trained == nullptr || mask->toString() != trained->toString())) {
        throw InputError("--attention " + options.attention +
                         ": the learned mask must be the "
                         "run's own (" +
                         (trained ? trained->toString()
                                  : "none: it trained "
                                    "without dam") +
                         ")");
      }
      ref.model->setPolicy(*policyOverride);
    }
    RemoteAttention remote;
    std::vector<std::string> written =
        exportHuggingFaceDirectory(*ref.model, options.out, ref.labelNames, &remote);
    for (const std::string& file : writeHuggingFaceTokenizer(
             *ref.tokenizer, options.out, static_cast<std::size_t>(ref.maxLength),
             huggingFaceTokenizerClass(ref.model->config().architecture))) {
      written.push_back(file);
    }
    const std::string policy = ref.model->policy().toString();
    const nlohmann::json runConfig = readJsonFile((fs::path(ref.path) / "config.json").string());
    writeFileAtomically((fs::path(options.out) / "README.md").string(),
                        modelCard(ref, runConfig, remote, policy));
    written.push_back("README.md");
    if (remote.needed && !remote.supported) {
      err << "crisp export: warning: transformers will compute DENSE attention for this export, "
             "not "
          << policy << ": " << remote.reason
          << ". crisp forward/eval/predict read it with its policy; for an export that says "
             "dense, add --attention dense.\n";
    }
    if (options.json) {
      out << nlohmann::json{{"run", ref.path},
                            {"checkpoint_step", ref.step},
                            {"checkpoint", ref.checkpointRole},
                            {"policy", policy},
                            {"remote_code", remote.supported},
                            {"out", options.out},
                            {"files", written}}
                 .dump()
          << "\n";
    } else {
      out << "exported " << ref.describe() << " to " << options.out << ":";
      for (const std::string& file : written) out << " " << file;
      out << "\n";
      if (remote.supported) {
        out << "attention " << policy
            << " is in modeling_crisp.py: load with from_pretrained(..., "
               "trust_remote_code=True)\n";
      }
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("export", e, err);
  }
}

}  // namespace crisp::cli
