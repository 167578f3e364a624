#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/classifier.h"
#include "core/text/wordpiece.h"

namespace crisp {

struct Prediction {
  std::vector<std::string> tokens;
  std::vector<ByteSpan> offsets;     // into the text, for highlighting
  std::vector<float> probabilities;  // per label
  int label = -1;
  std::string labelName;
  std::vector<float> clsAttention;  // last layer, mean over heads, [CLS] row (after policy)
  std::vector<float> rollout;       // attention rollout from [CLS] (Abnar & Zuidema 2020)
  double milliseconds = 0;
};

// Attention rollout: per layer 0.5 * mean over heads + 0.5 * I, rows renormalised, multiplied
// from the first layer up; returns [T, T]. layers: per layer [H, T, T].
at::Tensor attentionRollout(const std::vector<at::Tensor>& layers);

// Inference on a snapshot of a run's weights: its own model, loaded from a checkpoint, so it
// never touches the model being trained. predict() is thread-safe (serialised).
class Predictor {
 public:
  Predictor(std::shared_ptr<SequenceClassifier> model,
            std::shared_ptr<const WordPieceTokenizer> tokenizer, std::vector<std::string> labels,
            int maxLength);

  // The newest checkpoint of a run directory (throws crisp::Error if it has none).
  static std::shared_ptr<Predictor> fromRun(const std::string& runDirectory);

  Prediction predict(const std::string& text) const;
  const SequenceClassifier& model() const { return *model_; }

 private:
  std::shared_ptr<SequenceClassifier> model_;
  std::shared_ptr<const WordPieceTokenizer> tokenizer_;
  std::vector<std::string> labels_;
  int maxLength_;
  mutable std::mutex mutex_;
};

}  // namespace crisp
