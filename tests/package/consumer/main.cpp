// Uses the installed core as a library: the demo tokenizer, a tiny classifier under a crisp
// policy, and a forward pass. Prints the policy, the ids and the logits' shape.
#include <ATen/ATen.h>

#include <iostream>

#include "core/model/attention_policy.h"
#include "core/model/classifier.h"
#include "core/train/experiment.h"

int main() {
  const auto tokenizer = crisp::demoTokenizer();
  const crisp::TokenEncoding encoding = tokenizer->encode("the film was not good .");
  auto model = crisp::makeClassifier(
      crisp::ModelConfig::preset("tiny", static_cast<int>(tokenizer->vocabSize())));
  model->setPolicy(crisp::AttentionPolicySpec::parse("nodiag+crisp:0.5"));
  model->eval();
  std::vector<int64_t> ids(encoding.ids.begin(), encoding.ids.end());
  const at::Tensor input = at::tensor(ids, at::kLong).view({1, static_cast<int64_t>(ids.size())});
  at::NoGradGuard noGrad;
  const at::Tensor logits = model->forward(input, at::ones_like(input)).logits;
  std::cout << "policy " << model->policy().toString() << "\nids";
  for (const int32_t id : encoding.ids) std::cout << " " << id;
  std::cout << "\nlogits " << logits.size(0) << "x" << logits.size(1) << "\n";
  return 0;
}
