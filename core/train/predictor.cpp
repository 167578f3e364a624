#include "core/train/predictor.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/safetensors.h"
#include "core/model/hf_checkpoint.h"
#include "core/sys/error.h"
#include "core/train/experiment.h"
#include "core/train/model_reference.h"
#include "core/train/run_directory.h"

namespace crisp {

at::Tensor attentionRollout(const std::vector<at::Tensor>& layers) {
  if (layers.empty()) return {};
  const int64_t length = layers[0].size(-1);
  const at::Tensor identity = at::eye(length, layers[0].options());
  at::Tensor rollout = identity;
  for (const at::Tensor& layer : layers) {
    at::Tensor a = 0.5 * layer.mean(0) + 0.5 * identity;
    a = a / a.sum(-1, true);
    rollout = at::matmul(a, rollout);
  }
  return rollout;
}

std::vector<at::Tensor> damKeepProbabilities(const SequenceClassifier& model, int64_t length) {
  std::vector<at::Tensor> out;
  if (!model.dam()) return out;
  const at::Tensor keep = model.dam()->keepProbabilities();  // [groups, H, L, L]
  const int64_t shown = std::min(length, keep.size(-1));
  for (int l = 0; l < model.config().layers; ++l) {
    const int64_t group = keep.size(0) == 1 ? 0 : l;  // shared by all layers, or one per layer
    out.push_back(keep[group].slice(1, 0, shown).slice(2, 0, shown).contiguous());
  }
  return out;
}

Predictor::Predictor(std::shared_ptr<SequenceClassifier> model,
                     std::shared_ptr<const Tokenizer> tokenizer, std::vector<std::string> labels,
                     int maxLength)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      labels_(std::move(labels)),
      maxLength_(maxLength) {
  model_->eval();
}

std::shared_ptr<Predictor> Predictor::fromRun(const std::string& runDirectory) {
  return fromReference(
      loadModelReference(runDirectory, CheckpointChoice{CheckpointChoice::Kind::Last}));
}

std::shared_ptr<Predictor> Predictor::fromReference(const ModelReference& reference) {
  auto predictor = std::make_shared<Predictor>(reference.model, reference.tokenizer,
                                               reference.labelNames, reference.maxLength);
  predictor->checkpointStep_ = reference.step;
  return predictor;
}

Prediction Predictor::predict(const std::string& text) const {
  const auto start = std::chrono::steady_clock::now();
  Prediction p;
  TokenizerEncodeOptions options;
  options.maxLength = static_cast<size_t>(maxLength_);
  options.invalidUtf8 = InvalidUtf8::kSkip;  // typing never fails; bad bytes are dropped
  TokenEncoding encoding = tokenizer_->encode(text, options);
  if (encoding.ids.size() >= options.maxLength) {
    // Only a text that reached the limit can have been cut: count its full length once.
    TokenizerEncodeOptions whole = options;
    whole.maxLength = 0;
    p.fullLength = tokenizer_->encode(text, whole).ids.size();
  } else {
    p.fullLength = encoding.ids.size();
  }
  p.truncated = p.fullLength > encoding.ids.size();
  p.ids = encoding.ids;
  p.tokens = encoding.tokens;
  p.offsets = encoding.offsets;
  std::vector<int64_t> ids(encoding.ids.begin(), encoding.ids.end());
  const at::Tensor input = at::tensor(ids, at::kLong).view({1, static_cast<int64_t>(ids.size())});
  ForwardOptions capture;
  capture.captureAttention = true;
  ClassifierOutput out;
  {
    std::lock_guard lock(mutex_);
    at::NoGradGuard noGrad;
    out = model_->forward(input, at::ones_like(input), capture);
  }
  const at::Tensor logits = out.logits[0].contiguous();
  p.logits.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
  const at::Tensor probs = at::softmax(logits, -1).contiguous();
  p.probabilities.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  p.label = static_cast<int>(probs.argmax().item<int64_t>());
  p.labelNames = labels_;
  p.labelName =
      p.label < static_cast<int>(labels_.size()) ? labels_[p.label] : std::to_string(p.label);
  const at::Tensor cls = out.attention.back().after[0].mean(0)[0].contiguous();
  p.clsAttention.assign(cls.data_ptr<float>(), cls.data_ptr<float>() + cls.numel());
  std::vector<at::Tensor> layers;
  for (const LayerAttention& layer : out.attention) layers.push_back(layer.after[0]);
  const at::Tensor rollout = attentionRollout(layers)[0].contiguous();
  p.rollout.assign(rollout.data_ptr<float>(), rollout.data_ptr<float>() + rollout.numel());
  const auto append = [](std::vector<float>& to, const at::Tensor& t) {
    const at::Tensor c = t.to(at::kFloat).contiguous();
    to.insert(to.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  p.layers = static_cast<int>(out.attention.size());
  p.heads = p.layers > 0 ? static_cast<int>(out.attention[0].after.size(1)) : 0;
  for (const LayerAttention& layer : out.attention) {
    append(p.before, layer.before[0]);
    append(p.after, layer.after[0]);
    const at::Tensor keep = layer.keep[0].to(at::kByte).contiguous();
    p.keep.insert(p.keep.end(), keep.data_ptr<uint8_t>(), keep.data_ptr<uint8_t>() + keep.numel());
  }
  const int64_t length = static_cast<int64_t>(ids.size());
  for (const at::Tensor& keep : damKeepProbabilities(*model_, length)) {
    if (keep.size(-1) == length) append(p.damKeep, keep);
  }
  p.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return p;
}

}  // namespace crisp
