"""The Hugging Face round trip: fine-tune a real pretrained checkpoint briefly with `crisp train`,
`crisp export` it, and load the export with transformers' AutoTokenizer and
AutoModelForSequenceClassification. On 200 SST-2 dev sentences the ids must be identical and
the logits equal to <= 1e-5:
- a dense run as it is;
- a crisp:0.8 run with the policy the export records (crisp_attention_policy) inserted into
  transformers' attention (hf_oracle.py). Without it transformers computes dense attention, and
  the check also shows that this changes the logits;
- the same crisp:0.8 export loaded with trust_remote_code=True (modeling_crisp.py, named in
  auto_map): its logits equal crisp's own. Top-k is discontinuous: where the k-th
  kept score and the best score left out are closer than TIE_MARGIN in some layer and head,
  two correct implementations may choose differently: their hidden states agree to ~6e-6, so
  a deeper layer's scores may differ by ~1e-5 (a gap of 2.8e-5 once flipped). So a sentence
  may differ by more than 1e-5 only if the oracle saw such a near-tie in it, and at most
  MAX_DIFFERING sentences may (measured: 0 or 1 of 200). A wrong selection rule changes far
  more sentences than that.

usage: PYENV_PYTHON check_export_hf.py CRISP_BINARY WORK_DIR SHARED_DIR
Exits 77 (skipped) where the shared SST-2 data is absent.
"""

import glob
import json
import os
import shutil
import subprocess
import sys

import safetensors.torch
import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_oracle  # noqa: E402

TOLERANCE = 1e-5
SENTENCES = 200
TIE_MARGIN = 1e-4
MAX_DIFFERING = 5


def read_tsv(path, limit):
    with open(path, encoding="utf-8") as f:
        next(f)
        return [line.rstrip("\n").split("\t") for _, line in zip(range(limit), f)]


def remote_logits(directory, batch, remote_code=True):
    """Logits of a directory loaded by AutoModelForSequenceClassification, in a fresh process:
    transformers registers a remote class for the config type process-wide, so a later plain load
    would get it too. remote_code: through modeling_crisp.py (trust_remote_code=True)."""
    script = ("import sys, json, torch, transformers\n"
              "d, remote = sys.argv[1], sys.argv[2] == '1'; batch = json.loads(sys.stdin.read())\n"
              "transformers.AutoTokenizer.from_pretrained(d)\n"
              "m = transformers.AutoModelForSequenceClassification.from_pretrained(d, "
              "trust_remote_code=remote).eval()\n"
              "assert type(m).__name__.startswith('Crisp') == remote, type(m).__name__\n"
              "with torch.no_grad():\n"
              "    out = m(**{k: torch.tensor(v) for k, v in batch.items()}).logits\n"
              "print(json.dumps(out.double().tolist()))\n")
    plain = {k: v.tolist() for k, v in batch.items()}
    out = subprocess.run([sys.executable, "-c", script, directory, "1" if remote_code else "0"],
                         input=json.dumps(plain), capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"from_pretrained({directory}) failed: {out.stderr}")
    return torch.tensor(json.loads(out.stdout.strip().splitlines()[-1]), dtype=torch.float64)


# Exported from the crisp:0.8 run with --attention: every policy modeling_crisp.py expresses.
# Pattern-only policies have no top-k boundary, so every sentence must agree.
REMOTE_POLICIES = ["nodiag+crisp:0.5", "window:2", "strided:3", "fixed:4", "longformer:1:1",
                   "star", "logsparse", "block:4", "window:3+topp:0.9", "ramp:0.7:0.2",
                   "layers:0.2,0.4,0.6,0.8,0.9,0.95"]
POLICY_SENTENCES = 64


def check_policies(crisp, run, work, name, sentences, tokenizer):
    failures = 0
    sentences = sentences[:POLICY_SENTENCES]
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    ids_arg = ";".join(",".join(str(i) for i in r) for r in tokenizer(sentences)["input_ids"])
    for policy in REMOTE_POLICIES:
        exported = os.path.join(work, "export-policy")
        hf_oracle.run_crisp(crisp, ["export", run, "--out", exported, "--attention", policy,
                                    "--force"])
        stdout, _ = hf_oracle.run_crisp(crisp, ["forward", "--model", exported, "--ids", ids_arg,
                                                "--json"])
        reply = json.loads(stdout)
        got = torch.tensor(reply["logits"], dtype=torch.float64)
        delta = (remote_logits(exported, batch) - got).abs().amax(1)
        beyond = int((delta > TOLERANCE).sum())
        selects = any(term in policy for term in ("crisp", "topp", "ramp", "layers"))
        ok = reply["policy"] == policy and beyond <= (MAX_DIFFERING if selects else 0)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {policy:28s} remote code: max|dlogit| to crisp "
              f"{delta.max():.1e}, {beyond} of {len(sentences)} sentences beyond {TOLERANCE:g}")
    # What the remote code cannot express is said, and the export stays plain transformers.
    exported = os.path.join(work, "export-bigbird")
    out = subprocess.run([crisp, "export", run, "--out", exported, "--attention", "bigbird:2:1:2"],
                         capture_output=True, text=True)
    config = json.load(open(os.path.join(exported, "config.json")))
    ok = out.returncode == 0 and "DENSE attention" in out.stderr and "auto_map" not in config
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name} bigbird: export warns that transformers computes "
          f"dense attention and ships no remote code ({out.stderr.strip()[:90]}...)")
    return failures


def check_learned_mask(crisp, work, name, source, train, sentences):
    """A DAM run's export: crisp and the remote code read the same learned logits (given random
    signs here, so the mask is far from all-ones) and agree."""
    run = os.path.join(work, "run-dam")
    exported = os.path.join(work, "export-dam")
    hf_oracle.run_crisp(crisp, ["train", "--model", source, "--train", train, "--dev", train,
                                "--attention", "dam:0.001:per-layer", "--epochs", "1", "--batch",
                                "16", "--lr", "1e-4", "--max-len", "64", "--seed", "3", "--out",
                                run])
    hf_oracle.run_crisp(crisp, ["export", run, "--out", exported])
    weights = os.path.join(exported, "model.safetensors")
    tensors = safetensors.torch.load_file(weights)
    generator = torch.Generator().manual_seed(5)
    logits = tensors["crisp_dam.logits"]
    tensors["crisp_dam.logits"] = torch.randn(logits.shape, generator=generator)
    safetensors.torch.save_file(tensors, weights, metadata={"format": "pt"})
    tokenizer = transformers.AutoTokenizer.from_pretrained(exported)
    sentences = sentences[:POLICY_SENTENCES]
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    ids_arg = ";".join(",".join(str(i) for i in r) for r in tokenizer(sentences)["input_ids"])
    stdout, _ = hf_oracle.run_crisp(crisp, ["forward", "--model", exported, "--ids", ids_arg,
                                            "--json"])
    got = torch.tensor(json.loads(stdout)["logits"], dtype=torch.float64)
    dense, _ = hf_oracle.run_crisp(crisp, ["forward", "--model", exported, "--ids", ids_arg,
                                           "--json", "--attention", "dense"])
    effect = (torch.tensor(json.loads(dense)["logits"], dtype=torch.float64) - got).abs().max()
    delta = (remote_logits(exported, batch) - got).abs().max().item()
    ok = delta <= TOLERANCE and effect > 1e-3
    print(f"{'ok  ' if ok else 'FAIL'} {name} dam (per layer, random signs): remote code "
          f"max|dlogit| to crisp {delta:.1e}; the mask moves crisp's logits by {effect:.3f}")
    return 0 if ok else 1


def main():
    crisp, work = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else ""
    dev_tsv = os.path.join(shared, "data", "sst2", "dev.tsv")
    if not os.path.isfile(dev_tsv):
        print(f"skipped: {dev_tsv} not found (the shared SST-2 data)")
        sys.exit(77)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    models = hf_oracle.pretrained_models()
    name = "all-MiniLM-L6-v2" if "all-MiniLM-L6-v2" in models else sorted(models)[0]
    source = models[name]
    # A few steps on a few sentences: enough to move every weight away from the checkpoint.
    train = os.path.join(work, "train.tsv")
    rows = read_tsv(os.path.join(shared, "data", "sst2", "train.tsv"), 48)
    with open(train, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n" + "".join(f"{s}\t{y}\n" for s, y in rows))
    sentences = [s for s, _ in read_tsv(dev_tsv, SENTENCES)]

    failures = 0
    for policy, oracle_policy in [("dense", {}), ("crisp:0.8", {"sparsity": 0.8})]:
        run = os.path.join(work, "run-" + policy.replace(":", "-"))
        exported = os.path.join(work, "export-" + policy.replace(":", "-"))
        _, report = hf_oracle.run_crisp(
            crisp, ["train", "--model", source, "--train", train, "--dev", train, "--attention",
                    policy, "--epochs", "1", "--batch", "16", "--lr", "1e-4", "--max-len", "64",
                    "--seed", "3", "--out", run])
        # The package ships a base encoder: the run must say that the head is new.
        if "newly initialized: ['classifier.weight', 'classifier.bias']" not in report:
            print(f"FAIL {name} {policy}: crisp train did not report the new head: {report!r}")
            failures += 1
        hf_oracle.run_crisp(crisp, ["export", run, "--out", exported])

        tokenizer = transformers.AutoTokenizer.from_pretrained(exported)
        model = transformers.AutoModelForSequenceClassification.from_pretrained(
            exported, attn_implementation="eager").eval()
        recorded = json.load(open(os.path.join(exported, "config.json"))).get(
            "crisp_attention_policy", "dense")
        expected_ids = tokenizer(sentences)["input_ids"]
        stdout, _ = hf_oracle.run_crisp(crisp, ["tokenize", "--tokenizer", exported],
                                        stdin="".join(s + "\n" for s in sentences))
        crisp_ids = [json.loads(line)["ids"] for line in stdout.split("\n") if line]
        id_differences = sum(a != b for a, b in zip(crisp_ids, expected_ids))
        id_differences += abs(len(crisp_ids) - len(expected_ids))

        batch = tokenizer(sentences, padding=True, return_tensors="pt")
        margins = []
        with torch.no_grad():
            with hf_oracle.crisp_policy(margins=margins, **oracle_policy):
                expected = model(**batch).logits
            plain = model(**batch).logits
        # Sentences with a near-tie at the top-k boundary in any layer and head.
        tied = torch.zeros(len(sentences), dtype=torch.bool)
        for gap in margins:
            tied |= gap < TIE_MARGIN
        ids_arg = ";".join(",".join(str(i) for i in r) for r in expected_ids)
        stdout, _ = hf_oracle.run_crisp(crisp, ["forward", "--model", exported, "--ids", ids_arg,
                                                "--attention", recorded, "--json"])
        got = torch.tensor(json.loads(stdout)["logits"], dtype=torch.float64)
        per_sentence = (got - expected.double()).abs().amax(1)
        delta = per_sentence[~tied].max().item()
        differing = per_sentence > TOLERANCE
        policy_effect = (plain - expected).abs().max().item()
        ok = (id_differences == 0 and delta <= TOLERANCE and recorded == policy
              and int(differing.sum()) <= MAX_DIFFERING)
        # The run's own checkpoint directory loads in transformers as it is, with the same
        # logits as the export of that checkpoint.
        checkpoint = sorted(glob.glob(os.path.join(run, "checkpoints", "step-*")))[-1]
        from_checkpoint = remote_logits(checkpoint, batch, remote_code=policy != "dense")
        from_export = remote_logits(exported, batch, remote_code=policy != "dense")
        checkpoint_delta = (from_checkpoint - from_export).abs().max().item()
        checkpoint_ok = checkpoint_delta == 0.0
        print(f"{'ok  ' if checkpoint_ok else 'FAIL'} {name} {policy:10s} "
              f"{os.path.relpath(checkpoint, run)} loads with from_pretrained: logits equal the "
              f"export's to {checkpoint_delta:.1e}")
        failures += not checkpoint_ok
        if policy != "dense":
            ok = ok and policy_effect > 1e-3
            # The remote code: the same logits as crisp wherever the oracle saw no near-tie.
            remote = remote_logits(exported, batch)
            remote_delta = (remote - got).abs().amax(1)
            remote_ok = remote_delta[~tied].max().item() <= TOLERANCE and int(
                (remote_delta > TOLERANCE).sum()) <= MAX_DIFFERING
            print(f"{'ok  ' if remote_ok else 'FAIL'} {name} {policy:10s} remote code "
                  f"(trust_remote_code=True): max|dlogit| to crisp {remote_delta[~tied].max():.1e} "
                  f"where no near-tie; {int((remote_delta > TOLERANCE).sum())} sentences beyond")
            failures += not remote_ok
            failures += check_policies(crisp, run, work, name, sentences, tokenizer)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {policy:10s} export: {id_differences} of "
              f"{len(sentences)} id rows differ, max|dlogit| {delta:.1e} "
              f"where no top-k near-tie (< {TIE_MARGIN:g}); {int(tied.sum())} near-tied sentences,"
              f" {int(differing.sum())} of them beyond {TOLERANCE:g}) "
              f"(recorded policy {recorded!r}; transformers without it differs by "
              f"{policy_effect:.3f})")
    failures += check_learned_mask(crisp, work, name, source, train, sentences)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
