#!/usr/bin/env bash
# `crisp eval / predict / inspect / export` end to end on a tiny demo run trained here (crisp:0.8,
# 2 epochs of 300 sentences): eval reproduces the run's recorded accuracies, predict answers
# for arguments, stdin and a file, inspect's JSON/CSV/PNG are consistent (pruned entries are 0
# after the policy), an exported Hugging Face directory gives the same logits through
# `crisp forward`, and bad inputs exit 2 (the user's side) or 1 (run time) with one clear line.
#   cli_run_commands.sh CRISP_BINARY WORK_DIR
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

cat >"$work/experiment.json" <<'JSON'
{"name": "cli-test", "policy": "crisp:0.8", "demo_train_size": 300, "demo_dev_size": 100,
 "hyperparameters": {"epochs": 2, "batch_size": 32, "seed": 5, "learning_rate": 1e-3}}
JSON
run=$work/run
"$crisp" train --out "$run" --experiment "$work/experiment.json" --json >"$work/train.json" \
  2>"$work/train.log" || fail "training the demo run: $(cat "$work/train.log")"

# --- eval: the best and the last checkpoint reproduce what the run recorded ------------------
"$crisp" eval "$run" --json --predictions "$work/predictions.jsonl" >"$work/eval_best.json"
"$crisp" eval "$run" --checkpoint last --json >"$work/eval_last.json"
"$crisp" eval "$run" >"$work/eval.txt"
grep -q "^accuracy " "$work/eval.txt" || fail "text eval has no accuracy line"
grep -q "^confusion" "$work/eval.txt" || fail "text eval has no confusion matrix"
$py - "$run" "$work" <<'PY'
import json, sys
run, work = sys.argv[1], sys.argv[2]
state = json.load(open(f"{run}/state.json"))
evals = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if '"eval"' in l]
best, last = json.load(open(f"{work}/eval_best.json")), json.load(open(f"{work}/eval_last.json"))
assert best["checkpoint_step"] == state["best_step"], (best, state)
assert best["accuracy"] == state["best_accuracy"], (best["accuracy"], state["best_accuracy"])
recorded = {e["step"]: e for e in evals}
for ours in (best, last):
    r = recorded[ours["checkpoint_step"]]
    assert ours["accuracy"] == r["accuracy"], (ours, r)
    assert abs(ours["loss"] - r["loss"]) < 1e-5 * max(1, r["loss"]), (ours, r)
    assert ours["confusion"] == r["confusion"], (ours, r)
    assert ours["examples"] == 100
assert last["checkpoint_step"] == max(recorded), (last, list(recorded))
rows = [json.loads(l) for l in open(f"{work}/predictions.jsonl")]
assert len(rows) == 100 and sum(r["correct"] for r in rows) == round(best["accuracy"] * 100)
assert abs(sum(rows[0]["probabilities"].values()) - 1) < 1e-5
print(f"eval: best step {best['checkpoint_step']} accuracy {best['accuracy']:.3f} "
      f"(recorded {state['best_accuracy']:.3f}); last step {last['checkpoint_step']}")
PY
# --data: a GLUE TSV written here.
printf 'sentence\tlabel\nthe film was wonderful .\t1\nthe acting was boring .\t0\n' >"$work/mini.tsv"
"$crisp" eval "$run" --data "$work/mini.tsv" --json | matches '"examples":2' ||
  fail "eval --data did not read two examples"

# --- predict: arguments, standard input, a file ----------------------------------------------
out=$("$crisp" predict "$run" "the film was wonderful ." "the acting was boring .")
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "predict with two arguments: $out"
echo "$out" | grep -Eq '^(negative|positive)	0\.[0-9]{4}	the film was wonderful \.$' ||
  fail "predict text output: $out"
out=$(printf 'the film was wonderful .\n\nthe acting was boring .\n' | "$crisp" predict "$run" --json)
$py -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert [r["line"] for r in rows] == [1, 3], rows
for r in rows:
    assert r["label"] in ("negative", "positive") and abs(sum(r["probabilities"].values()) - 1) < 1e-5
' <<<"$out" || fail "predict --json from stdin: $out"
printf 'honestly , the acting was never boring .\n' >"$work/sentences.txt"
"$crisp" predict "$run" --file "$work/sentences.txt" --json | matches '"line":1' ||
  fail "predict --file"

# --- inspect: JSON, CSV, PNG -------------------------------------------------------------------
sentence="the film was not good but the ending was truly wonderful ."
"$crisp" inspect "$run" "$sentence" >"$work/inspect.json"
"$crisp" inspect "$run" "$sentence" --format csv --out "$work/inspect.csv" >/dev/null
"$crisp" inspect "$run" "$sentence" --format png --layer 1 --head 0 --out "$work/attn.png" >/dev/null
"$crisp" inspect "$run" "$sentence" --format png --out "$work/all.png" >/dev/null
$py - "$work" <<'PY'
import csv, json, struct, sys, zlib
work = sys.argv[1]
j = json.load(open(f"{work}/inspect.json"))
L, H, T, T2 = j["shape"]
assert T == T2 == len(j["tokens"]) == len(j["ids"]) and j["tokens"][0] == "[CLS]", j["shape"]
assert j["policy"] == "crisp:0.8" and not j["truncated"]
pruned = 0
for name in ("before", "after", "keep"):
    a = j[name]
    assert len(a) == L and all(len(h) == H for h in a), name
    assert all(len(q) == T and all(len(k) == T for k in q) for h in a for q in h), name
for l in range(L):
    for h in range(H):
        for q in range(T):
            after, keep, before = j["after"][l][h][q], j["keep"][l][h][q], j["before"][l][h][q]
            assert abs(sum(after) - 1) < 1e-4 and abs(sum(before) - 1) < 1e-4
            for k in range(T):
                if not keep[k]:
                    pruned += 1
                    assert after[k] == 0.0, (l, h, q, k, after[k])
# crisp:0.8 keeps ceil(0.2 * T) of T keys (ties kept): most entries are pruned.
assert pruned >= 0.6 * L * H * T * T, (pruned, L * H * T * T)
rows = list(csv.reader(open(f"{work}/inspect.csv")))
assert rows[0] == "layer,head,query,key,query_token,key_token,before,after,kept".split(",")
assert len(rows) == 1 + L * H * T * T, len(rows)
r = rows[1 + 3]  # layer 0, head 0, query 0, key 3
assert r[4] == "[CLS]" and r[5] == j["tokens"][3]
assert abs(float(r[7]) - j["after"][0][0][0][3]) < 1e-6 and int(r[8]) == j["keep"][0][0][0][3]
for png, cells in (("attn", (1, 1)), ("all", (L, H))):
    data = open(f"{work}/{png}.png", "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", png
    length, kind, width, height = struct.unpack(">I4sII", data[8:24])
    assert kind == b"IHDR" and length == 13
    side = json.load(open(f"{work}/{png}.tokens.json"))
    assert (width, height) == (side["width"], side["height"]) and side["tokens"] == j["tokens"]
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82", png
    # The figure's layout: every cell, its maps and colour bar; every label inside the canvas,
    # overlapping no other label, map or bar, and inked (the pixels decoded here).
    assert len(side["cells"]) == cells[0] * cells[1], png
    assert side["label_step"] == 1, side["label_step"]  # a short sentence: every token labelled
    idat = b""
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    def dark(x, y):
        i = y * stride + 1 + 3 * x
        return raw[y * stride] == 0 and max(raw[i:i + 3]) < 160
    shapes = [("cell", c[k]) for c in side["cells"] for k in ("before", "after", "colour_bar")]
    texts = [(t["text"], t["box"]) for t in side["text_boxes"]]
    def overlap(a, b):
        return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
    for i, (text, box) in enumerate(texts):
        x, y, w, h = box
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (png, text, box)
        assert any(dark(u, v) for u in range(x, x + w) for v in range(y, y + h)), (png, text, box)
        for other, obox in texts[i + 1:] + shapes:
            assert not overlap(box, obox), (png, text, box, other, obox)
    drawn = [t for t, _ in texts]
    for token in j["tokens"]:
        assert drawn.count(token) >= 3 * cells[0] * cells[1], (png, token)  # rows, 2 x columns
    assert "layer 1 \u00b7 head 0" in drawn and any(t.startswith("\u201cthe film") for t in drawn)
    assert any("policy crisp:0.8" in t and "predicted" in t for t in drawn), drawn[:3]
print(f"inspect: {L} layers x {H} heads x {T} tokens, {pruned} entries pruned")
PY
# A very long sentence is truncated to the run's max_length with a note.
long=$(printf 'the film was good . %.0s' $(seq 1 100))
"$crisp" inspect "$run" "$long" --layer 0 --head 0 >"$work/long.json" 2>"$work/long.err"
grep -q "note: the sentence has [0-9]* tokens; the model reads the first 64" "$work/long.err" ||
  fail "no truncation note: $(cat "$work/long.err")"
grep -q '"truncated":true' "$work/long.json" || fail "long inspect JSON is not marked truncated"

# --- export: a Hugging Face directory with the same logits ----------------------------------
"$crisp" export "$run" --out "$work/hf" >/dev/null
for f in config.json model.safetensors vocab.txt tokenizer_config.json tokenizer.json \
  special_tokens_map.json README.md modeling_crisp.py; do
  [ -s "$work/hf/$f" ] || fail "export lacks $f"
done
# An export is never written over another without --force; a learned mask cannot be invented.
expect_exit 2 "--out .*/hf is not empty \(--force" "$crisp" export "$run" --out "$work/hf"
"$crisp" export "$run" --out "$work/hf-dense" --attention dense >/dev/null
[ ! -e "$work/hf-dense/modeling_crisp.py" ] || fail "a dense export ships remote code"
"$crisp" export "$run" --out "$work/hf-dense" --attention dense --force >/dev/null ||
  fail "--force did not write into the existing export"
expect_exit 2 "the learned mask must be the run's own \(none" \
  "$crisp" export "$run" --out "$work/hf-dam" --attention dam:0.01
ids=$($py -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["ids"])))' \
  "$work/inspect.json")
# forward's default policy is the export's own (crisp_attention_policy).
"$crisp" forward --model "$work/hf" --ids "$ids" >"$work/forward.json"
"$crisp" inspect "$work/hf" "$sentence" --layer 0 --head 0 >"$work/inspect_hf.json"
$py - "$work" <<'PY'
import json, sys
work = sys.argv[1]
config = json.load(open(f"{work}/hf/config.json"))
assert config["architectures"][0].endswith("ForSequenceClassification"), config["architectures"]
assert config["id2label"] == {"0": "negative", "1": "positive"}, config["id2label"]
assert config["label2id"] == {"negative": 0, "positive": 1}
assert config["problem_type"] == "single_label_classification"
assert config["transformers_version"], config
assert config["crisp_attention"]["selection"] == {"kind": "top_k", "sparsity": [0.8, 0.8]}, config
assert config["auto_map"]["AutoModelForSequenceClassification"].startswith("modeling_crisp.Crisp")
tokenizer_config = json.load(open(f"{work}/hf/tokenizer_config.json"))
assert tokenizer_config["model_max_length"] == 64, tokenizer_config
assert json.load(open(f"{work}/hf/tokenizer.json"))["model"]["type"] == "WordPiece"
assert json.load(open(f"{work}/forward.json"))["policy"] == "crisp:0.8"
run = json.load(open(f"{work}/inspect.json"))["logits"]
forward = json.load(open(f"{work}/forward.json"))["logits"][0]
hf = json.load(open(f"{work}/inspect_hf.json"))["logits"]
assert all(abs(a - b) < 1e-5 for a, b in zip(run, forward)), (run, forward)
assert all(abs(a - b) < 1e-5 for a, b in zip(run, hf)), (run, hf)
print(f"export: logits {run} == forward {forward}")
PY
"$crisp" eval "$work/hf" --data "$work/mini.tsv" --json | matches '"kind":"model"' ||
  fail "eval of the exported directory"

# --- bad inputs: 2 for the user's side, 1 for failures at run time ----------------------------
expect_exit 2 "crisp eval: error: .*nowhere: no such run or model directory" \
  "$crisp" eval "$work/nowhere"
expect_exit 2 "no checkpoint of step 999999 \(kept: " "$crisp" eval "$run" --checkpoint 999999
expect_exit 2 "--checkpoint: \"soon\" is not best, last or a step number" \
  "$crisp" predict "$run" --checkpoint soon "good"
expect_exit 2 "is a Hugging Face model directory: give --data FILE" "$crisp" eval "$work/hf"
expect_exit 2 "--checkpoint last: .* is a Hugging Face model directory" \
  "$crisp" predict "$work/hf" --checkpoint last "good"
printf 'good film\nbad \xff film\n' >"$work/bad.txt"
expect_exit 2 "bad.txt:2: invalid UTF-8 at byte 5" "$crisp" predict "$run" --file "$work/bad.txt"
expect_exit 2 "the sentence: empty text" "$crisp" inspect "$run" "  "
expect_exit 2 "--layer 7: the model has 2" "$crisp" inspect "$run" "good" --layer 7
expect_exit 2 "--format png needs --out" "$crisp" inspect "$run" "good" --format png
expect_exit 2 "mini.csv:1: |mini.csv" "$crisp" eval "$run" --data "$work/mini.csv"
expect_exit 2 "required" "$crisp" export "$run"
expect_exit 2 "" "$crisp" inspect "$run"
# NaN weights are refused, naming the tensor, unless --allow-nonfinite asks for them (forensics);
# they used to predict "negative nan" and evaluate to "loss nan" with exit 0.
cp -r "$work/hf" "$work/nan"
$py - "$work/nan/model.safetensors" <<'PY'
import json, struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
length = struct.unpack("<Q", data[:8])[0]
begin = 8 + length + json.loads(data[8:8 + length])["classifier.weight"]["data_offsets"][0]
data[begin:begin + 4] = struct.pack("<f", float("nan"))
open(path, "wb").write(data)
PY
nan_error='model.safetensors: tensor "classifier.weight" holds 1 NaN or infinite values'
expect_exit 1 "crisp eval: error: .*$nan_error" "$crisp" eval "$work/nan" --data "$work/mini.tsv"
expect_exit 1 "crisp predict: error: .*$nan_error" "$crisp" predict "$work/nan" "good"
expect_exit 0 "hold NaN or infinite values: \['classifier.weight'\]" \
  "$crisp" eval "$work/nan" --data "$work/mini.tsv" --allow-nonfinite
# A model whose config.json drops a layer of the checkpoint is not the model that was saved.
cp -r "$work/hf" "$work/layers"
$py - "$work/layers/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["n_layers"] -= 1
json.dump(config, open(sys.argv[1], "w"))
PY
expect_exit 1 "the checkpoint has 2 layers but the config's n_layers is 1" \
  "$crisp" predict "$work/layers" "good"
# pytorch_model.bin as torch.save writes it (stored records) and recompressed (deflated records)
# gives the same logits; a flipped bit in a tensor record is refused by the record's CRC-32, which
# LibTorch's reader does not check.
mkdir -p "$work/bin"
cp "$work/hf/config.json" "$work/hf/vocab.txt" "$work/bin/"
$py - "$work/hf/model.safetensors" "$work/bin" <<'PY'
import json, struct, sys, zipfile
import torch
source, out = sys.argv[1], sys.argv[2]
data = open(source, "rb").read()
length = struct.unpack("<Q", data[:8])[0]
state = {}
for name, info in json.loads(data[8:8 + length]).items():
    if name != "__metadata__":
        begin, end = (8 + length + offset for offset in info["data_offsets"])
        state[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(
            info["shape"]).clone()
torch.save(state, f"{out}/pytorch_model.bin")
with zipfile.ZipFile(f"{out}/pytorch_model.bin") as stored, \
        zipfile.ZipFile(f"{out}/deflated.bin", "w", zipfile.ZIP_DEFLATED) as deflated:
    for item in stored.infolist():
        deflated.writestr(item.filename, stored.read(item.filename))
# The largest record (the word embeddings) with one bit flipped in its middle.
corrupt = bytearray(open(f"{out}/pytorch_model.bin", "rb").read())
with zipfile.ZipFile(f"{out}/pytorch_model.bin") as stored:
    item = max(stored.infolist(), key=lambda i: i.file_size)
local = item.header_offset
names = struct.unpack("<HH", corrupt[local + 26:local + 30])
corrupt[local + 30 + sum(names) + item.file_size // 2] ^= 0x01
open(f"{out}/corrupt.bin", "wb").write(corrupt)
PY
"$crisp" forward --model "$work/bin" --ids "$ids" --attention crisp:0.8 >"$work/forward_bin.json"
mv "$work/bin/deflated.bin" "$work/bin/pytorch_model.bin"
"$crisp" forward --model "$work/bin" --ids "$ids" --attention crisp:0.8 >"$work/forward_deflated.json"
$py - "$work" <<'PY'
import json, sys
work = sys.argv[1]
expected = json.load(open(f"{work}/forward.json"))["logits"]
for name in ("forward_bin", "forward_deflated"):
    got = json.load(open(f"{work}/{name}.json"))["logits"]
    assert all(abs(a - b) < 1e-6 for a, b in zip(expected[0], got[0])), (name, expected, got)
PY
mv "$work/bin/corrupt.bin" "$work/bin/pytorch_model.bin"
expect_exit 1 "pytorch_model.bin: record \".*\": CRC-32 mismatch" \
  "$crisp" forward --model "$work/bin" --ids "$ids"
# A corrupt checkpoint: the weights file cut short.
cp -r "$run" "$work/corrupt"
weights=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights"])' \
  "$work/eval_best.json")
weights=$work/corrupt/${weights#"$run/"}
[ -f "$weights" ] || fail "no best checkpoint weights at $weights"
head -c 200 "$weights" >"$weights.cut" && mv "$weights.cut" "$weights"
expect_exit 1 "crisp eval: error: .*corrupt/checkpoints/step-[0-9]+/model.safetensors" \
  "$crisp" eval "$work/corrupt"
echo "PASS"
