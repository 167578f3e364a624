#include "core/train/model_reference.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/io/model_location.h"
#include "core/io/safetensors.h"
#include "core/model/hf_checkpoint.h"
#include "core/sys/parse.h"
#include "core/train/run_directory.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTokenizerFiles = {"vocab.txt", "tokenizer.json", "spiece.model",
                                                  "tokenizer_config.json",
                                                  "special_tokens_map.json"};

std::vector<std::string> existingTokenizerFiles(const fs::path& directory) {
  std::vector<std::string> files;
  for (const std::string& name : kTokenizerFiles) {
    if (fs::is_regular_file(directory / name)) files.push_back((directory / name).string());
  }
  return files;
}

std::string listSteps(const std::vector<int64_t>& steps) {
  std::string text;
  for (size_t i = 0; i < steps.size(); ++i) text += (i ? ", " : "") + std::to_string(steps[i]);
  return text;
}

// A tokenizer whose ids run past the embedding table would index outside it on the first rare
// word; a smaller one is fine (tables are often padded to a round size).
void requireTokenizerFitsModel(const ModelReference& ref) {
  const size_t entries = ref.tokenizer->vocabSize();
  const int rows = ref.model->config().vocabSize;
  if (entries > static_cast<size_t>(rows)) {
    throw InputError(ref.tokenizer->name() + ": the tokenizer has " + std::to_string(entries) +
                     " entries but the model's embedding table has " + std::to_string(rows) +
                     " rows (vocab_size)");
  }
}

ModelReference loadRun(const std::string& path, const nlohmann::json& config,
                       const CheckpointChoice& choice, const LoadOptions& options) {
  ModelReference ref;
  ref.kind = ModelReference::Kind::Run;
  ref.path = path;
  const std::string configFile = path + "/config.json";
  for (const char* key : {"model_config", "policy", "label_names"}) {
    if (!config.contains(key)) throw InputError(configFile + ": no \"" + key + "\" (damaged run?)");
  }
  RunDirectory run(path);
  const std::vector<int64_t> steps = run.checkpointSteps();
  if (steps.empty()) throw InputError(path + ": no checkpoint yet (train or resume it first)");
  switch (choice.kind) {
    case CheckpointChoice::Kind::Last:
      ref.step = steps.back();
      ref.checkpointRole = "last";
      break;
    case CheckpointChoice::Kind::Step:
      ref.step = choice.step;
      ref.checkpointRole = "step";
      break;
    case CheckpointChoice::Kind::Best: {
      const nlohmann::json state = run.readState();
      ref.step = state.value("best_step", int64_t{-1});
      ref.checkpointRole = "best";
      if (ref.step < 0) {
        throw InputError(path +
                         "/state.json: no evaluation yet, so no best checkpoint (use "
                         "--checkpoint last)");
      }
      break;
    }
  }
  if (std::find(steps.begin(), steps.end(), ref.step) == steps.end()) {
    throw InputError(path + ": no checkpoint of step " + std::to_string(ref.step) +
                     " (kept: " + listSteps(steps) + ")");
  }
  try {
    ref.experiment = ExperimentConfig::fromJson(config.at("experiment"));
  } catch (const std::exception& e) {
    throw InputError(configFile + ": " + e.what());
  }
  const ModelConfig modelConfig = ModelConfig::fromJson(config.at("model_config"), configFile);
  ref.model = makeClassifier(modelConfig);
  ref.model->setPolicy(AttentionPolicySpec::parse(config.at("policy").get<std::string>()));
  ref.weightsFile = run.checkpointPath(ref.step) + "/model.safetensors";
  const LoadReport report = loadStateDict(*ref.model, readSafeTensors(ref.weightsFile).tensors,
                                          ref.weightsFile, options.allowNonFinite);
  requireCompleteCheckpoint(report, modelConfig);
  ref.loadWarnings = report.describe("the model");
  ref.model->eval();
  ref.tokenizer = loadRunTokenizer(path, config, *ref.experiment);
  requireTokenizerFitsModel(ref);
  ref.labelNames = config.at("label_names").get<std::vector<std::string>>();
  ref.maxLength = ref.experiment->maxLength;
  ref.batchSize = ref.experiment->hyper.batchSize;
  if (config.contains("tokenizer")) {
    // Stored in the run: the files crisp_tokenizer.json lists.
    const fs::path directory = runTokenizerDirectory(path);
    for (const std::string& name :
         config.at("tokenizer").value("files", std::vector<std::string>{})) {
      ref.tokenizerFiles.push_back((directory / name).string());
    }
    return ref;
  }
  // Runs from before tokenizers were stored: the demo's vocabulary is compiled in; any other
  // comes from a directory or a vocab file.
  const ExperimentConfig& ex = *ref.experiment;
  const std::string tokenizerSource = !ex.tokenizer.empty()              ? ex.tokenizer
                                      : !startsWith(ex.model, "preset:") ? ex.model
                                                                         : std::string();
  if (tokenizerSource.empty()) {
    ref.embeddedVocabulary = true;
  } else if (fs::is_directory(tokenizerSource)) {
    ref.tokenizerFiles = existingTokenizerFiles(tokenizerSource);
  } else {
    ref.tokenizerFiles = {tokenizerSource};
  }
  return ref;
}

ModelReference loadHuggingFace(const std::string& path, LoadOptions options) {
  ModelReference ref;
  ref.kind = ModelReference::Kind::HuggingFace;
  ref.path = path;
  if (!hasTokenizerFiles(path)) {
    throw InputError(path +
                     ": no vocab.txt, tokenizer.json or spiece.model (a Hugging Face model "
                     "directory needs its tokenizer)");
  }
  options.forInference = true;
  LoadedModel loaded = loadHuggingFaceDirectory(path, options);
  ref.model = loaded.model;
  ref.model->eval();
  ref.weightsFile = loaded.report.weightsFile;
  ref.loadWarnings = loaded.report.describe("the model");
  ref.tokenizer = openTokenizer(path);
  requireTokenizerFitsModel(ref);
  const ModelConfig& mc = ref.model->config();
  for (int i = 0; i < mc.numLabels; ++i) {
    const auto it = mc.id2label.find(i);
    ref.labelNames.push_back(it != mc.id2label.end() ? it->second : "LABEL_" + std::to_string(i));
  }
  const size_t tokenizerMax = ref.tokenizer->modelMaxLength();
  ref.maxLength = mc.maxPositions;
  if (tokenizerMax > 0 && tokenizerMax < static_cast<size_t>(mc.maxPositions)) {
    ref.maxLength = static_cast<int>(tokenizerMax);
  }
  ref.tokenizerFiles = existingTokenizerFiles(path);
  return ref;
}

}  // namespace

CheckpointChoice CheckpointChoice::parse(const std::string& text) {
  CheckpointChoice c;
  if (text == "best") return c;
  if (text == "last") {
    c.kind = Kind::Last;
    return c;
  }
  const std::optional<long long> step = parseInteger(text);
  if (!step || *step < 0) {
    throw InputError("--checkpoint: \"" + text + "\" is not best, last or a step number");
  }
  c.kind = Kind::Step;
  c.step = *step;
  return c;
}

std::string CheckpointChoice::toString() const {
  switch (kind) {
    case Kind::Best: return "best";
    case Kind::Last: return "last";
    case Kind::Step: break;
  }
  return std::to_string(step);
}

std::string ModelReference::describe() const {
  if (kind == Kind::HuggingFace) return "model " + path;
  return "run " + path + ", checkpoint step " + std::to_string(step) + " (" + checkpointRole + ")";
}

ModelReference loadModelReference(const std::string& path,
                                  const std::optional<CheckpointChoice>& choice,
                                  const LoadOptions& options) {
  if (path.empty()) throw InputError("no run or model directory given");
  // A hub id ("distilbert-base-uncased") or a sentence-transformers package names a model
  // directory found offline.
  if (looksLikeHubId(path) ||
      (fs::is_directory(path) && !fs::exists(fs::path(path) / "config.json"))) {
    const std::string resolved = resolveModelDirectory(path);
    if (resolved != path) return loadModelReference(resolved, choice, options);
  }
  if (!fs::exists(path)) throw InputError(path + ": no such run or model directory");
  if (!fs::is_directory(path)) {
    throw InputError(path + ": not a directory (expected a run or a Hugging Face model directory)");
  }
  const fs::path configPath = fs::path(path) / "config.json";
  if (!fs::exists(configPath)) {
    throw InputError(path + ": not a run or a Hugging Face model directory (no config.json)");
  }
  nlohmann::json config;
  try {
    config = RunDirectory(path).readConfig();  // any directory's config.json, read only
  } catch (const Error& e) {
    throw InputError(e.what());
  }
  if (config.is_object() && config.contains("experiment")) {
    return loadRun(path, config, choice.value_or(CheckpointChoice{}), options);
  }
  if (choice) {
    throw InputError("--checkpoint " + choice->toString() + ": " + path +
                     " is a Hugging Face model directory, which has one set of weights");
  }
  return loadHuggingFace(path, options);
}

}  // namespace crisp
