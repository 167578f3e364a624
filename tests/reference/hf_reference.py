"""Independent reference for Crisp Studio's encoders, written from the Hugging Face
architecture descriptions (modeling_distilbert.py / modeling_bert.py semantics), not from our C++.

It makes random-initialised checkpoints in Hugging Face layout (config.json + model.safetensors,
written by the small writer below, or pytorch_model.bin via torch.save), and computes logits
for token-id batches under three attention policies: dense, crisp top-k (k = max(1,
ceil((1 - s) * n)) of the n keys still allowed, ties kept) and diagonal removal.

Runs on Debian's python3-torch (use /usr/bin/python3).
"""

import json
import math
import struct

import torch

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, tensor in tensors.items():
        t = tensor.detach().contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {
            "dtype": DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def distilbert_config(dim=64, layers=2, heads=4, hidden_dim=96, vocab=120, labels=3):
    return {
        "model_type": "distilbert",
        "architectures": ["DistilBertForSequenceClassification"],
        "vocab_size": vocab, "dim": dim, "n_layers": layers, "n_heads": heads,
        "hidden_dim": hidden_dim, "max_position_embeddings": 40, "pad_token_id": 0,
        "dropout": 0.1, "attention_dropout": 0.1, "seq_classif_dropout": 0.2,
        "activation": "gelu", "initializer_range": 0.02, "sinusoidal_pos_embds": False,
        "id2label": {str(i): f"L{i}" for i in range(labels)},
        "label2id": {f"L{i}": i for i in range(labels)},
    }


def bert_config(hidden=64, layers=2, heads=4, intermediate=96, vocab=120, labels=2):
    return {
        "model_type": "bert",
        "architectures": ["BertForSequenceClassification"],
        "vocab_size": vocab, "hidden_size": hidden, "num_hidden_layers": layers,
        "num_attention_heads": heads, "intermediate_size": intermediate,
        "max_position_embeddings": 40, "type_vocab_size": 2, "pad_token_id": 0,
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu", "layer_norm_eps": 1e-12, "initializer_range": 0.02,
        "id2label": {str(i): f"L{i}" for i in range(labels)},
        "label2id": {f"L{i}": i for i in range(labels)},
    }


def random_state(config, generator):
    """A state dict with Hugging Face's key names; weights larger than the 0.02 init so that
    attention is far from uniform and top-k choices matter."""
    def w(*shape, scale=0.2):
        return torch.randn(*shape, generator=generator) * scale

    def ln(prefix, n, state):
        state[prefix + ".weight"] = 1.0 + w(n, scale=0.1)
        state[prefix + ".bias"] = w(n, scale=0.1)

    def linear(prefix, n_in, n_out, state):
        state[prefix + ".weight"] = w(n_out, n_in, scale=1.0 / math.sqrt(n_in))
        state[prefix + ".bias"] = w(n_out, scale=0.1)

    s = {}
    if config["model_type"] == "distilbert":
        d, f, p = config["dim"], config["hidden_dim"], "distilbert."
        s[p + "embeddings.word_embeddings.weight"] = w(config["vocab_size"], d, scale=1.0)
        s[p + "embeddings.position_embeddings.weight"] = w(config["max_position_embeddings"], d, scale=0.5)
        ln(p + "embeddings.LayerNorm", d, s)
        for i in range(config["n_layers"]):
            q = f"{p}transformer.layer.{i}."
            for name in ("q_lin", "k_lin", "v_lin", "out_lin"):
                linear(q + "attention." + name, d, d, s)
            ln(q + "sa_layer_norm", d, s)
            linear(q + "ffn.lin1", d, f, s)
            linear(q + "ffn.lin2", f, d, s)
            ln(q + "output_layer_norm", d, s)
        linear("pre_classifier", d, d, s)
        linear("classifier", d, len(config["id2label"]), s)
    else:
        d, f, p = config["hidden_size"], config["intermediate_size"], "bert."
        s[p + "embeddings.word_embeddings.weight"] = w(config["vocab_size"], d, scale=1.0)
        s[p + "embeddings.position_embeddings.weight"] = w(config["max_position_embeddings"], d, scale=0.5)
        s[p + "embeddings.token_type_embeddings.weight"] = w(config["type_vocab_size"], d, scale=0.5)
        ln(p + "embeddings.LayerNorm", d, s)
        for i in range(config["num_hidden_layers"]):
            q = f"{p}encoder.layer.{i}."
            for name in ("query", "key", "value"):
                linear(q + "attention.self." + name, d, d, s)
            linear(q + "attention.output.dense", d, d, s)
            ln(q + "attention.output.LayerNorm", d, s)
            linear(q + "intermediate.dense", d, f, s)
            linear(q + "output.dense", f, d, s)
            ln(q + "output.LayerNorm", d, s)
        linear(p + "pooler.dense", d, d, s)
        linear("classifier", d, len(config["id2label"]), s)
    return s


def attention(x, mask, state, names, heads, policy):
    """Multi-head self-attention. names: prefixes of the q, k, v projections."""
    b, t, d = x.shape
    hd = d // heads

    def proj(prefix):
        y = x @ state[prefix + ".weight"].T + state[prefix + ".bias"]
        return y.view(b, t, heads, hd).transpose(1, 2)

    q, k, v = (proj(n) for n in names)
    scores = (q / math.sqrt(hd)) @ k.transpose(2, 3)
    allowed = mask.bool()[:, None, None, :].expand(b, heads, t, t).clone()
    if policy.get("nodiag"):
        eye = torch.eye(t, dtype=torch.bool)
        allowed &= ~eye
        # a row left empty keeps its best real key
        empty = allowed.sum(-1) == 0
        if empty.any():
            best = scores.masked_fill(~mask.bool()[:, None, None, :], float("-inf")).argmax(-1)
            for idx in empty.nonzero().tolist():
                bb, hh, qq = idx
                allowed[bb, hh, qq, best[bb, hh, qq]] = True
    keep = allowed
    s = policy.get("sparsity")
    if s is not None:
        keep = torch.zeros_like(allowed)
        for bb in range(b):
            for hh in range(heads):
                for qq in range(t):
                    row_allowed = allowed[bb, hh, qq]
                    n = int(row_allowed.sum())
                    kk = max(1, math.ceil((1.0 - s) * n - 1e-9))
                    vals = scores[bb, hh, qq][row_allowed]
                    threshold = torch.sort(vals, descending=True).values[kk - 1]
                    keep[bb, hh, qq] = row_allowed & (scores[bb, hh, qq] >= threshold)
    probs = torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
    return (probs @ v).transpose(1, 2).reshape(b, t, d)


def layer_norm(x, state, prefix, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), state[prefix + ".weight"], state[prefix + ".bias"], eps)


def linear(x, state, prefix):
    return x @ state[prefix + ".weight"].T + state[prefix + ".bias"]


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def forward(config, state, ids, mask, policy):
    """Logits of a *ForSequenceClassification model in eval mode (no dropout)."""
    t = ids.shape[1]
    positions = torch.arange(t)[None, :]
    if config["model_type"] == "distilbert":
        p, heads, eps = "distilbert.", config["n_heads"], 1e-12
        x = state[p + "embeddings.word_embeddings.weight"][ids] + state[p + "embeddings.position_embeddings.weight"][positions]
        x = layer_norm(x, state, p + "embeddings.LayerNorm", eps)
        for i in range(config["n_layers"]):
            q = f"{p}transformer.layer.{i}."
            a = attention(x, mask, state, [q + "attention.q_lin", q + "attention.k_lin", q + "attention.v_lin"], heads, policy)
            x = layer_norm(linear(a, state, q + "attention.out_lin") + x, state, q + "sa_layer_norm", eps)
            h = linear(gelu(linear(x, state, q + "ffn.lin1")), state, q + "ffn.lin2")
            x = layer_norm(h + x, state, q + "output_layer_norm", eps)
        pooled = torch.relu(linear(x[:, 0], state, "pre_classifier"))
        return linear(pooled, state, "classifier")
    p, heads, eps = "bert.", config["num_attention_heads"], config["layer_norm_eps"]
    x = (state[p + "embeddings.word_embeddings.weight"][ids]
         + state[p + "embeddings.position_embeddings.weight"][positions]
         + state[p + "embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)])
    x = layer_norm(x, state, p + "embeddings.LayerNorm", eps)
    for i in range(config["num_hidden_layers"]):
        q = f"{p}encoder.layer.{i}."
        a = attention(x, mask, state, [q + "attention.self.query", q + "attention.self.key", q + "attention.self.value"], heads, policy)
        x = layer_norm(linear(a, state, q + "attention.output.dense") + x, state, q + "attention.output.LayerNorm", eps)
        h = linear(gelu(linear(x, state, q + "intermediate.dense")), state, q + "output.dense")
        x = layer_norm(h + x, state, q + "output.LayerNorm", eps)
    pooled = torch.tanh(linear(x[:, 0], state, p + "pooler.dense"))
    return linear(pooled, state, "classifier")
