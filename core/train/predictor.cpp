#include "core/train/predictor.h"

#include <ATen/ATen.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/hf_checkpoint.h"
#include "core/io/safetensors.h"
#include "core/sys/error.h"
#include "core/train/experiment.h"
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

Predictor::Predictor(std::shared_ptr<SequenceClassifier> model,
                     std::shared_ptr<const WordPieceTokenizer> tokenizer,
                     std::vector<std::string> labels, int maxLength)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      labels_(std::move(labels)),
      maxLength_(maxLength) {
  model_->eval();
}

std::shared_ptr<Predictor> Predictor::fromRun(const std::string& runDirectory) {
  RunDirectory run(runDirectory);
  const nlohmann::json config = run.readConfig();
  const std::vector<int64_t> steps = run.checkpointSteps();
  if (steps.empty()) throw Error(runDirectory + ": no checkpoint yet");
  const ExperimentConfig experiment = ExperimentConfig::fromJson(config.at("experiment"));
  const ModelConfig modelConfig =
      ModelConfig::fromJson(config.at("model_config"), runDirectory + "/config.json");
  auto model = makeClassifier(modelConfig);
  model->setPolicy(AttentionPolicySpec::parse(config.at("policy").get<std::string>()));
  const std::string weights = run.checkpointPath(steps.back()) + "/model.safetensors";
  const LoadReport report = loadStateDict(*model, readSafeTensors(weights).tensors, weights);
  if (!report.missing.empty()) throw Error(weights + ": " + report.describe("the model"));
  return std::make_shared<Predictor>(model, loadTokenizer(experiment),
                                     config.at("label_names").get<std::vector<std::string>>(),
                                     experiment.maxLength);
}

Prediction Predictor::predict(const std::string& text) const {
  const auto start = std::chrono::steady_clock::now();
  Prediction p;
  WordPieceEncodeOptions options;
  options.maxLength = static_cast<size_t>(maxLength_);
  options.invalidUtf8 = InvalidUtf8::kSkip;  // typing never fails; bad bytes are dropped
  const WordPieceEncoding encoding = tokenizer_->encode(text, options);
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
  const at::Tensor probs = at::softmax(out.logits[0], -1).contiguous();
  p.probabilities.assign(probs.data_ptr<float>(), probs.data_ptr<float>() + probs.numel());
  p.label = static_cast<int>(probs.argmax().item<int64_t>());
  p.labelName =
      p.label < static_cast<int>(labels_.size()) ? labels_[p.label] : std::to_string(p.label);
  const at::Tensor cls = out.attention.back().after[0].mean(0)[0].contiguous();
  p.clsAttention.assign(cls.data_ptr<float>(), cls.data_ptr<float>() + cls.numel());
  std::vector<at::Tensor> layers;
  for (const LayerAttention& layer : out.attention) layers.push_back(layer.after[0]);
  const at::Tensor rollout = attentionRollout(layers)[0].contiguous();
  p.rollout.assign(rollout.data_ptr<float>(), rollout.data_ptr<float>() + rollout.numel());
  p.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return p;
}

}  // namespace crisp
