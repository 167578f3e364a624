"""Cross-checks `crisp forward` against the independent reference in hf_reference.py.

For DistilBERT and BERT, random-initialised checkpoints in Hugging Face layout (safetensors;
DistilBERT also as a base-model pytorch_model.bin with an MLM head, and BERT in half precision),
a padded batch, and the policies dense, crisp:0.8 and no-diagonal: max |delta logit| <= 1e-4.

usage: /usr/bin/python3 check_forward.py CRISP_BINARY WORK_DIR
"""

import json
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_reference as ref  # noqa: E402

TOLERANCE = 1e-4
ROWS = [[101, 7, 19, 33, 5, 102], [101, 44, 102], [101, 9, 9, 9, 102], [101, 102]]
POLICIES = {
    "dense": ({}, ["--attention", "dense"]),
    "crisp:0.8": ({"sparsity": 0.8}, ["--attention", "crisp:0.8"]),
    "no-diagonal": ({"nodiag": True}, ["--no-diagonal"]),
    "nodiag+crisp:0.5": ({"nodiag": True, "sparsity": 0.5}, ["--attention", "nodiag+crisp:0.5"]),
}


def batch(vocab):
    rows = [[i % vocab for i in r] for r in ROWS]
    t = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), t, dtype=torch.long)
    mask = torch.zeros(len(rows), t, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = torch.tensor(r)
        mask[b, : len(r)] = 1
    return rows, ids, mask


def crisp_logits(crisp, model_dir, rows, extra):
    ids_arg = ";".join(",".join(str(i) for i in r) for r in rows)
    out = subprocess.run([crisp, "forward", "--model", model_dir, "--ids", ids_arg, "--json"] + extra,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"crisp forward failed ({out.returncode}): {out.stderr}")
    return torch.tensor(json.loads(out.stdout)["logits"], dtype=torch.float64), out.stderr


def main():
    crisp, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    generator = torch.Generator().manual_seed(1234)
    cases = []
    for name, config in [("distilbert", ref.distilbert_config()), ("bert", ref.bert_config())]:
        state = ref.random_state(config, generator)
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        json.dump(config, open(os.path.join(d, "config.json"), "w"), indent=2)
        ref.write_safetensors(os.path.join(d, "model.safetensors"), state, {"format": "pt"})
        cases.append((name, config, state, d))

    # A base-model DistilBERT checkpoint (no "distilbert." prefix, an MLM head, a .bin file):
    # the head is newly initialised, so only the warnings are checked, not the logits.
    name, config, state, _ = cases[0]
    base = {k[len("distilbert."):]: v for k, v in state.items() if k.startswith("distilbert.")}
    base["vocab_projector.bias"] = torch.zeros(config["vocab_size"])
    d = os.path.join(work, "distilbert-base-bin")
    os.makedirs(d, exist_ok=True)
    json.dump(config, open(os.path.join(d, "config.json"), "w"))
    torch.save(base, os.path.join(d, "pytorch_model.bin"))

    # The same DistilBERT classifier as pytorch_model.bin and as F16 safetensors.
    d_bin = os.path.join(work, "distilbert-bin")
    os.makedirs(d_bin, exist_ok=True)
    json.dump(config, open(os.path.join(d_bin, "config.json"), "w"))
    torch.save(state, os.path.join(d_bin, "pytorch_model.bin"))
    half = {k: v.half() for k, v in state.items()}
    d_half = os.path.join(work, "distilbert-f16")
    os.makedirs(d_half, exist_ok=True)
    json.dump(config, open(os.path.join(d_half, "config.json"), "w"))
    ref.write_safetensors(os.path.join(d_half, "model.safetensors"), half, {"format": "pt"})

    failures = 0
    for name, config, state, d in cases + [("distilbert (pytorch_model.bin)", config, state, d_bin),
                                           ("distilbert (F16 safetensors)", config, {k: v.float() for k, v in half.items()}, d_half)]:
        rows, ids, mask = batch(config["vocab_size"])
        dense_logits = None
        for policy_name, (policy, args) in POLICIES.items():
            expected = ref.forward(config, {k: v.double() for k, v in state.items()}, ids, mask, policy)
            got, _ = crisp_logits(crisp, d, rows, args)
            delta = (got - expected).abs().max().item()
            ok = delta <= TOLERANCE
            failures += not ok
            # The check has power only if the policy changes the logits.
            if dense_logits is None:
                dense_logits = expected
                effect = float("nan")
            else:
                effect = (expected - dense_logits).abs().max().item()
                if effect < 1e-3:
                    ok = False
                    failures += 1
            print(f"{'ok  ' if ok else 'FAIL'} {name:32s} {policy_name:18s} "
                  f"max|dlogit| = {delta:.2e}  (policy moves logits by {effect:.3f})")

    rows, _, _ = batch(config["vocab_size"])
    _, warnings = crisp_logits(crisp, os.path.join(work, "distilbert-base-bin"), rows, [])
    for needle in ["were not used", "vocab_projector.bias", "newly initialized", "classifier.weight"]:
        if needle not in warnings:
            print(f"FAIL base-model checkpoint warning lacks {needle!r}: {warnings}")
            failures += 1
    print("ok   base-model pytorch_model.bin: Hugging Face style warnings" if failures == 0 else "")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
