"""Crisp Studio's sparse attention for Hugging Face transformers (remote code).

`crisp export` writes this file beside a model trained with a sparse attention policy and names
it in config.json's auto_map, so that

    AutoModelForSequenceClassification.from_pretrained(directory, trust_remote_code=True)

computes the attention crisp computed: its logits equal `crisp forward` on the same ids. Without
trust_remote_code, transformers builds its own dense model from the same weights.

The encoders below are DistilBERT and BERT as transformers defines them, with the same parameter
names (the weights load unchanged); only the step from scores to probabilities differs. What it
applies is config.crisp_attention, written by crisp from its policy:
- "masks": fixed patterns over (query, key) positions, e.g. {"term": "window", "W": 3};
- "selection": crisp's top-k, keeping k = max(1, ceil((1 - s) n)) of the n keys still allowed
  (ties kept), with one sparsity s per layer; or top-p, the fewest keys holding a mass P;
- "dam": SparseBERT's learned mask, M = [alpha > 0] from the crisp_dam.logits weights;
- "in_evaluation": false for train-only policies (dense outside training).
Padding comes first; a query row left with no key keeps its best-scoring real key. A learned
mask is applied as in evaluation in training mode too (no Gumbel sampling here).
"""

import math

import torch
from torch import nn
from transformers import BertConfig, DistilBertConfig, PreTrainedModel
from transformers.activations import ACT2FN
from transformers.modeling_outputs import SequenceClassifierOutput

# The slack in crisp's ceil: (1 - s) n that is a whole number up to rounding is not raised.
_CEIL_SLACK = 1e-9


def _mask_window(t, q, k, d):
    return d <= t["W"]


def _mask_strided(t, q, k, d):
    return (d < t["L"]) | (d % t["L"] == 0)


def _mask_fixed(t, q, k, d):
    return (torch.div(q, t["L"], rounding_mode="floor") == torch.div(k, t["L"], rounding_mode="floor")) | (
        k % t["L"] == t["L"] - 1)


def _mask_longformer(t, q, k, d):
    return (d <= t["W"]) | (q < t["G"]) | (k < t["G"])


def _mask_block(t, q, k, d):
    return torch.div(q, t["B"], rounding_mode="floor") == torch.div(k, t["B"], rounding_mode="floor")


# Allowed (query, key) pairs per pattern term: q [T, 1], k [1, T], d = |q - k|.
MASKS = {
    "nodiag": lambda t, q, k, d: d != 0,
    "window": _mask_window,
    "strided": _mask_strided,
    "fixed": _mask_fixed,
    "longformer": _mask_longformer,
    "star": lambda t, q, k, d: (d <= 1) | (q < 1) | (k < 1),
    "logsparse": lambda t, q, k, d: ((d & (d - 1)) == 0) | (d == 0),
    "block": _mask_block,
}


class CrispAttentionPolicy(nn.Module):
    """Scores [B, H, T, T] and the key padding mask [B, T] -> attention probabilities."""

    def __init__(self, config):
        super().__init__()
        self.spec = dict(getattr(config, "crisp_attention", None) or {})
        for term in self.spec.get("masks", []):
            if term["term"] not in MASKS:
                raise ValueError(f"crisp_attention: unknown mask term {term['term']!r}")
    def _dam_mask(self, dam_logits, layer, length, device):
        dam = self.spec["dam"]
        if length > dam["length"]:
            raise ValueError(f"the learned attention mask covers {dam['length']} positions but "
                             f"the input has {length} tokens")
        alpha = dam_logits[0 if dam["shared"] else layer]
        if dam["structured"]:
            positions = torch.arange(length, device=device)
            alpha = alpha[:, (positions.unsqueeze(1) - positions.unsqueeze(0)).abs()]
        else:
            alpha = alpha[:, :length, :length]
        return alpha > 0  # [H, T, T]

    def forward(self, scores, key_mask, layer, dam_logits=None):
        real = key_mask.bool()[:, None, None, :]  # [B, 1, 1, T]
        applies = self.spec and (self.training or self.spec.get("in_evaluation", True))
        if not applies:
            return torch.softmax(scores.masked_fill(~real, -math.inf), dim=-1)
        with torch.no_grad():
            t = scores.shape[-1]
            q = torch.arange(t, device=scores.device).unsqueeze(1)
            k = torch.arange(t, device=scores.device).unsqueeze(0)
            d = (q - k).abs()
            allowed = real
            for term in self.spec.get("masks", []):
                allowed = allowed & MASKS[term["term"]](term, q, k, d)
            if self.spec.get("dam"):
                allowed = allowed & self._dam_mask(dam_logits, layer, t, scores.device)
            allowed = allowed.expand(scores.shape)
            detached = scores.detach()
            empty = allowed.sum(-1, keepdim=True) == 0
            best = detached.masked_fill(~real, -math.inf).argmax(-1, keepdim=True)
            rescue = torch.zeros_like(allowed).scatter_(-1, best, True)
            allowed = allowed | (rescue & empty)
            keep = allowed
            masked = detached.masked_fill(~allowed, -math.inf)
            n = allowed.sum(-1)
            selection = self.spec.get("selection")
            if selection and selection["kind"] == "top_k":
                s = selection["sparsity"][layer]
                count = torch.ceil(n.double() * (1.0 - s) - _CEIL_SLACK).long().clamp_min(1)
                keep = _keep_top_k(masked, count) & allowed
            elif selection and selection["kind"] == "top_p":
                probs = torch.softmax(masked, dim=-1)
                ranked = probs.sort(dim=-1, descending=True).values
                ahead = ranked.cumsum(-1) - ranked  # mass ahead of each key
                count = (ahead < selection["mass"]).sum(-1).clamp_min(1).minimum(n)
                keep = _keep_top_k(masked, count) & allowed
        return torch.softmax(scores.masked_fill(~keep, -math.inf), dim=-1)


class _DamLogits(nn.Module):
    """The learned mask's logits alpha, named as crisp names them (crisp_dam.logits)."""

    def __init__(self, config, heads):
        super().__init__()
        dam = config.crisp_attention["dam"]
        shape = [dam["groups"], heads, dam["length"]]
        if not dam["structured"]:
            shape.append(dam["length"])
        self.logits = nn.Parameter(torch.zeros(shape))


def _keep_top_k(masked, count):
    """Per row, the keys scoring at least the count-th largest masked score (ties kept)."""
    kmax = max(1, int(count.max()))
    top = masked.topk(min(kmax, masked.shape[-1]), dim=-1).values
    threshold = top.gather(-1, (count - 1).clamp_min(0).unsqueeze(-1))
    return masked >= threshold


def _heads_view(x, heads):
    b, t, width = x.shape
    return x.view(b, t, heads, width // heads).transpose(1, 2)


def _merge_heads(x):
    b, h, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d)


# ---- DistilBERT -----------------------------------------------------------------------------

class _DistilEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.dim, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.dim)
        self.LayerNorm = nn.LayerNorm(config.dim, eps=1e-12)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        return self.dropout(self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(positions)))


class _DistilAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.heads = config.n_heads
        self.q_lin = nn.Linear(config.dim, config.dim)
        self.k_lin = nn.Linear(config.dim, config.dim)
        self.v_lin = nn.Linear(config.dim, config.dim)
        self.out_lin = nn.Linear(config.dim, config.dim)
        self.dropout = nn.Dropout(config.attention_dropout)

    def forward(self, x, key_mask, policy, layer):
        q = _heads_view(self.q_lin(x), self.heads)
        k = _heads_view(self.k_lin(x), self.heads)
        v = _heads_view(self.v_lin(x), self.heads)
        scores = (q / math.sqrt(q.shape[-1])) @ k.transpose(-1, -2)
        probs = policy(scores, key_mask, layer)
        return self.out_lin(_merge_heads(self.dropout(probs) @ v)), probs


class _DistilFfn(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.lin1 = nn.Linear(config.dim, config.hidden_dim)
        self.lin2 = nn.Linear(config.hidden_dim, config.dim)
        self.activation = ACT2FN[config.activation]
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.lin2(self.activation(self.lin1(x))))


class _DistilLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = _DistilAttention(config)
        self.sa_layer_norm = nn.LayerNorm(config.dim, eps=1e-12)
        self.ffn = _DistilFfn(config)
        self.output_layer_norm = nn.LayerNorm(config.dim, eps=1e-12)

    def forward(self, x, key_mask, policy, layer):
        attended, probs = self.attention(x, key_mask, policy, layer)
        x = self.sa_layer_norm(attended + x)
        return self.output_layer_norm(self.ffn(x) + x), probs


class _DistilTransformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList(_DistilLayer(config) for _ in range(config.n_layers))


class _DistilModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = _DistilEmbeddings(config)
        self.transformer = _DistilTransformer(config)


# ---- BERT -----------------------------------------------------------------------------------

class _BertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        if getattr(config, "position_embedding_type", "absolute") != "absolute":
            raise ValueError("crisp exports only absolute position embeddings")
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        sum_ = (self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
                + self.position_embeddings(positions))
        return self.dropout(self.LayerNorm(sum_))


class _BertSelf(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.heads = config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def forward(self, x, key_mask, policy, layer):
        q = _heads_view(self.query(x), self.heads)
        k = _heads_view(self.key(x), self.heads)
        v = _heads_view(self.value(x), self.heads)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        probs = policy(scores, key_mask, layer)
        return _merge_heads(self.dropout(probs) @ v), probs


class _BertDenseNorm(nn.Module):
    """dense -> dropout -> LayerNorm(+ residual): BertSelfOutput and BertOutput."""

    def __init__(self, config, width_in):
        super().__init__()
        self.dense = nn.Linear(width_in, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class _BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        setattr(self, "self", _BertSelf(config))
        self.output = _BertDenseNorm(config, config.hidden_size)


class _BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.activation = ACT2FN[config.hidden_act]

    def forward(self, x):
        return self.activation(self.dense(x))


class _BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = _BertAttention(config)
        self.intermediate = _BertIntermediate(config)
        self.output = _BertDenseNorm(config, config.intermediate_size)

    def forward(self, x, key_mask, policy, layer):
        attended, probs = getattr(self.attention, "self")(x, key_mask, policy, layer)
        x = self.attention.output(attended, x)
        return self.output(self.intermediate(x), x), probs


class _BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList(_BertLayer(config) for _ in range(config.num_hidden_layers))


class _BertPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class _BertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = _BertEmbeddings(config)
        self.encoder = _BertEncoder(config)
        self.pooler = _BertPooler(config)


# ---- the two classifiers --------------------------------------------------------------------

def _classification_output(logits, labels, hidden_states, attentions, return_dict):
    loss = None
    if labels is not None:
        loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1))
    if not return_dict:
        out = tuple(x for x in (logits, hidden_states, attentions) if x is not None)
        return ((loss,) + out) if loss is not None else out
    return SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=hidden_states,
                                    attentions=attentions)


class _CrispPreTrained(PreTrainedModel):
    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def _encode(self, layers, x, attention_mask, output_hidden_states, output_attentions):
        hidden_states = (x,) if output_hidden_states else None
        attentions = () if output_attentions else None
        for index, layer in enumerate(layers):
            x, probs = layer(x, attention_mask, self._attend, index)
            if output_hidden_states:
                hidden_states += (x,)
            if output_attentions:
                attentions += (probs,)
        return x, hidden_states, attentions

    def _attend(self, scores, key_mask, layer):
        dam = getattr(self, "crisp_dam", None)
        return self.crisp_attention(scores, key_mask, layer, dam.logits if dam is not None else None)

    def _add_policy(self, heads):
        self.crisp_attention = CrispAttentionPolicy(self.config)
        if self.crisp_attention.spec.get("dam"):
            self.crisp_dam = _DamLogits(self.config, heads)

    def _options(self, input_ids, attention_mask, output_hidden_states, output_attentions, return_dict):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return (attention_mask,
                self.config.output_hidden_states if output_hidden_states is None else output_hidden_states,
                self.config.output_attentions if output_attentions is None else output_attentions,
                self.config.use_return_dict if return_dict is None else return_dict)


class CrispDistilBertForSequenceClassification(_CrispPreTrained):
    config_class = DistilBertConfig
    base_model_prefix = "distilbert"

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.distilbert = _DistilModel(config)
        self.pre_classifier = nn.Linear(config.dim, config.dim)
        self.classifier = nn.Linear(config.dim, config.num_labels)
        self.dropout = nn.Dropout(config.seq_classif_dropout)
        self._add_policy(config.n_heads)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, labels=None, output_attentions=None,
                output_hidden_states=None, return_dict=None, **unused):
        attention_mask, hidden, attend, return_dict = self._options(
            input_ids, attention_mask, output_hidden_states, output_attentions, return_dict)
        x = self.distilbert.embeddings(input_ids)
        x, hidden_states, attentions = self._encode(self.distilbert.transformer.layer, x, attention_mask,
                                                    hidden, attend)
        pooled = self.dropout(nn.functional.relu(self.pre_classifier(x[:, 0])))
        return _classification_output(self.classifier(pooled), labels, hidden_states, attentions,
                                      return_dict)


class CrispBertForSequenceClassification(_CrispPreTrained):
    config_class = BertConfig
    base_model_prefix = "bert"

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = _BertModel(config)
        dropout = config.classifier_dropout
        self.dropout = nn.Dropout(config.hidden_dropout_prob if dropout is None else dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self._add_policy(config.num_attention_heads)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None,
                output_attentions=None, output_hidden_states=None, return_dict=None, **unused):
        attention_mask, hidden, attend, return_dict = self._options(
            input_ids, attention_mask, output_hidden_states, output_attentions, return_dict)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.bert.embeddings(input_ids, token_type_ids)
        x, hidden_states, attentions = self._encode(self.bert.encoder.layer, x, attention_mask,
                                                    hidden, attend)
        pooled = self.dropout(self.bert.pooler(x))
        return _classification_output(self.classifier(pooled), labels, hidden_states, attentions,
                                      return_dict)
