#include "core/cli/inspect_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "core/cli/attention_png.h"
#include "core/cli/command_support.h"
#include "core/io/atomic_file.h"
#include "core/io/csv.h"
#include "core/train/model_reference.h"
#include "core/train/predictor.h"

namespace crisp::cli {
namespace {

// The flattened [layer][head][query][key] maps of a Prediction, and the selection to show.
struct Maps {
  const Prediction& p;
  int64_t tokens;
  std::vector<int> layers, heads;

  size_t index(int layer, int head, int64_t q, int64_t k) const {
    return ((static_cast<size_t>(layer) * p.heads + head) * tokens + q) * tokens + k;
  }
};

std::vector<int> selection(int chosen, int count, const char* flag) {
  if (chosen >= count) {
    throw InputError(std::string(flag) + " " + std::to_string(chosen) + ": the model has " +
                     std::to_string(count) + " (0-based: 0.." + std::to_string(count - 1) + ")");
  }
  if (chosen >= 0) return {chosen};
  std::vector<int> all(count);
  for (int i = 0; i < count; ++i) all[i] = i;
  return all;
}

std::string number(float value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(value));
  return buffer;
}

nlohmann::json predictionJson(const ModelReference& ref, const std::string& text,
                              const Prediction& p) {
  nlohmann::json probabilities = nlohmann::json::object();
  for (size_t c = 0; c < p.probabilities.size() && c < ref.labelNames.size(); ++c) {
    probabilities[ref.labelNames[c]] = p.probabilities[c];
  }
  return {{"reference", ref.describe()},
          {"policy", ref.model->policy().toString()},
          {"text", text},
          {"tokens", p.tokens},
          {"ids", p.ids},
          {"truncated", p.truncated},
          {"full_length", p.fullLength},
          {"label", p.labelName},
          {"label_id", p.label},
          {"probabilities", probabilities},
          {"logits", p.logits}};
}

std::string toJson(const ModelReference& ref, const std::string& text, const Maps& m) {
  nlohmann::json j = predictionJson(ref, text, m.p);
  const int64_t t = m.tokens;
  j["shape"] = {m.layers.size(), m.heads.size(), t, t};
  j["layers"] = m.layers;
  j["heads"] = m.heads;
  nlohmann::json before = nlohmann::json::array(), after = nlohmann::json::array(),
                 keep = nlohmann::json::array();
  for (int l : m.layers) {
    nlohmann::json bl = nlohmann::json::array(), al = nlohmann::json::array(),
                   kl = nlohmann::json::array();
    for (int h : m.heads) {
      nlohmann::json bh = nlohmann::json::array(), ah = nlohmann::json::array(),
                     kh = nlohmann::json::array();
      for (int64_t q = 0; q < t; ++q) {
        const size_t row = m.index(l, h, q, 0);
        bh.push_back(std::vector<float>(&m.p.before[row], &m.p.before[row] + t));
        ah.push_back(std::vector<float>(&m.p.after[row], &m.p.after[row] + t));
        kh.push_back(std::vector<int>(&m.p.keep[row], &m.p.keep[row] + t));
      }
      bl.push_back(std::move(bh));
      al.push_back(std::move(ah));
      kl.push_back(std::move(kh));
    }
    before.push_back(std::move(bl));
    after.push_back(std::move(al));
    keep.push_back(std::move(kl));
  }
  j["before"] = std::move(before);
  j["after"] = std::move(after);
  j["keep"] = std::move(keep);
  return j.dump() + "\n";
}

std::string toCsv(const Maps& m) {
  std::string csv = "layer,head,query,key,query_token,key_token,before,after,kept\n";
  std::vector<std::string> tokens;
  for (const std::string& token : m.p.tokens) tokens.push_back(csvField(token));
  for (int l : m.layers) {
    for (int h : m.heads) {
      for (int64_t q = 0; q < m.tokens; ++q) {
        for (int64_t k = 0; k < m.tokens; ++k) {
          const size_t i = m.index(l, h, q, k);
          csv += std::to_string(l) + "," + std::to_string(h) + "," + std::to_string(q) + "," +
                 std::to_string(k) + "," + tokens[q] + "," + tokens[k] + "," +
                 number(m.p.before[i]) + "," + number(m.p.after[i]) + "," +
                 (m.p.keep[i] ? "1" : "0") + "\n";
        }
      }
    }
  }
  return csv;
}

std::string companionPath(const std::string& png) {
  std::filesystem::path p(png);
  p.replace_extension();
  return p.string() + ".tokens.json";
}

}  // namespace

int runInspect(const InspectOptions& options, std::ostream& out, std::ostream& err) {
  try {
    if (options.format != "json" && options.format != "csv" && options.format != "png") {
      throw InputError("--format " + options.format + ": expected json, csv or png");
    }
    if (options.format == "png" && options.out.empty()) {
      throw InputError("--format png needs --out FILE.png");
    }
    checkSentence(options.text, "the sentence");
    std::optional<CheckpointChoice> choice;
    if (!options.checkpoint.empty()) choice = CheckpointChoice::parse(options.checkpoint);
    const ModelReference ref =
        loadModelReference(options.reference, choice, {false, options.allowNonFinite});
    if (!ref.loadWarnings.empty()) err << ref.loadWarnings;
    const ModelConfig& config = ref.model->config();
    const std::vector<int> layers = selection(options.layer, config.layers, "--layer");
    const std::vector<int> heads = selection(options.head, config.heads, "--head");
    const Prediction p = Predictor::fromReference(ref)->predict(options.text);
    const Maps maps{p, static_cast<int64_t>(p.tokens.size()), layers, heads};
    if (p.truncated && !quiet()) {
      err << "crisp inspect: note: the sentence has " << p.fullLength
          << " tokens; the model reads the first " << p.tokens.size() << " ([SEP] kept)\n";
    }
    std::string content;
    if (options.format == "json") {
      content = toJson(ref, options.text, maps);
    } else if (options.format == "csv") {
      content = toCsv(maps);
    } else {
      nlohmann::json companion = predictionJson(ref, options.text, p);
      companion.update(writeAttentionPng(
          options.out,
          {p, layers, heads, options.text, ref.describe(), ref.model->policy().toString()}));
      const std::string tokensFile = companionPath(options.out);
      writeFileAtomically(tokensFile, companion.dump(2) + "\n");
      out << "wrote " << options.out << " (" << companion["width"] << "x" << companion["height"]
          << ") and " << tokensFile << " (tokens, prediction, scales)\n";
      return 0;
    }
    if (options.out.empty()) {
      out << content;
    } else {
      writeFileAtomically(options.out, content);
      out << "wrote " << options.out << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("inspect", e, err);
  }
}

}  // namespace crisp::cli
