"""The Hugging Face round trip: fine-tune a real pretrained checkpoint briefly with `crisp train`,
`crisp export` it, and load the export with transformers' AutoTokenizer and
AutoModelForSequenceClassification. On 200 SST-2 dev sentences the ids must be identical and
the logits equal to <= 1e-5:
- a dense run as it is;
- a crisp:0.8 run with the policy the export records (crisp_attention_policy) inserted into
  transformers' attention (hf_oracle.py). Without it transformers computes dense attention, and
  the check also shows that this changes the logits. Top-k is discontinuous: where the k-th
  kept score and the best score left out are closer than TIE_MARGIN in some layer and head,
  two correct implementations may choose differently: their hidden states agree to ~6e-6, so
  a deeper layer's scores may differ by ~1e-5 (a gap of 2.8e-5 once flipped). So a sentence
  may differ by more than 1e-5 only if the oracle saw such a near-tie in it, and at most
  MAX_DIFFERING sentences may (measured: 0 or 1 of 200). A wrong selection rule changes far
  more sentences than that.

usage: PYENV_PYTHON check_export_hf.py CRISP_BINARY WORK_DIR SHARED_DIR
Exits 77 (skipped) where the shared SST-2 data is absent.
"""

import json
import os
import shutil
import sys

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
        if policy != "dense":
            ok = ok and policy_effect > 1e-3
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {policy:10s} export: {id_differences} of "
              f"{len(sentences)} id rows differ, max|dlogit| {delta:.1e} "
              f"where no top-k near-tie (< {TIE_MARGIN:g}); {int(tied.sum())} near-tied sentences,"
              f" {int(differing.sum())} of them beyond {TOLERANCE:g}) "
              f"(recorded policy {recorded!r}; transformers without it differs by "
              f"{policy_effect:.3f})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
