#include "core/model/config.h"

#include <climits>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/json_file.h"
#include "core/sys/allocator.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"

namespace crisp {
namespace {

using nlohmann::json;

void requirePositive(int value, const char* field, const std::string& source) {
  if (value <= 0) {
    throw Error(source + ": \"" + field + "\" must be positive, got " + std::to_string(value));
  }
}

// More labels than any classification data set has: checked before num_labels label names
// (and a head of hidden x num_labels weights) are allocated.
constexpr int kMaxLabels = 100000;

void requireLabelCount(int numLabels, const std::string& source) {
  requirePositive(numLabels, "num_labels", source);
  if (numLabels > kMaxLabels) {
    throw Error(source + ": num_labels " + std::to_string(numLabels) + " exceeds " +
                std::to_string(kMaxLabels));
  }
}

}  // namespace

std::string architectureName(Architecture architecture) {
  return architecture == Architecture::Bert ? "bert" : "distilbert";
}

double ModelConfig::parameterCount() const {
  const double h = hidden, i = intermediate;
  const double embeddings = (static_cast<double>(vocabSize) + maxPositions +
                             (architecture == Architecture::Bert ? typeVocabSize : 0)) *
                                h +
                            2 * h;
  const double layer = 4 * (h * h + h) + 2 * h * i + h + i + 4 * h;
  const double head = (h * h + h) + (h * numLabels + numLabels);
  return embeddings + layers * layer + head;
}

void ModelConfig::validate(const std::string& source) const {
  requirePositive(vocabSize, "vocab_size", source);
  requirePositive(hidden, "hidden size", source);
  requirePositive(layers, "layers", source);
  requirePositive(heads, "heads", source);
  requirePositive(intermediate, "intermediate size", source);
  requirePositive(maxPositions, "max_position_embeddings", source);
  requireLabelCount(numLabels, source);
  if (hidden % heads != 0) {
    throw Error(source + ": hidden size " + std::to_string(hidden) +
                " is not a multiple of the number of heads " + std::to_string(heads));
  }
  if (padTokenId < 0 || padTokenId >= vocabSize) {
    throw Error(source + ": pad_token_id " + std::to_string(padTokenId) +
                " is outside the vocabulary of " + std::to_string(vocabSize));
  }
  for (double p : {dropout, attentionDropout, classifierDropout}) {
    if (!(p >= 0.0 && p < 1.0)) throw Error(source + ": a dropout probability is not in [0, 1)");
  }
  // Before anything is allocated: a vocab_size of two billion is a valid int and a bad_alloc.
  const double bytes = 4 * parameterCount();
  const double memory = physicalMemoryBytes();
  if (memory > 0 && bytes > memory) {
    std::ostringstream text;
    text << source << ": vocab_size " << vocabSize << ", hidden size " << hidden << ", " << layers
         << " layers and intermediate size " << intermediate << " describe " << std::setprecision(3)
         << parameterCount() << " parameters (" << bytes / 1e9
         << " GB as float32), more than this machine's " << memory / 1e9 << " GB of memory";
    throw Error(text.str());
  }
  if (static_cast<int>(id2label.size()) != numLabels) {
    throw Error(source + ": id2label has " + std::to_string(id2label.size()) +
                " entries but num_labels is " + std::to_string(numLabels));
  }
}

ModelConfig ModelConfig::fromJson(const json& j, const std::string& source) {
  if (!j.is_object()) throw Error(source + ": expected a JSON object");
  ModelConfig c;
  std::string modelType;
  readJsonField(j, "model_type", modelType, source);
  if (modelType == "distilbert") {
    c.architecture = Architecture::DistilBert;
    readJsonField(j, "dim", c.hidden, source);
    readJsonField(j, "n_layers", c.layers, source);
    readJsonField(j, "n_heads", c.heads, source);
    readJsonField(j, "hidden_dim", c.intermediate, source);
    readJsonField(j, "dropout", c.dropout, source);
    readJsonField(j, "attention_dropout", c.attentionDropout, source);
    readJsonField(j, "seq_classif_dropout", c.classifierDropout, source);
    readJsonField(j, "sinusoidal_pos_embds", c.sinusoidalPositions, source);
    std::string activation = "gelu";
    readJsonField(j, "activation", activation, source);
    if (activation != "gelu") {
      throw Error(source + ": activation \"" + activation + "\" is not supported (gelu only)");
    }
    c.layerNormEps = 1e-12;  // fixed in Hugging Face's DistilBERT
  } else if (modelType == "bert") {
    c.architecture = Architecture::Bert;
    readJsonField(j, "hidden_size", c.hidden, source);
    readJsonField(j, "num_hidden_layers", c.layers, source);
    readJsonField(j, "num_attention_heads", c.heads, source);
    readJsonField(j, "intermediate_size", c.intermediate, source);
    readJsonField(j, "hidden_dropout_prob", c.dropout, source);
    readJsonField(j, "attention_probs_dropout_prob", c.attentionDropout, source);
    readJsonField(j, "type_vocab_size", c.typeVocabSize, source);
    readJsonField(j, "layer_norm_eps", c.layerNormEps, source);
    c.classifierDropout = c.dropout;
    readJsonField(j, "classifier_dropout", c.classifierDropout, source);
    std::string activation = "gelu";
    readJsonField(j, "hidden_act", activation, source);
    if (activation != "gelu") {
      throw Error(source + ": hidden_act \"" + activation + "\" is not supported (gelu only)");
    }
    std::string positions = "absolute";
    readJsonField(j, "position_embedding_type", positions, source);
    if (positions != "absolute") {
      throw Error(source + ": position_embedding_type \"" + positions + "\" is not supported");
    }
  } else {
    throw Error(source + ": model_type \"" + modelType +
                "\" is not supported (expected \"distilbert\" or \"bert\")");
  }
  readJsonField(j, "vocab_size", c.vocabSize, source);
  readJsonField(j, "max_position_embeddings", c.maxPositions, source);
  readJsonField(j, "pad_token_id", c.padTokenId, source);
  readJsonField(j, "initializer_range", c.initializerRange, source);

  // Labels: id2label wins; else num_labels; else Hugging Face's default of two.
  if (const auto it = j.find("id2label"); it != j.end() && it->is_object()) {
    c.id2label.clear();
    for (const auto& [key, value] : it->items()) {
      const std::optional<long long> parsed = parseInteger(key);
      if (!parsed || *parsed < INT_MIN || *parsed > INT_MAX) {
        throw Error(source + ": id2label key \"" + key + "\" is not an integer");
      }
      const int id = static_cast<int>(*parsed);
      if (!value.is_string()) throw Error(source + ": id2label[" + key + "] is not a string");
      c.id2label[id] = value.get<std::string>();
    }
    c.numLabels = static_cast<int>(c.id2label.size());
    for (int i = 0; i < c.numLabels; ++i) {
      if (!c.id2label.count(i)) {
        throw Error(source + ": id2label lacks id " + std::to_string(i) + " (ids must be 0..n-1)");
      }
    }
  } else if (j.contains("num_labels")) {
    readJsonField(j, "num_labels", c.numLabels, source);
    requireLabelCount(c.numLabels, source);
    c.id2label.clear();
    for (int i = 0; i < c.numLabels; ++i) c.id2label[i] = "LABEL_" + std::to_string(i);
  }
  c.validate(source);
  return c;
}

ModelConfig ModelConfig::fromFile(const std::string& path) {
  return fromJson(readJsonFile(path), path);
}

json ModelConfig::toJson() const {
  json j;
  json id2labelJson = json::object(), label2id = json::object();
  for (const auto& [id, label] : id2label) {
    id2labelJson[std::to_string(id)] = label;
    label2id[label] = id;
  }
  j["id2label"] = id2labelJson;
  j["label2id"] = label2id;
  j["vocab_size"] = vocabSize;
  j["max_position_embeddings"] = maxPositions;
  j["pad_token_id"] = padTokenId;
  j["initializer_range"] = initializerRange;
  j["torch_dtype"] = "float32";
  if (architecture == Architecture::DistilBert) {
    j["model_type"] = "distilbert";
    j["architectures"] = {"DistilBertForSequenceClassification"};
    j["activation"] = "gelu";
    j["dim"] = hidden;
    j["n_layers"] = layers;
    j["n_heads"] = heads;
    j["hidden_dim"] = intermediate;
    j["dropout"] = dropout;
    j["attention_dropout"] = attentionDropout;
    j["seq_classif_dropout"] = classifierDropout;
    j["qa_dropout"] = dropout;
    j["sinusoidal_pos_embds"] = sinusoidalPositions;
    j["tie_weights_"] = true;
  } else {
    j["model_type"] = "bert";
    j["architectures"] = {"BertForSequenceClassification"};
    j["hidden_act"] = "gelu";
    j["hidden_size"] = hidden;
    j["num_hidden_layers"] = layers;
    j["num_attention_heads"] = heads;
    j["intermediate_size"] = intermediate;
    j["hidden_dropout_prob"] = dropout;
    j["attention_probs_dropout_prob"] = attentionDropout;
    j["classifier_dropout"] = classifierDropout;
    j["type_vocab_size"] = typeVocabSize;
    j["layer_norm_eps"] = layerNormEps;
    j["position_embedding_type"] = "absolute";
  }
  return j;
}

ModelConfig ModelConfig::preset(const std::string& name, int vocab) {
  ModelConfig c;
  c.vocabSize = vocab;
  if (name == "distilbert-base") {
    // The defaults are distilbert-base-uncased: 768/3072, 12 heads, 6 layers.
  } else if (name == "small") {
    c.hidden = 256;
    c.intermediate = 1024;
    c.heads = 4;
    c.layers = 4;
  } else if (name == "tiny") {
    c.hidden = 128;
    c.intermediate = 512;
    c.heads = 2;
    c.layers = 2;
  } else {
    throw Error("unknown model preset \"" + name + "\" (choose one of: " + presetNames() + ")");
  }
  c.validate("preset " + name);
  return c;
}

std::string ModelConfig::presetNames() {
  return "distilbert-base, small, tiny";
}

}  // namespace crisp
