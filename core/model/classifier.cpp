#include "core/model/classifier.h"
#include "core/sys/parse.h"
#include "core/sys/torch_compat.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/nn/init.h>

#include <cmath>

namespace crisp {
namespace {

namespace nn = torch::nn;

// Scaled dot-product attention with the policy; q, k, v are [B, T, hidden].
at::Tensor selfAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                         const at::Tensor& mask, int heads, const AttentionPolicySpec& policy,
                         int layer, int layers, nn::Dropout& dropout, bool training,
                         LayerAttention* capture, const at::Tensor& damMask) {
  const int64_t batch = q.size(0), queries = q.size(1), hidden = q.size(2);
  const int64_t headDim = hidden / heads;
  const auto shape = [&](const at::Tensor& x) {
    return x.view({batch, x.size(1), heads, headDim}).transpose(1, 2);  // [B, H, T, d]
  };
  const double root = std::sqrt(static_cast<double>(headDim));
  at::Tensor scores;
  if (q.scalar_type() == at::kFloat) {
    scores = at::matmul(shape(q) / root, shape(k).transpose(2, 3));
  } else {
    // Mixed precision (q, k in bfloat16): the scores, and so the policy's choice of keys
    // (top-k, ties) and the softmax, stay float32; this product is ~1% of a layer's work.
    torch_compat::AutocastPause float32(q.device().type());
    scores = at::matmul(shape(q).to(at::kFloat) / root, shape(k).to(at::kFloat).transpose(2, 3));
  }
  at::Tensor probs =
      attentionProbabilities(scores, mask, policy, layer, layers, training, capture, damMask);
  probs = dropout(probs);
  return at::matmul(probs, shape(v)).transpose(1, 2).contiguous().view({batch, queries, hidden});
}

// --- DistilBERT ---------------------------------------------------------------------------

// Word + position (+ token type for BERT) embeddings, LayerNorm, dropout: both architectures.
struct Embeddings : nn::Module {
  nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr},
      token_type_embeddings{nullptr};
  nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
  explicit Embeddings(const ModelConfig& c) {
    word_embeddings = register_module(
        "word_embeddings",
        nn::Embedding(nn::EmbeddingOptions(c.vocabSize, c.hidden).padding_idx(c.padTokenId)));
    position_embeddings =
        register_module("position_embeddings", nn::Embedding(c.maxPositions, c.hidden));
    if (c.architecture == Architecture::Bert) {
      token_type_embeddings =
          register_module("token_type_embeddings", nn::Embedding(c.typeVocabSize, c.hidden));
    }
    LayerNorm = register_module(
        "LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden}).eps(c.layerNormEps)));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
  }
  at::Tensor forward(const at::Tensor& ids) {
    const at::Tensor positions = at::arange(ids.size(1), ids.options()).unsqueeze(0);
    at::Tensor x = word_embeddings(ids) + position_embeddings(positions);
    // Single-sentence inputs: every token is in segment 0.
    if (token_type_embeddings) x = x + token_type_embeddings(at::zeros_like(ids));
    return dropout(LayerNorm(x));
  }
};

struct DistilAttention : nn::Module {
  nn::Linear q_lin{nullptr}, k_lin{nullptr}, v_lin{nullptr}, out_lin{nullptr};
  nn::Dropout dropout{nullptr};
  explicit DistilAttention(const ModelConfig& c) {
    q_lin = register_module("q_lin", nn::Linear(c.hidden, c.hidden));
    k_lin = register_module("k_lin", nn::Linear(c.hidden, c.hidden));
    v_lin = register_module("v_lin", nn::Linear(c.hidden, c.hidden));
    out_lin = register_module("out_lin", nn::Linear(c.hidden, c.hidden));
    dropout = register_module("dropout", nn::Dropout(c.attentionDropout));
  }
};

struct DistilFfn : nn::Module {
  nn::Linear lin1{nullptr}, lin2{nullptr};
  nn::Dropout dropout{nullptr};
  explicit DistilFfn(const ModelConfig& c) {
    lin1 = register_module("lin1", nn::Linear(c.hidden, c.intermediate));
    lin2 = register_module("lin2", nn::Linear(c.intermediate, c.hidden));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
  }
  at::Tensor forward(const at::Tensor& x) { return dropout(lin2(at::gelu(lin1(x)))); }
};

struct DistilBlock : nn::Module {
  std::shared_ptr<DistilAttention> attention;
  nn::LayerNorm sa_layer_norm{nullptr}, output_layer_norm{nullptr};
  std::shared_ptr<DistilFfn> ffn;
  explicit DistilBlock(const ModelConfig& c) {
    const auto norm = nn::LayerNormOptions({c.hidden}).eps(c.layerNormEps);
    attention = register_module("attention", std::make_shared<DistilAttention>(c));
    sa_layer_norm = register_module("sa_layer_norm", nn::LayerNorm(norm));
    ffn = register_module("ffn", std::make_shared<DistilFfn>(c));
    output_layer_norm = register_module("output_layer_norm", nn::LayerNorm(norm));
  }
};

struct DistilTransformer : nn::Module {
  nn::ModuleList layer;
  explicit DistilTransformer(const ModelConfig& c) {
    for (int i = 0; i < c.layers; ++i) layer->push_back(std::make_shared<DistilBlock>(c));
    register_module("layer", layer);
  }
};

struct DistilBertModel : nn::Module {
  std::shared_ptr<Embeddings> embeddings;
  std::shared_ptr<DistilTransformer> transformer;
  explicit DistilBertModel(const ModelConfig& c) {
    embeddings = register_module("embeddings", std::make_shared<Embeddings>(c));
    transformer = register_module("transformer", std::make_shared<DistilTransformer>(c));
  }
};

class DistilBertClassifier : public SequenceClassifier {
 public:
  explicit DistilBertClassifier(const ModelConfig& c) : SequenceClassifier(c) {
    distilbert = register_module("distilbert", std::make_shared<DistilBertModel>(c));
    pre_classifier = register_module("pre_classifier", nn::Linear(c.hidden, c.hidden));
    classifier = register_module("classifier", nn::Linear(c.hidden, c.numLabels));
    dropout = register_module("dropout", nn::Dropout(c.classifierDropout));
  }

  at::Tensor embed(const at::Tensor& ids) override { return distilbert->embeddings->forward(ids); }

  at::Tensor layer(int index, const at::Tensor& x, const Attend& attend,
                   bool onlyFirstToken) override {
    auto& block = *distilbert->transformer->layer->ptr<DistilBlock>(index);
    auto& a = *block.attention;
    const at::Tensor rows = onlyFirstToken ? x.narrow(1, 0, 1) : x;
    const at::Tensor context = attend(a.q_lin(rows), a.k_lin(x), a.v_lin(x), a.dropout);
    const at::Tensor h = block.sa_layer_norm(a.out_lin(context) + rows);
    return block.output_layer_norm(block.ffn->forward(h) + h);
  }

  at::Tensor classify(const at::Tensor& x) override {
    return classifier(dropout(at::relu(pre_classifier(x.select(1, 0)))));
  }

 private:
  std::shared_ptr<DistilBertModel> distilbert;
  nn::Linear pre_classifier{nullptr}, classifier{nullptr};
  nn::Dropout dropout{nullptr};
};

// --- BERT ---------------------------------------------------------------------------------

// dense -> dropout -> LayerNorm(x + residual): BERT's "output" sub-blocks.
struct BertResidualOutput : nn::Module {
  nn::Linear dense{nullptr};
  nn::LayerNorm LayerNorm{nullptr};
  nn::Dropout dropout{nullptr};
  BertResidualOutput(const ModelConfig& c, int in) {
    dense = register_module("dense", nn::Linear(in, c.hidden));
    LayerNorm = register_module(
        "LayerNorm", nn::LayerNorm(nn::LayerNormOptions({c.hidden}).eps(c.layerNormEps)));
    dropout = register_module("dropout", nn::Dropout(c.dropout));
  }
  at::Tensor forward(const at::Tensor& x, const at::Tensor& residual) {
    return LayerNorm(dropout(dense(x)) + residual);
  }
};

struct BertSelf : nn::Module {
  nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  nn::Dropout dropout{nullptr};
  explicit BertSelf(const ModelConfig& c) {
    query = register_module("query", nn::Linear(c.hidden, c.hidden));
    key = register_module("key", nn::Linear(c.hidden, c.hidden));
    value = register_module("value", nn::Linear(c.hidden, c.hidden));
    dropout = register_module("dropout", nn::Dropout(c.attentionDropout));
  }
};

struct BertAttention : nn::Module {
  std::shared_ptr<BertSelf> self;
  std::shared_ptr<BertResidualOutput> output;
  explicit BertAttention(const ModelConfig& c) {
    self = register_module("self", std::make_shared<BertSelf>(c));
    output = register_module("output", std::make_shared<BertResidualOutput>(c, c.hidden));
  }
};

struct BertIntermediate : nn::Module {
  nn::Linear dense{nullptr};
  explicit BertIntermediate(const ModelConfig& c) {
    dense = register_module("dense", nn::Linear(c.hidden, c.intermediate));
  }
};

struct BertLayer : nn::Module {
  std::shared_ptr<BertAttention> attention;
  std::shared_ptr<BertIntermediate> intermediate;
  std::shared_ptr<BertResidualOutput> output;
  explicit BertLayer(const ModelConfig& c) {
    attention = register_module("attention", std::make_shared<BertAttention>(c));
    intermediate = register_module("intermediate", std::make_shared<BertIntermediate>(c));
    output = register_module("output", std::make_shared<BertResidualOutput>(c, c.intermediate));
  }
};

struct BertEncoder : nn::Module {
  nn::ModuleList layer;
  explicit BertEncoder(const ModelConfig& c) {
    for (int i = 0; i < c.layers; ++i) layer->push_back(std::make_shared<BertLayer>(c));
    register_module("layer", layer);
  }
};

struct BertPooler : nn::Module {
  nn::Linear dense{nullptr};
  explicit BertPooler(const ModelConfig& c) {
    dense = register_module("dense", nn::Linear(c.hidden, c.hidden));
  }
};

struct BertModel : nn::Module {
  std::shared_ptr<Embeddings> embeddings;
  std::shared_ptr<BertEncoder> encoder;
  std::shared_ptr<BertPooler> pooler;
  explicit BertModel(const ModelConfig& c) {
    embeddings = register_module("embeddings", std::make_shared<Embeddings>(c));
    encoder = register_module("encoder", std::make_shared<BertEncoder>(c));
    pooler = register_module("pooler", std::make_shared<BertPooler>(c));
  }
};

class BertClassifier : public SequenceClassifier {
 public:
  explicit BertClassifier(const ModelConfig& c) : SequenceClassifier(c) {
    bert = register_module("bert", std::make_shared<BertModel>(c));
    classifier = register_module("classifier", nn::Linear(c.hidden, c.numLabels));
    dropout = register_module("dropout", nn::Dropout(c.classifierDropout));
  }

  at::Tensor embed(const at::Tensor& ids) override { return bert->embeddings->forward(ids); }

  at::Tensor layer(int index, const at::Tensor& x, const Attend& attend,
                   bool onlyFirstToken) override {
    auto& block = *bert->encoder->layer->ptr<BertLayer>(index);
    auto& s = *block.attention->self;
    const at::Tensor rows = onlyFirstToken ? x.narrow(1, 0, 1) : x;
    const at::Tensor context = attend(s.query(rows), s.key(x), s.value(x), s.dropout);
    const at::Tensor h = block.attention->output->forward(context, rows);
    return block.output->forward(at::gelu(block.intermediate->dense(h)), h);
  }

  at::Tensor classify(const at::Tensor& x) override {
    return classifier(dropout(at::tanh(bert->pooler->dense(x.select(1, 0)))));
  }

 private:
  std::shared_ptr<BertModel> bert;
  nn::Linear classifier{nullptr};
  nn::Dropout dropout{nullptr};
};

}  // namespace

ClassifierOutput SequenceClassifier::forward(const at::Tensor& ids, const at::Tensor& mask,
                                             const ForwardOptions& options) {
  ClassifierOutput out;
  if (options.captureAttention) out.attention.resize(config_.layers);
  const std::vector<at::Tensor> dam = sampleDam(ids.size(1), out);
  at::Tensor x = embed(ids);
  if (options.captureHiddenStates) out.hiddenStates.push_back(x);
  // The classifier reads only the [CLS] position of the last layer's output, so unless every
  // position is asked for, that layer computes the [CLS] row alone: its queries, output
  // projection and feed-forward on one token (about 1/7 of a 6-layer encoder's work; the same
  // logits and gradients, rounded through smaller products).
  const bool everyPosition = options.captureAttention || options.captureHiddenStates;
  for (int i = 0; i < config_.layers; ++i) {
    const Attend attend = [&](const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              nn::Dropout& dropout) {
      return selfAttention(q, k, v, mask, config_.heads, policy_, i, config_.layers, dropout,
                           is_training(), options.captureAttention ? &out.attention[i] : nullptr,
                           damMaskForLayer(dam, i));
    };
    x = layer(i, x, attend, !everyPosition && i == config_.layers - 1);
    if (options.captureHiddenStates) out.hiddenStates.push_back(x);
  }
  out.logits = classify(x);
  return out;
}

void SequenceClassifier::setPolicy(AttentionPolicySpec policy) {
  policy.validate(config_.layers, config_.maxPositions);
  const DamSpec dam = policy.dam();
  if (!dam.enabled) {
    if (dam_) unregister_module(kDamModuleName);
    dam_.reset();
  } else if (dam_ && dam_->matches(dam, config_.layers, config_.heads, config_.maxPositions)) {
    dam_->setSpec(dam);
    dam_->logits.set_requires_grad(!dam.frozen);
  } else {
    if (dam_) unregister_module(kDamModuleName);
    dam_ = register_module(
        kDamModuleName,
        std::make_shared<DamMask>(dam, config_.layers, config_.heads, config_.maxPositions));
  }
  policy_ = std::move(policy);
}

bool SequenceClassifier::isDamParameter(const std::string& name) {
  return startsWith(name, std::string(kDamModuleName) + ".");
}

void SequenceClassifier::freezeDam() {
  if (!dam_) return;
  dam_->freeze();
  policy_.freezeDam();
}

std::vector<std::pair<std::string, at::Tensor>> SequenceClassifier::huggingFaceParameters() const {
  std::vector<std::pair<std::string, at::Tensor>> params;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    if (!isDamParameter(item.key())) params.emplace_back(item.key(), item.value());
  }
  return params;
}

std::vector<at::Tensor> SequenceClassifier::sampleDam(int64_t length, ClassifierOutput& out) {
  if (!dam_) return {};
  const bool prune = is_training() || policy_.appliesInEvaluation();
  if (!prune) return {};
  std::vector<at::Tensor> masks = dam_->sample(length, is_training());
  const DamSpec& dam = dam_->spec();
  if (is_training() && !dam.frozen && dam.lambda > 0) {
    at::Tensor total = at::zeros({}, masks[0].options());
    for (const at::Tensor& m : masks) total = total + m.mean();
    out.regularizer = total * (dam.lambda / static_cast<double>(masks.size()));
  }
  return masks;
}

at::Tensor SequenceClassifier::damMaskForLayer(const std::vector<at::Tensor>& masks,
                                               int layer) const {
  return masks.empty() ? at::Tensor() : dam_->maskForLayer(masks, layer);
}

void SequenceClassifier::initializeWeights() {
  at::NoGradGuard noGrad;
  const double std = config_.initializerRange;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      linear->weight.normal_(0.0, std);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = module->as<nn::Embedding>()) {
      embedding->weight.normal_(0.0, std);
      if (const auto& pad = embedding->options.padding_idx()) embedding->weight[*pad].zero_();
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

std::shared_ptr<SequenceClassifier> makeClassifier(const ModelConfig& config) {
  config.validate();
  std::shared_ptr<SequenceClassifier> model;
  if (config.architecture == Architecture::Bert) {
    model = std::make_shared<BertClassifier>(config);
  } else {
    model = std::make_shared<DistilBertClassifier>(config);
  }
  model->initializeWeights();
  return model;
}

}  // namespace crisp
