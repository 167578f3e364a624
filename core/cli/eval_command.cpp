#include "core/cli/eval_command.h"
#include "core/sys/device.h"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "core/cli/command_support.h"
#include "core/io/atomic_file.h"
#include "core/train/model_reference.h"

namespace crisp::cli {
namespace {

struct EvalData {
  std::vector<data::Example> examples;
  std::string source;
};

EvalData readEvalData(const EvalOptions& options, const ModelReference& ref) {
  EvalData d;
  // A data file that is missing or has a bad row is the user's to fix.
  readingInput([&] {
    if (!options.data.empty()) {
      d.source = options.data;
      d.examples = readLabelledData(options.data, ref.labelNames).examples;
    } else if (ref.experiment) {
      d.examples = readDevExamples(*ref.experiment, ref.labelNames, &d.source);
    } else {
      throw InputError(ref.path + " is a Hugging Face model directory: give --data FILE");
    }
  });
  if (d.examples.empty()) throw InputError(d.source + ": no examples");
  return d;
}

void writePredictions(const std::string& path, const std::vector<data::Example>& examples,
                      const std::vector<int64_t>& predicted, const std::vector<float>& probs,
                      const std::vector<std::string>& labels) {
  const size_t n = labels.size();
  std::string text;
  for (size_t i = 0; i < examples.size(); ++i) {
    nlohmann::json probabilities = nlohmann::json::object();
    for (size_t c = 0; c < n; ++c) probabilities[labels[c]] = probs[i * n + c];
    text += nlohmann::json{{"line", examples[i].line},
                           {"text", examples[i].text},
                           {"label", labels[examples[i].label]},
                           {"predicted", labels[predicted[i]]},
                           {"correct", examples[i].label == predicted[i]},
                           {"probabilities", probabilities}}
                .dump() +
            "\n";
  }
  writeFileAtomically(path, text);
}

void printText(std::ostream& out, const ModelReference& ref, const EvalData& data,
               const EvaluationMetrics& m) {
  int64_t correct = 0;
  for (size_t c = 0; c < m.confusion.size(); ++c) correct += m.confusion[c][c];
  out << ref.describe() << "\n"
      << "data      " << data.source << " (" << m.examples << " examples)\n"
      << std::fixed << std::setprecision(2) << "accuracy  " << 100 * m.accuracy << "%  (" << correct
      << "/" << m.examples << ")\n"
      << std::setprecision(4) << "loss      " << m.loss << "\n"
      << std::setprecision(4) << "macro-F1  " << m.macroF1 << "\n"
      << "confusion (rows: true label, columns: predicted)\n";
  size_t width = 6;
  for (const std::string& name : ref.labelNames) width = std::max(width, name.size() + 1);
  out << std::setw(static_cast<int>(width)) << "";
  for (const std::string& name : ref.labelNames) out << std::setw(static_cast<int>(width)) << name;
  out << "\n";
  for (size_t r = 0; r < m.confusion.size(); ++r) {
    out << std::left << std::setw(static_cast<int>(width)) << ref.labelNames[r] << std::right;
    for (int64_t count : m.confusion[r]) out << std::setw(static_cast<int>(width)) << count;
    out << "\n";
  }
}

}  // namespace

int runEval(const EvalOptions& options, std::ostream& out, std::ostream& err) {
  try {
    const c10::Device device = resolveDevice(options.device, "--device");  // exit 2 if absent
    std::optional<CheckpointChoice> choice;
    if (!options.checkpoint.empty()) choice = CheckpointChoice::parse(options.checkpoint);
    const ModelReference ref =
        loadModelReference(options.reference, choice, {false, options.allowNonFinite});
    if (!ref.loadWarnings.empty()) err << ref.loadWarnings;
    const EvalData data = readEvalData(options, ref);
    const std::shared_ptr<const data::EncodedDataset> encoded = readingInput(
        [&] { return encodeExamples(data.examples, *ref.tokenizer, ref.maxLength, data.source); });
    data::CollateOptions collate;
    collate.padId = ref.tokenizer->padId();
    collate.sepId = ref.tokenizer->sepId();
    collate.maxLength = static_cast<size_t>(ref.maxLength);
    // The run's own batch size: padding then matches its recorded evaluations exactly.
    const data::BatchLoader loader = data::BatchLoader::evaluation(
        encoded, static_cast<size_t>(std::max(1, ref.batchSize)), collate);
    if (!device.is_cpu()) ref.model->to(device);  // Trainer::evaluate follows the model
    std::vector<int64_t> predicted;
    std::vector<float> probabilities;
    const int numLabels = static_cast<int>(ref.labelNames.size());
    const EvaluationMetrics m =
        Trainer::evaluate(*ref.model, loader, numLabels, &predicted,
                          options.predictions.empty() ? nullptr : &probabilities);
    if (!options.predictions.empty()) {
      writePredictions(options.predictions, data.examples, predicted, probabilities,
                       ref.labelNames);
    }
    if (options.json) {
      nlohmann::json j = {{"reference", ref.path},
                          {"kind", ref.kind == ModelReference::Kind::Run ? "run" : "model"},
                          {"weights", ref.weightsFile},
                          {"policy", ref.model->policy().toString()},
                          {"data", data.source},
                          {"examples", m.examples},
                          {"accuracy", m.accuracy},
                          {"loss", m.loss},
                          {"macro_f1", m.macroF1},
                          {"labels", ref.labelNames},
                          {"confusion", m.confusion}};
      if (ref.kind == ModelReference::Kind::Run) {
        j["checkpoint_step"] = ref.step;
        j["checkpoint"] = ref.checkpointRole;
      }
      if (!options.predictions.empty()) j["predictions"] = options.predictions;
      out << j.dump() << "\n";
    } else {
      printText(out, ref, data, m);
      if (!options.predictions.empty())
        out << "predictions written to " << options.predictions << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    return reportError("eval", e, err);
  }
}

}  // namespace crisp::cli
