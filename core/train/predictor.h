#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/classifier.h"
#include "core/text/tokenizer.h"

namespace crisp {

struct ModelReference;

struct Prediction {
  std::vector<std::string> tokens;
  std::vector<int32_t> ids;
  std::vector<ByteSpan> offsets;     // into the text, for highlighting
  std::vector<float> logits;         // per label
  std::vector<float> probabilities;  // per label
  int label = -1;
  std::string labelName;
  std::vector<std::string> labelNames;  // of each probability
  std::vector<float> clsAttention;      // last layer, mean over heads, [CLS] row (after policy)
  std::vector<float> rollout;           // attention rollout from [CLS] (Abnar & Zuidema 2020)
  double milliseconds = 0;
  // Every layer's maps for the studio's attention view, [layer][head][query][key] row-major:
  // dense softmax (before), after the policy, and DAM's keep probabilities (empty without DAM).
  int layers = 0, heads = 0;
  std::vector<float> before, after, damKeep;
  std::vector<uint8_t> keep;  // the policy's keep mask (1 = key kept), same layout
  size_t fullLength = 0;      // tokens before truncation to the model's maximum length
  bool truncated = false;     // the text was longer than that maximum
};

// Attention rollout: per layer 0.5 * mean over heads + 0.5 * I, rows renormalised, multiplied
// from the first layer up; returns [T, T]. layers: per layer [H, T, T].
at::Tensor attentionRollout(const std::vector<at::Tensor>& layers);

// The learned DAM mask as the studio shows it: per layer sigma(alpha) [H, T, T] for the first T
// positions; empty when the model's policy has no DAM.
std::vector<at::Tensor> damKeepProbabilities(const SequenceClassifier& model, int64_t length);

// Inference on a snapshot of a run's weights: its own model, loaded from a checkpoint, so it
// never touches the model being trained. predict() is thread-safe (serialised).
class Predictor {
 public:
  Predictor(std::shared_ptr<SequenceClassifier> model, std::shared_ptr<const Tokenizer> tokenizer,
            std::vector<std::string> labels, int maxLength);

  // The newest checkpoint of a run directory (throws crisp::Error if it has none).
  static std::shared_ptr<Predictor> fromRun(const std::string& runDirectory);
  // A loaded run checkpoint or Hugging Face directory (model_reference.h).
  static std::shared_ptr<Predictor> fromReference(const ModelReference& reference);

  // Invalid UTF-8 bytes are dropped (typing never fails); callers that must refuse them check
  // first.
  Prediction predict(const std::string& text) const;
  const std::vector<std::string>& labels() const { return labels_; }
  int maxLength() const { return maxLength_; }
  const SequenceClassifier& model() const { return *model_; }
  // The step of the run checkpoint actually loaded; -1 for a Hugging Face directory.
  int64_t checkpointStep() const { return checkpointStep_; }

 private:
  std::shared_ptr<SequenceClassifier> model_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  std::vector<std::string> labels_;
  int maxLength_;
  int64_t checkpointStep_ = -1;
  mutable std::mutex mutex_;
};

}  // namespace crisp
