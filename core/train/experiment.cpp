#include "core/train/experiment.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/data/dataset.h"
#include "core/data/demo_corpus.h"
#include "core/io/hf_checkpoint.h"
#include "core/sys/error.h"
#include "core/sys/runtime_info.h"
#include "core/sys/threads.h"

namespace crisp {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kDemoProbes = {
    "the film was not good but the ending was truly wonderful .",
    "honestly , the acting was never boring .",
};

std::string tokenizerPath(const ExperimentConfig& config) {
  if (!config.tokenizer.empty()) return config.tokenizer;
  if (config.model.rfind("preset:", 0) != 0) return config.model;  // the checkpoint's vocab.txt
  throw Error(
      "a model preset trained on your own data needs --tokenizer (a directory with "
      "vocab.txt, e.g. ../shared/data/bert-base-uncased)");
}

}  // namespace

std::shared_ptr<const data::EncodedDataset> encodeExamples(
    const std::vector<data::Example>& examples, const WordPieceTokenizer& tokenizer, int maxLength,
    const std::string& source) {
  auto encoded = std::make_shared<data::EncodedDataset>();
  WordPieceEncodeOptions options;
  options.maxLength = static_cast<size_t>(maxLength);
  WordPieceEncoding scratch;
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
  return {{"name", name},
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
}

ExperimentConfig ExperimentConfig::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("experiment: expected a JSON object");
  ExperimentConfig c = demo();
  try {
    c.name = j.value("name", c.name);
    c.model = j.value("model", c.model);
    c.tokenizer = j.value("tokenizer", c.tokenizer);
    c.trainData = j.value("train_data", c.trainData);
    c.devData = j.value("dev_data", c.devData);
    c.policy = j.value("policy", c.policy);
    c.maxLength = j.value("max_length", c.maxLength);
    c.probes = j.value("probes", c.probes);
    c.demoTrainSize = j.value("demo_train_size", c.demoTrainSize);
    c.demoDevSize = j.value("demo_dev_size", c.demoDevSize);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("experiment: a field has the wrong type: ") + e.what());
  }
  if (j.contains("hyperparameters")) {
    nlohmann::json merged = c.hyper.toJson();
    merged.update(j.at("hyperparameters"));
    c.hyper = Hyperparameters::fromJson(merged);
  }
  return c;
}

ExperimentConfig ExperimentConfig::demo() {
  ExperimentConfig c;
  // Measured on the demo (docs/RESULTS.md): 2e-3 and 3e-3 never left chance level, 1e-3
  // reached 67% after 8 epochs; 5e-4 reaches about 98% (docs/RESULTS.md).
  c.hyper.epochs = 20;
  c.hyper.learningRate = 5e-4;
  c.hyper.batchSize = 32;
  c.hyper.warmupRatio = 0.1;
  c.maxLength = 64;
  c.probes = kDemoProbes;
  return c;
}

std::shared_ptr<const WordPieceTokenizer> demoTokenizer() {
  std::string vocab;
  for (const std::string& line : data::demoVocabulary()) vocab += line + "\n";
  WordPieceConfig config;
  config.doLowerCase = true;
  return std::make_shared<const WordPieceTokenizer>(
      WordPieceTokenizer::fromVocabText(vocab, config, "<embedded demo vocabulary>"));
}

std::shared_ptr<const WordPieceTokenizer> loadTokenizer(const ExperimentConfig& config) {
  const bool demoModel = config.model.rfind("preset:", 0) == 0 && config.usesDemoData();
  if (demoModel && config.tokenizer.empty()) return demoTokenizer();
  return std::make_shared<const WordPieceTokenizer>(tokenizerPath(config));
}

PreparedExperiment prepareExperiment(const ExperimentConfig& config) {
  config.hyper.validate();
  if (config.maxLength < 2) throw Error("max_length must be at least 2");
  if (config.trainData.empty() != config.devData.empty()) {
    throw Error("give both training and dev data, or neither (the embedded demo)");
  }
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

  prepared.tokenizer = loadTokenizer(config);
  const WordPieceTokenizer& tokenizer = *prepared.tokenizer;

  std::shared_ptr<SequenceClassifier> model;
  if (config.model.rfind("preset:", 0) == 0) {
    ModelConfig modelConfig =
        ModelConfig::preset(config.model.substr(7), static_cast<int>(tokenizer.vocabSize()));
    modelConfig.padTokenId = tokenizer.padId();
    modelConfig.maxPositions = std::max(config.maxLength, 64);
    modelConfig.numLabels = static_cast<int>(labelNames.size());
    modelConfig.id2label.clear();
    for (size_t i = 0; i < labelNames.size(); ++i)
      modelConfig.id2label[static_cast<int>(i)] = labelNames[i];
    at::manual_seed(config.hyper.seed);  // the initial weights follow the seed
    model = makeClassifier(modelConfig);
  } else {
    LoadedModel loaded = loadHuggingFaceDirectory(config.model);
    if (loaded.model->config().numLabels != static_cast<int>(labelNames.size())) {
      throw Error(config.model + "/config.json: the model has " +
                  std::to_string(loaded.model->config().numLabels) + " labels but the data has " +
                  std::to_string(labelNames.size()));
    }
    if (static_cast<int>(tokenizer.vocabSize()) != loaded.model->config().vocabSize) {
      throw Error("the tokenizer's vocabulary (" + std::to_string(tokenizer.vocabSize()) +
                  ") does not match the model's vocab_size (" +
                  std::to_string(loaded.model->config().vocabSize) + ")");
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
  in.labelNames = labelNames;
  for (const std::string& text : config.probes) {
    WordPieceEncodeOptions options;
    options.maxLength = static_cast<size_t>(config.maxLength);
    const WordPieceEncoding e = tokenizer.encode(text, options);
    in.probes.push_back({text, e.tokens, e.ids});
  }

  const RuntimeInfo runtime = collectRuntimeInfo();
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char created[32];
  std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  prepared.runConfig["experiment"] = config.toJson();
  prepared.runConfig["resume_key"] = config.toJson();
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
  return prepared;
}

}  // namespace crisp
