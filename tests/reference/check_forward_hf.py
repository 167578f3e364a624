"""`crisp forward` against transformers' own BertForSequenceClassification and
DistilBertForSequenceClassification: logits, every layer's hidden states and attention
probabilities, max |delta| <= 1e-5, for

- random-initialised models of awkward shapes (head sizes 12 and 8, odd vocabularies, 3 labels),
  saved by save_pretrained as safetensors, as pytorch_model.bin and in half precision;
- the real pretrained checkpoints the project's Python environment carries, with a
  classification head initialised by transformers (saved by save_pretrained), and the package's
  own directory as it ships (a base model: crisp must initialise the head and say so, while every
  hidden state still matches transformers' BertModel);

under the policies dense, crisp:0.8, nodiag, nodiag+crisp:0.5 and SparseBERT's fixed patterns
(window, strided, fixed, longformer with crisp, logsparse), each inserted into transformers'
attention softmax (hf_oracle.py). Hidden states and attention rows are
compared at real tokens (padding positions carry no meaning in either).

usage: PYENV_PYTHON check_forward_hf.py CRISP_BINARY WORK_DIR
"""

import copy
import json
import os
import sys

import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_oracle  # noqa: E402

TOLERANCE = 1e-5
POLICIES = {
    "dense": {},
    "crisp:0.8": {"sparsity": 0.8},
    "nodiag": {"nodiag": True},
    "nodiag+crisp:0.5": {"nodiag": True, "sparsity": 0.5},
    "window:2": {"pattern": "window:2"},
    "strided:3": {"pattern": "strided:3"},
    "fixed:4": {"pattern": "fixed:4"},
    "longformer:1:1+crisp:0.5": {"pattern": "longformer:1:1", "sparsity": 0.5},
    "logsparse": {"pattern": "logsparse"},
}
SENTENCES = [
    "it 's a charming and often affecting journey .",
    "unflinchingly bleak and desperate",
    "the acting , costumes , music , cinematography and sound are all astounding given the "
    "production 's austere locales .",
    "a",
]


def random_models(work):
    torch.manual_seed(1234)
    made = []
    distil = transformers.DistilBertConfig(
        vocab_size=131, dim=60, n_layers=3, n_heads=5, hidden_dim=72, max_position_embeddings=40,
        num_labels=3, pad_token_id=0)
    bert = transformers.BertConfig(
        vocab_size=97, hidden_size=56, num_hidden_layers=2, num_attention_heads=7,
        intermediate_size=100, max_position_embeddings=40, num_labels=2, type_vocab_size=2)
    for name, config, cls in [("distilbert-60x5", distil,
                               transformers.DistilBertForSequenceClassification),
                              ("bert-56x7", bert, transformers.BertForSequenceClassification)]:
        model = cls(config).eval()
        # A freshly initialised model has near-uniform attention; widen the weights so that the
        # policies change the result (the check needs the power to fail).
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() == 2:
                    p.mul_(8.0)
        d = os.path.join(work, name)
        model.save_pretrained(d, safe_serialization=True)
        made.append((name, model, d))
    # The DistilBERT one also as pytorch_model.bin and in half precision.
    name, model, _ = made[0]
    d = os.path.join(work, name + "-bin")
    model.save_pretrained(d, safe_serialization=False)
    made.append((name + " (pytorch_model.bin)", model, d))
    half = copy.deepcopy(model).half()
    d = os.path.join(work, name + "-f16")
    half.save_pretrained(d, safe_serialization=True)
    made.append((name + " (F16 safetensors)", half.float().eval(), d))
    return made


def pretrained_models(work):
    made = []
    for name, directory in sorted(hf_oracle.pretrained_models().items()):
        config = transformers.AutoConfig.from_pretrained(directory)
        torch.manual_seed(7)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            directory, num_labels=2, attn_implementation="eager").eval()
        d = os.path.join(work, name)
        model.save_pretrained(d, safe_serialization=True)
        made.append((name + " + head", model, d, directory, config))
    return made


def rows_for(model, tokenizer=None):
    vocab = model.config.vocab_size
    if tokenizer is not None:
        return [tokenizer(s)["input_ids"] for s in SENTENCES]
    g = torch.Generator().manual_seed(5)
    lengths = [9, 4, 7, 2]
    return [[int(i) for i in torch.randint(1, vocab, (n,), generator=g)] for n in lengths]


def padded(rows, pad):
    t = max(len(r) for r in rows)
    ids = torch.full((len(rows), t), pad, dtype=torch.long)
    mask = torch.zeros(len(rows), t, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = torch.tensor(r)
        mask[b, : len(r)] = 1
    return ids, mask


def compare(crisp, label, model, directory, rows, policy_name, extra_check=None):
    pad = model.config.pad_token_id or 0
    ids, mask = padded(rows, pad)
    with torch.no_grad(), hf_oracle.crisp_policy(**POLICIES[policy_name]):
        out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True,
                    output_attentions=True)
    ids_arg = ";".join(",".join(str(i) for i in r) for r in rows)
    stdout, stderr = hf_oracle.run_crisp(
        crisp, ["forward", "--model", directory, "--ids", ids_arg, "--attention", policy_name,
                "--with-attention", "--with-hidden-states", "--json"])
    got = json.loads(stdout)
    real = mask.bool()
    deltas = {}
    if hasattr(out, "logits"):
        deltas["logits"] = hf_oracle.max_abs(got["logits"], out.logits)
    hidden = torch.tensor(got["hidden_states"], dtype=torch.float64)
    expected_hidden = torch.stack([h.double() for h in out.hidden_states])
    if hidden.shape != expected_hidden.shape:
        raise SystemExit(f"{label}: hidden states {tuple(hidden.shape)} != "
                         f"{tuple(expected_hidden.shape)}")
    deltas["hidden"] = (hidden - expected_hidden).abs()[:, real].max().item()
    attention = torch.tensor(got["attention_post"], dtype=torch.float64)
    expected_attention = torch.stack([a.double() for a in out.attentions])
    deltas["attention"] = (attention - expected_attention).abs().permute(0, 1, 3, 2, 4)[
        :, real].max().item()
    return deltas, out, stderr


def main():
    crisp, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    failures = 0
    cases = [(label, model, d, rows_for(model)) for label, model, d in random_models(work)]
    pretrained = pretrained_models(work)
    if not pretrained:
        print("FAIL no pretrained checkpoint found in the Python environment")
        failures += 1
    for label, model, d, source, _ in pretrained:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
        cases.append((label, model, d, rows_for(model, tokenizer)))

    for label, model, d, rows in cases:
        dense_logits = None
        for policy_name in POLICIES:
            deltas, out, _ = compare(crisp, label, model, d, rows, policy_name)
            worst = max(deltas.values())
            ok = worst <= TOLERANCE
            # The check has power only if the policy changes what the model computes.
            if dense_logits is None:
                dense_logits = out.logits
                effect = float("nan")
            else:
                effect = (out.logits - dense_logits).abs().max().item()
                if effect < 1e-3:
                    ok = False
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {label:40s} {policy_name:24s} "
                  + "  ".join(f"{k} {v:.1e}" for k, v in deltas.items())
                  + f"  (policy moves logits by {effect:.3f})")

    # The packages' own directories, as they ship: base encoders without a head. Every hidden
    # state must match transformers' base model; the head is new and must be reported.
    for label, _, _, source, config in pretrained:
        base = transformers.AutoModel.from_pretrained(source, attn_implementation="eager").eval()
        tokenizer = transformers.AutoTokenizer.from_pretrained(source)
        rows = rows_for(base, tokenizer)
        deltas, _, stderr = compare(crisp, label, base, source, rows, "dense")
        ok = max(deltas.values()) <= TOLERANCE
        for needle in ["newly initialized", "classifier.weight"]:
            if needle not in stderr:
                print(f"FAIL {source}: the load report lacks {needle!r}: {stderr!r}")
                ok = False
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label.replace(' + head', '') + ' (as shipped)':40s} "
              f"dense                    " + "  ".join(f"{k} {v:.1e}" for k, v in deltas.items())
              + "  (head reported as newly initialised)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
