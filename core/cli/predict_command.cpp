#include "core/cli/predict_command.h"

#include <fstream>
#include <iomanip>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "core/cli/command_support.h"
#include "core/train/model_reference.h"
#include "core/train/predictor.h"

namespace crisp::cli {
namespace {

struct Sentence {
  std::string text;
  std::string where;  // for messages: "argument 2", "reviews.txt:3", "stdin:3"
  size_t line = 0;    // 0 for arguments
};

void printPrediction(std::ostream& out, const Sentence& s, const Prediction& p,
                     const std::vector<std::string>& labels, bool json) {
  if (json) {
    nlohmann::json probabilities = nlohmann::json::object();
    for (size_t c = 0; c < p.probabilities.size() && c < labels.size(); ++c) {
      probabilities[labels[c]] = p.probabilities[c];
    }
    nlohmann::json j = {{"text", s.text},
                        {"label", p.labelName},
                        {"label_id", p.label},
                        {"probabilities", probabilities},
                        {"tokens", p.tokens.size()},
                        {"truncated", p.truncated}};
    if (s.line > 0) j["line"] = s.line;
    out << j.dump() << "\n";
    return;
  }
  out << p.labelName << "\t" << std::fixed << std::setprecision(4)
      << p.probabilities[static_cast<size_t>(p.label)] << "\t" << s.text;
  if (p.truncated) {
    out << "\t(truncated: " << p.fullLength << " tokens, the model reads " << p.tokens.size()
        << ")";
  }
  out << "\n";
}

}  // namespace

int runPredict(const PredictOptions& options, std::istream& in, std::ostream& out,
               std::ostream& err) {
  try {
    if (!options.texts.empty() && !options.file.empty()) {
      throw InputError("give sentences as arguments or --file, not both");
    }
    std::optional<CheckpointChoice> choice;
    if (!options.checkpoint.empty()) choice = CheckpointChoice::parse(options.checkpoint);
    std::ifstream file;
    std::istream* lines = nullptr;
    std::string name = "stdin";
    if (!options.file.empty() && options.file != "-") {
      file.open(options.file, std::ios::binary);
      if (!file) throw InputError(options.file + ": cannot open");
      lines = &file;
      name = options.file;
    } else if (options.texts.empty()) {
      lines = &in;
    }
    // Arguments are checked before the model loads: a typo costs no loading time.
    for (size_t i = 0; i < options.texts.size(); ++i) {
      checkSentence(options.texts[i], "argument " + std::to_string(i + 1));
    }
    const ModelReference ref =
        loadModelReference(options.reference, choice, {false, options.allowNonFinite});
    if (!ref.loadWarnings.empty()) err << ref.loadWarnings;
    const auto predictor = Predictor::fromReference(ref);
    if (!lines) {
      for (size_t i = 0; i < options.texts.size(); ++i) {
        const Sentence s{options.texts[i], "argument " + std::to_string(i + 1), 0};
        printPrediction(out, s, predictor->predict(s.text), ref.labelNames, options.json);
      }
      return 0;
    }
    // Lines stream through one at a time, so a pipe gets answers as it feeds sentences.
    std::string line;
    size_t number = 0, predicted = 0;
    while (std::getline(*lines, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t\f\v") == std::string::npos) continue;
      const Sentence s{line, name + ":" + std::to_string(number), number};
      checkSentence(s.text, s.where);
      printPrediction(out, s, predictor->predict(s.text), ref.labelNames, options.json);
      out.flush();
      ++predicted;
    }
    if (predicted == 0) throw InputError(name + ": no sentences (blank lines are skipped)");
    return 0;
  } catch (const std::exception& e) {
    return reportError("predict", e, err);
  }
}

}  // namespace crisp::cli
