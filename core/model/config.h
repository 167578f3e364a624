#pragma once

#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace crisp {

enum class Architecture { DistilBert, Bert };

// A BERT-family encoder and its classification head, as Hugging Face's config.json describes
// it. Field names are ours; fromJson/toJson map the architecture's own key names.
struct ModelConfig {
  Architecture architecture = Architecture::DistilBert;
  int vocabSize = 30522;
  int hidden = 768;         // DistilBERT `dim`, BERT `hidden_size`
  int layers = 6;           // `n_layers` / `num_hidden_layers`
  int heads = 12;           // `n_heads` / `num_attention_heads`
  int intermediate = 3072;  // `hidden_dim` / `intermediate_size`
  int maxPositions = 512;
  int typeVocabSize = 2;  // BERT only
  int padTokenId = 0;
  double layerNormEps = 1e-12;
  double dropout = 0.1;            // `dropout` / `hidden_dropout_prob`
  double attentionDropout = 0.1;   // `attention_dropout` / `attention_probs_dropout_prob`
  double classifierDropout = 0.2;  // `seq_classif_dropout` / `classifier_dropout` (else dropout)
  double initializerRange = 0.02;
  bool sinusoidalPositions = false;  // DistilBERT `sinusoidal_pos_embds`
  int numLabels = 2;
  std::map<int, std::string> id2label = {{0, "NEGATIVE"}, {1, "POSITIVE"}};

  int headDim() const { return hidden / heads; }
  // Weights and biases of the classifier these sizes describe (in double: a file's sizes may
  // describe more than any integer type holds).
  double parameterCount() const;
  // Throws crisp::Error naming the offending field (and `source`, e.g. the file) when the
  // values cannot describe a model.
  void validate(const std::string& source = "model config") const;

  static ModelConfig fromJson(const nlohmann::json& json, const std::string& source);
  static ModelConfig fromFile(const std::string& path);
  // Hugging Face's layout for this architecture, with `architectures`, id2label and label2id.
  nlohmann::json toJson() const;

  // Built-in presets for training from scratch: distilbert-base, small, tiny.
  static ModelConfig preset(const std::string& name, int vocabSize);
  static std::string presetNames();  // "distilbert-base, small, tiny"
};

std::string architectureName(Architecture architecture);  // "distilbert" | "bert"

}  // namespace crisp
