#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <functional>
#include <memory>
#include <vector>

#include "core/model/attention_policy.h"
#include "core/model/config.h"
#include "core/model/dam.h"

namespace crisp {

struct ForwardOptions {
  bool captureAttention = false;     // fill ClassifierOutput::attention (costs nothing when off)
  bool captureHiddenStates = false;  // fill ClassifierOutput::hiddenStates
};

struct ClassifierOutput {
  at::Tensor logits;                      // [B, numLabels]
  std::vector<LayerAttention> attention;  // one per layer when captured
  // When captured: the embeddings' output, then each layer's output, [B, T, hidden] each
  // (layers + 1 tensors, Hugging Face's output_hidden_states).
  std::vector<at::Tensor> hiddenStates;
  at::Tensor regularizer;  // DAM's lambda * mean(M) in training, else undefined
};

// A BERT-family sequence classifier. Module and parameter names are Hugging Face's, so
// named_parameters() are the checkpoint keys (e.g.
// "distilbert.transformer.layer.0.attention.q_lin.weight").
class SequenceClassifier : public torch::nn::Module {
 public:
  explicit SequenceClassifier(ModelConfig config) : config_(std::move(config)) {}

  // inputIds, attentionMask: int64 [B, T]; mask 1 for real tokens, 0 for padding.
  ClassifierOutput forward(const at::Tensor& inputIds, const at::Tensor& attentionMask,
                           const ForwardOptions& options = {});

  const ModelConfig& config() const { return config_; }
  const AttentionPolicySpec& policy() const { return policy_; }
  // The name the learnable DAM mask is registered under: its parameters are "crisp_dam.*",
  // trained with their own learning rate and never exported to Hugging Face.
  static constexpr const char* kDamModuleName = "crisp_dam";
  static bool isDamParameter(const std::string& name);

  // Validates and installs a policy; a DAM policy creates (or keeps, if compatible) the
  // learnable mask registered as kDamModuleName.
  void setPolicy(AttentionPolicySpec policy);
  // The DAM mask, or nullptr when the policy has none.
  std::shared_ptr<DamMask> dam() const { return dam_; }
  // Binarises the learned DAM mask into a fixed pattern (the policy becomes "...:frozen").
  void freezeDam();
  // Parameters under Hugging Face's names only (without our DAM logits): what export writes.
  std::vector<std::pair<std::string, at::Tensor>> huggingFaceParameters() const;

  // Hugging Face's initialisation: normal(0, initializer_range) weights, zero biases, the
  // padding embedding row zeroed, LayerNorm 1/0.
  void initializeWeights();

 protected:
  // The architecture's parts; forward() runs them with the policy applied in every layer.
  // Attend: multi-head attention of q ([B, Q, hidden], the first Q positions) over k, v
  // ([B, T, hidden]) with the policy, returning the context [B, Q, hidden]; dropout is the
  // architecture's attention-probability dropout.
  using Attend = std::function<at::Tensor(const at::Tensor& q, const at::Tensor& k,
                                          const at::Tensor& v, torch::nn::Dropout& dropout)>;
  virtual at::Tensor embed(const at::Tensor& inputIds) = 0;
  // One encoder layer: [B, T, hidden] -> [B, T, hidden], or [B, 1, hidden] (the [CLS] position
  // only) with onlyFirstToken, where keys and values still come from every position.
  virtual at::Tensor layer(int index, const at::Tensor& hidden, const Attend& attend,
                           bool onlyFirstToken) = 0;
  virtual at::Tensor classify(const at::Tensor& hidden) = 0;  // -> logits

  // Samples this forward pass's DAM masks (empty when there is no DAM).
  std::vector<at::Tensor> sampleDam(int64_t length, ClassifierOutput& out);
  at::Tensor damMaskForLayer(const std::vector<at::Tensor>& masks, int layer) const;

  ModelConfig config_;
  AttentionPolicySpec policy_;
  std::shared_ptr<DamMask> dam_;
};

// Builds the classifier for config.architecture, freshly initialised.
std::shared_ptr<SequenceClassifier> makeClassifier(const ModelConfig& config);

}  // namespace crisp
