#include "core/train/experiment.h"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/data/dataset.h"
#include "core/data/demo_corpus.h"
#include "core/io/json_file.h"
#include "core/io/model_location.h"
#include "core/model/attention_policy.h"
#include "core/model/hf_checkpoint.h"
#include "core/sys/device.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/runtime_info.h"
#include "core/sys/threads.h"
#include "core/train/run_directory.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

bool isPreset(const std::string& model) {
  return startsWith(model, "preset:");
}

std::string tokenizerPath(const ExperimentConfig& config) {
  if (!config.tokenizer.empty()) return config.tokenizer;
  // The checkpoint's own vocab.txt / tokenizer.json / spiece.model.
  if (!isPreset(config.model)) return resolveModelDirectory(config.model);
  throw Error(
      "a model preset trained on your own data needs a tokenizer: --tokenizer (a WordPiece "
      "vocabulary, e.g. ../shared/data/bert-base-uncased, or a SentencePiece .model) or "
      "--train-sentencepiece VOCAB_SIZE");
}

// A fresh directory under the system's temporary directory, removed with its contents.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "crisp-tokenizer-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The tokenizer a run trains with, and whether it still has to be stored in the run.
struct ResolvedTokenizer {
  std::shared_ptr<const Tokenizer> tokenizer;
  nlohmann::json record;      // what config.json records ("tokenizer"); null for older runs
  nlohmann::json provenance;  // a new run's: where it came from
  bool isNew = false;
};

// The tokenizer of a run being prepared (see prepareExperiment): the stored one of an existing
// run, or a new run's, trained (in a temporary directory) or loaded.
ResolvedTokenizer resolveTokenizer(const ExperimentConfig& config,
                                   const std::vector<data::Example>& train,
                                   const std::string& trainSource,
                                   const std::string& runDirectory) {
  ResolvedTokenizer resolved;
  if (!runDirectory.empty() && RunDirectory(runDirectory).hasConfig()) {
    const nlohmann::json existing = RunDirectory(runDirectory).readConfig();
    requireResumableWith(runDirectory, existing, config.resumeKey());
    resolved.record = existing.value("tokenizer", nlohmann::json());
    resolved.tokenizer = loadRunTokenizer(runDirectory, existing, config);
    return resolved;
  }
  resolved.isNew = true;
  if (config.trainSentencePiece.enabled()) {
    SentencePieceVocabularyOptions options;
    options.vocabSize = config.trainSentencePiece.vocabSize;
    options.modelType = config.trainSentencePiece.modelType;
    options.threads = currentThreadCount();
    std::vector<std::string> sentences;
    sentences.reserve(train.size());
    for (const data::Example& example : train) sentences.push_back(example.text);
    const TemporaryDirectory work;
    resolved.tokenizer = trainSentencePieceTokenizer(sentences, options, work.path(), trainSource);
    resolved.provenance = {{"trained_on", trainSource},
                           {"sentences", sentences.size()},
                           {"model_type", options.modelType},
                           {"requested_vocab_size", options.vocabSize}};
  } else {
    resolved.tokenizer = loadTokenizer(config);
    resolved.provenance = {{"path", config.tokenizer.empty() && isPreset(config.model)
                                        ? std::string("<embedded demo vocabulary>")
                                        : tokenizerPath(config)}};
  }
  return resolved;
}

// Writes a new run's tokenizer to RUN/tokenizer (through a staging directory renamed into place;
// a leftover of a start that died before config.json was written is replaced).
void storeRunTokenizer(ResolvedTokenizer& resolved, const std::string& runDirectory) {
  const fs::path staging = fs::path(runDirectory) / "tokenizer.partial";
  try {
    fs::remove_all(staging);
    resolved.record = storeTokenizer(*resolved.tokenizer, staging.string(), resolved.provenance);
    resolved.record["directory"] = "tokenizer";
    const fs::path final = runTokenizerDirectory(runDirectory);
    fs::remove_all(final);
    fs::rename(staging, final);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw Error(runDirectory + ": cannot store the tokenizer: " + e.what());
  }
}

// Refuses data a run cannot learn from or be judged on: with no training sentences it
// "finished" at step -1, with no dev sentences it recorded "accuracy 0.00 % (best)", and with
// one class there is nothing to tell apart.
void requireTrainableData(const std::vector<data::Example>& train,
                          const std::vector<data::Example>& dev,
                          const std::vector<std::string>& labelNames,
                          const std::string& trainSource, const std::string& devSource) {
  if (train.empty()) throw Error(trainSource + ": no training sentences");
  if (dev.empty()) throw Error(devSource + ": no dev sentences to evaluate the run on");
  const int label = train.front().label;
  if (std::all_of(train.begin(), train.end(),
                  [&](const data::Example& e) { return e.label == label; })) {
    const std::string name = label >= 0 && static_cast<size_t>(label) < labelNames.size()
                                 ? labelNames[static_cast<size_t>(label)]
                                 : std::to_string(label);
    throw Error(trainSource + ": every training sentence has the label \"" + name +
                "\"; a classifier needs at least two classes");
  }
}

}  // namespace

std::string runTokenizerDirectory(const std::string& runDirectory) {
  return (fs::path(runDirectory) / "tokenizer").string();
}

std::shared_ptr<const Tokenizer> loadRunTokenizer(const std::string& runDirectory,
                                                  const nlohmann::json& runConfig,
                                                  const ExperimentConfig& experiment) {
  if (runConfig.contains("tokenizer")) {
    const std::string directory = runTokenizerDirectory(runDirectory);
    if (!fs::is_directory(directory)) {
      throw Error(runDirectory + "/config.json records a tokenizer but " + directory +
                  " is missing (damaged run?)");
    }
    return openTokenizer(directory);
  }
  return loadTokenizer(experiment);  // a run from before tokenizers were stored
}

void validateTokenizerChoice(const ExperimentConfig& config) {
  const SentencePieceTraining& t = config.trainSentencePiece;
  if (t.vocabSize < 0) {
    throw Error("train_sentencepiece.vocab_size: " + std::to_string(t.vocabSize) +
                " is negative (0 turns training off)");
  }
  if (!t.enabled()) return;
  if (!config.tokenizer.empty()) {
    throw Error("tokenizer and train_sentencepiece exclude each other: give a tokenizer (" +
                config.tokenizer + ") or train one, not both");
  }
  if (!isPreset(config.model)) {
    throw Error("train_sentencepiece: " + config.model +
                " is a pretrained checkpoint, whose embeddings belong to its own vocabulary; "
                "training a new one applies to a model from scratch (a preset)");
  }
  SentencePieceVocabularyOptions options;
  options.vocabSize = t.vocabSize;
  options.modelType = t.modelType;
  try {
    validateSentencePieceOptions(options);
  } catch (const Error& e) {
    throw Error(std::string("train_sentencepiece.") + e.what());
  }
}

std::shared_ptr<const data::EncodedDataset> encodeExamples(
    const std::vector<data::Example>& examples, const Tokenizer& tokenizer, int maxLength,
    const std::string& source) {
  auto encoded = std::make_shared<data::EncodedDataset>();
  TokenizerEncodeOptions options;
  options.maxLength = static_cast<size_t>(maxLength);
  TokenEncoding scratch;
  for (const data::Example& example : examples) {
    try {
      tokenizer.encode(example.text, scratch, options);
    } catch (const std::exception& e) {
      throw Error(source + ":" + std::to_string(example.line) + ": " + e.what());
    }
    encoded->ids.push_back(scratch.ids);
    encoded->labels.push_back(example.label);
  }
  return encoded;
}

data::Dataset readLabelledData(const std::string& path,
                               const std::vector<std::string>& labelNames) {
  data::DataSource source = data::guessSource(path);
  // GLUE files carry integer ids (kept as ids below labelNames.size()); other formats carry
  // label strings, which must be the model's.
  source.labels.mode =
      source.format == data::Format::GlueTsv ? data::LabelMode::Integer : data::LabelMode::Explicit;
  source.labels.names = labelNames;
  return data::readDataset(source);
}

std::vector<data::Example> readDevExamples(const ExperimentConfig& config,
                                           const std::vector<std::string>& labelNames,
                                           std::string* source) {
  if (config.usesDemoData()) {
    if (source) *source = "demo dev";
    data::DemoCorpusOptions demoOptions;
    demoOptions.trainSize = config.demoTrainSize;
    demoOptions.devSize = config.demoDevSize;
    return data::generateDemoCorpus(demoOptions).dev;
  }
  if (source) *source = config.devData;
  return readLabelledData(config.devData, labelNames).examples;
}

nlohmann::json ExperimentConfig::toJson() const {
  nlohmann::json j = {{"name", name},
                      {"model", model},
                      {"tokenizer", tokenizer},
                      {"train_data", trainData},
                      {"dev_data", devData},
                      {"policy", policy},
                      {"max_length", maxLength},
                      {"hyperparameters", hyper.toJson()},
                      {"demo_train_size", demoTrainSize},
                      {"demo_dev_size", demoDevSize},
                      {"probes", probes}};
  // Only when on, so that the configurations (and resume keys) of earlier runs stay the same.
  if (dropout) j["dropout"] = *dropout;
  if (trainSentencePiece.enabled()) {
    j["train_sentencepiece"] = {{"vocab_size", trainSentencePiece.vocabSize},
                                {"model_type", trainSentencePiece.modelType}};
  }
  // Likewise only when not the CPU: the configurations of CPU runs are as they were.
  if (device != "cpu") j["device"] = device;
  if (precision != "fp32") j["precision"] = precision;
  return j;
}

nlohmann::json ExperimentConfig::resumeKey() const {
  nlohmann::json key = toJson();
  key.erase("device");
  key.erase("precision");
  return key;
}

nlohmann::json ExperimentConfig::inputFingerprints() const {
  const nlohmann::json experiment = toJson();
  nlohmann::json fingerprints = nlohmann::json::object();
  for (const std::string& field : inputFieldNames()) {
    try {
      nlohmann::json fingerprint = inputFingerprint(field, experiment.value(field, ""));
      if (!fingerprint.is_null()) fingerprints[field] = std::move(fingerprint);
    } catch (const std::exception&) {
      // Loading has read what training needs; a file beside it that cannot be read leaves this
      // input to be matched by its path alone, as before fingerprints, and fails no run.
    }
  }
  return fingerprints;
}

void checkExperimentKeys(const nlohmann::json& object, const std::string& where) {
  const auto keysOf = [](const nlohmann::json& json) {
    std::set<std::string> names;
    for (const auto& item : json.items()) names.insert(item.key());
    return names;
  };
  // Exactly what toJson writes (with SentencePiece training on, a device other than the CPU
  // and a precision other than fp32, which it writes only then).
  static const std::set<std::string> keys = [&] {
    ExperimentConfig all;
    all.trainSentencePiece.vocabSize = 8000;
    all.dropout = 0.0;
    all.device = "auto";
    all.precision = "bf16";
    return keysOf(all.toJson());
  }();
  // Likewise with the optional save_every set.
  static const std::set<std::string> hyperparameterKeys = [&] {
    Hyperparameters withOptional;
    withOptional.saveEverySteps = 1;
    return keysOf(withOptional.toJson());
  }();
  checkJsonKeys(object, keys, where);
  if (object.contains("hyperparameters")) {
    const std::string member = jsonMember(where, "hyperparameters");
    const nlohmann::json& hyperparameters = object.at("hyperparameters");
    if (!hyperparameters.is_object()) throw Error(member + ": expected a JSON object");
    checkJsonKeys(hyperparameters, hyperparameterKeys, member);
  }
}

ExperimentConfig ExperimentConfig::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("experiment: expected a JSON object");
  checkExperimentKeys(j, "");
  const auto train = j.find("train_data");
  ExperimentConfig c = defaultsFor(train == j.end() || (train->is_string() && train->empty()));
  const auto number = [&](const char* key, auto& out) {
    if (j.contains(key)) out = jsonNumber<std::decay_t<decltype(out)>>(j.at(key), key);
  };
  number("max_length", c.maxLength);
  number("demo_train_size", c.demoTrainSize);
  number("demo_dev_size", c.demoDevSize);
  if (j.contains("dropout") && !j.at("dropout").is_null()) {
    const double p = jsonNumber<double>(j.at("dropout"), "dropout");
    if (!(p >= 0 && p < 1)) throw Error("experiment: dropout must be in [0, 1)");
    c.dropout = p;
  }
  try {
    c.name = j.value("name", c.name);
    c.model = j.value("model", c.model);
    c.tokenizer = j.value("tokenizer", c.tokenizer);
    c.trainData = j.value("train_data", c.trainData);
    c.devData = j.value("dev_data", c.devData);
    c.policy = j.value("policy", c.policy);
    c.probes = j.value("probes", c.probes);
    c.device = j.value("device", c.device);
    c.precision = j.value("precision", c.precision);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("experiment: a field has the wrong type: ") + e.what());
  }
  c.device = normalizeDeviceSpec(c.device, "device");
  c.precision = normalizePrecision(c.precision, "precision");
  if (j.contains("train_sentencepiece") && !j.at("train_sentencepiece").is_null()) {
    const nlohmann::json& t = j.at("train_sentencepiece");
    const std::string expected =
        " (expected {\"vocab_size\": N, \"model_type\": \"unigram\" or \"bpe\"})";
    if (!t.is_object()) throw Error("experiment: train_sentencepiece: not an object" + expected);
    checkJsonKeys(t, {"vocab_size", "model_type"}, "experiment: train_sentencepiece");
    if (!t.contains("vocab_size")) {
      throw Error("experiment: train_sentencepiece.vocab_size: expected an integer" + expected);
    }
    c.trainSentencePiece.vocabSize =
        jsonNumber<int>(t.at("vocab_size"), "experiment: train_sentencepiece.vocab_size");
    if (t.contains("model_type")) {
      if (!t.at("model_type").is_string()) {
        throw Error("experiment: train_sentencepiece.model_type: expected a string" + expected);
      }
      c.trainSentencePiece.modelType = t.at("model_type").get<std::string>();
    }
  }
  if (j.contains("hyperparameters")) {
    nlohmann::json merged = c.hyper.toJson();
    merged.update(j.at("hyperparameters"));
    c.hyper = Hyperparameters::fromJson(merged);
  }
  if (!j.contains("name")) c.name = defaultRunName(c);
  return c;
}

ExperimentConfig ExperimentConfig::defaultsFor(bool demoData) {
  if (demoData) return demo();
  // Hyperparameters' own defaults, which suit fine-tuning (3 epochs, batch 32, 5e-5). The
  // probe sentences stay: a run's attention snapshots need some.
  ExperimentConfig c;
  c.probes = data::demoProbeSentences();
  return c;
}

ExperimentConfig readRunExperiment(const std::string& runDirectory) {
  const std::string file = runDirectory + "/config.json";
  // Checked first so that a wrong argument gets a hint rather than a bare "cannot open".
  if (!std::filesystem::is_regular_file(file))
    throw Error(file + ": cannot open (is this a run directory?)");
  const nlohmann::json config = readJsonFile(file);
  if (!config.contains("experiment")) throw Error(file + ": no experiment");
  return ExperimentConfig::fromJson(config["experiment"]);
}

std::string dataLabel(const std::string& trainData, const std::string& devData) {
  if (trainData.empty()) return "demo";
  // The dev file's folder names the data set (glue/SST-2/dev.tsv), else the file itself.
  const fs::path file = fs::path(devData.empty() ? trainData : devData).lexically_normal();
  const std::string folder = lastPathComponent(file.parent_path().string());
  if (!folder.empty() && folder != "." && folder != "..") return folder;
  return file.stem().empty() ? file.string() : file.stem().string();
}

std::string modelLabel(const std::string& model) {
  if (isPreset(model)) return model.substr(std::string("preset:").size());
  const std::string last = lastPathComponent(model);  // a directory or a hub id (owner/name)
  return last.empty() ? model : last;
}

std::string lastPathComponent(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p.filename().string();
}

std::string defaultRunName(const ExperimentConfig& config) {
  std::string policy;
  try {
    policy = AttentionPolicySpec::parse(config.policy).toString();
  } catch (const std::exception&) {
    policy = config.policy;  // refused later, naming the policy; the name need not be right
  }
  // crisp:0.8 -> crisp0.8, ramp:0.7:0.1 -> ramp0.7_0.1: names become folder names and labels.
  std::string label;
  bool afterColon = false;
  for (const char ch : policy) {
    if (ch == ':' && !afterColon) {
      afterColon = true;
    } else if (ch == '+') {
      afterColon = false;
      label += ch;
    } else {
      const bool plain = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-';
      label += plain ? ch : '_';
    }
  }
  return dataLabel(config.trainData, config.devData) + "-" + modelLabel(config.model) + "-" +
         (label.empty() ? "dense" : label);
}

ExperimentConfig ExperimentConfig::demo() {
  ExperimentConfig c;
  // Measured on the demo over seeds and thread counts (docs/RESULTS.md): with 4,000 sentences,
  // batch 32 and 5e-4 for 20 epochs, two of three seeds stalled at 72-86%. With 8,000
  // sentences, batch 16 and 10 epochs: 2e-4 left seed 42 on one thread at 89.8%, 4e-4 stalled
  // two of seven runs at 72-75%, 3e-4 brought all ten runs (5 seeds x 1 and 2 threads) to
  // 98.2-100% in about a minute.
  c.hyper.epochs = 10;
  c.hyper.learningRate = 3e-4;
  c.hyper.batchSize = 16;
  c.hyper.warmupRatio = 0.1;
  c.maxLength = 64;
  c.probes = data::demoProbeSentences();
  return c;
}

std::shared_ptr<const Tokenizer> demoTokenizer() {
  std::string vocab;
  for (const std::string& line : data::demoVocabulary()) vocab += line + "\n";
  WordPieceConfig config;
  config.doLowerCase = true;
  return wrapWordPieceTokenizer(std::make_shared<const WordPieceTokenizer>(
      WordPieceTokenizer::fromVocabText(vocab, config, "<embedded demo vocabulary>")));
}

std::shared_ptr<const Tokenizer> loadTokenizer(const ExperimentConfig& config) {
  if (config.trainSentencePiece.enabled()) {
    throw Error(
        "train_sentencepiece: the vocabulary is trained on the data when a run is prepared");
  }
  const bool demoModel = isPreset(config.model) && config.usesDemoData();
  if (demoModel && config.tokenizer.empty()) return demoTokenizer();
  return openTokenizer(tokenizerPath(config));
}

PreparedExperiment prepareExperiment(const ExperimentConfig& config,
                                     const std::string& runDirectory) {
  config.hyper.validate();
  validateTokenizerChoice(config);
  if (config.maxLength < 2) throw Error("max_length must be at least 2");
  if (config.trainData.empty() != config.devData.empty()) {
    throw Error("give both training and dev data, or neither (the embedded demo)");
  }
  // Before any data is read: asking for CUDA where there is none is refused at once.
  const c10::Device device = resolveDevice(config.device, "device");
  const at::ScalarType computeType = crisp::computeType(config.precision, device, "precision");
  PreparedExperiment prepared;
  std::vector<data::Example> train, dev;
  std::vector<std::string> labelNames;
  std::string trainSource = "demo train", devSource = "demo dev";
  if (config.usesDemoData()) {
    data::DemoCorpusOptions demoOptions;
    demoOptions.trainSize = config.demoTrainSize;
    demoOptions.devSize = config.demoDevSize;
    data::DemoCorpus corpus = data::generateDemoCorpus(demoOptions);
    train = std::move(corpus.train);
    dev = std::move(corpus.dev);
    labelNames = corpus.labels.names();
  } else {
    data::Dataset trainSet = data::readDataset(data::guessSource(config.trainData));
    labelNames = trainSet.labels.names();
    train = std::move(trainSet.examples);
    dev = readDevExamples(config, labelNames, &devSource);
    trainSource = config.trainData;
  }

  requireTrainableData(train, dev, labelNames, trainSource, devSource);

  ResolvedTokenizer resolved = resolveTokenizer(config, train, trainSource, runDirectory);
  prepared.tokenizer = resolved.tokenizer;
  const Tokenizer& tokenizer = *prepared.tokenizer;
  for (const auto& [role, id] : {std::pair{"[CLS]", tokenizer.clsId()},
                                 {"[SEP]", tokenizer.sepId()},
                                 {"[PAD]", tokenizer.padId()},
                                 {"[UNK]", tokenizer.unkId()}}) {
    if (id < 0 || static_cast<size_t>(id) >= tokenizer.vocabSize()) {
      throw Error("the tokenizer " + tokenizer.name() + " has no " + role +
                  " in its vocabulary of " + std::to_string(tokenizer.vocabSize()));
    }
  }

  std::shared_ptr<SequenceClassifier> model;
  if (isPreset(config.model)) {
    ModelConfig modelConfig =
        ModelConfig::preset(config.model.substr(7), static_cast<int>(tokenizer.vocabSize()));
    if (config.dropout) {
      modelConfig.dropout = modelConfig.attentionDropout = modelConfig.classifierDropout =
          *config.dropout;
    }
    modelConfig.padTokenId = tokenizer.padId();
    modelConfig.maxPositions = std::max(config.maxLength, 64);
    modelConfig.numLabels = static_cast<int>(labelNames.size());
    modelConfig.id2label.clear();
    for (size_t i = 0; i < labelNames.size(); ++i)
      modelConfig.id2label[static_cast<int>(i)] = labelNames[i];
    at::manual_seed(config.hyper.seed);  // the initial weights follow the seed
    model = makeClassifier(modelConfig);
  } else {
    if (config.dropout) {
      throw Error(
          "dropout: applies to a model from scratch (a preset); a Hugging Face "
          "directory keeps the dropout of its config.json");
    }
    LoadedModel loaded = loadHuggingFaceDirectory(config.model);
    if (loaded.model->config().numLabels != static_cast<int>(labelNames.size())) {
      throw Error(config.model + "/config.json: the model has " +
                  std::to_string(loaded.model->config().numLabels) + " labels but the data has " +
                  std::to_string(labelNames.size()));
    }
    if (static_cast<int>(tokenizer.vocabSize()) != loaded.model->config().vocabSize) {
      throw Error("the tokenizer " + tokenizer.name() + " has " +
                  std::to_string(tokenizer.vocabSize()) + " entries but the model " + config.model +
                  " has vocab_size " + std::to_string(loaded.model->config().vocabSize) +
                  " (config.json): a pretrained checkpoint needs the tokenizer it was trained "
                  "with");
    }
    model = loaded.model;
    prepared.runConfig["load_report"] = loaded.report.describe("the model");
  }
  model->setPolicy(AttentionPolicySpec::parse(config.policy));

  TrainingInputs& in = prepared.inputs;
  in.model = model;
  in.train = encodeExamples(train, tokenizer, config.maxLength, trainSource);
  in.dev = encodeExamples(dev, tokenizer, config.maxLength, devSource);
  in.collate.padId = tokenizer.padId();
  in.collate.sepId = tokenizer.sepId();
  in.collate.maxLength = static_cast<size_t>(config.maxLength);
  in.collate.pinMemory = device.is_cuda();
  in.labelNames = labelNames;
  in.device = device;
  in.computeType = computeType;
  for (const std::string& text : config.probes) {
    TokenizerEncodeOptions options;
    options.maxLength = static_cast<size_t>(config.maxLength);
    const TokenEncoding e = tokenizer.encode(text, options);
    in.probes.push_back({text, e.tokens, e.ids});
  }

  const RuntimeInfo runtime = collectRuntimeInfo();
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char created[32];
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  // Everything checked: a new run keeps its tokenizer from here on.
  if (resolved.isNew && !runDirectory.empty()) storeRunTokenizer(resolved, runDirectory);
  // Checkpoints copy the tokenizer from the run's own copy, never from where it came from.
  const std::string stored = runDirectory.empty() ? "" : runTokenizerDirectory(runDirectory);
  in.tokenizer =
      !stored.empty() && fs::is_directory(stored) ? openTokenizer(stored) : prepared.tokenizer;
  if (!resolved.record.is_null()) prepared.runConfig["tokenizer"] = resolved.record;
  prepared.runConfig["experiment"] = config.toJson();
  prepared.runConfig["resume_key"] = config.resumeKey();
  // Read while the inputs are fresh in the page cache; an existing run keeps what it recorded.
  if (resolved.isNew) prepared.runConfig["input_fingerprints"] = config.inputFingerprints();
  prepared.runConfig["model_config"] = model->config().toJson();
  prepared.runConfig["policy"] = model->policy().toString();
  prepared.runConfig["label_names"] = labelNames;
  prepared.runConfig["train_examples"] = in.train->ids.size();
  prepared.runConfig["dev_examples"] = in.dev->ids.size();
  prepared.runConfig["created"] = created;
  prepared.runConfig["versions"] = {{"crisp", runtime.crispVersion},
                                    {"git_revision", runtime.gitRevision},
                                    {"libtorch", runtime.torchVersion},
                                    {"blas", describe(runtime.blas.kind)},
                                    {"threads", currentThreadCount()}};
  prepared.runConfig["device"] = device.str();  // what `auto` became
  return prepared;
}

}  // namespace crisp
