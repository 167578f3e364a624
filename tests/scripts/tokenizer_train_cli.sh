#!/usr/bin/env bash
# `crisp train`'s tokenizer choice end to end: --help teaches it; a demo run with a SentencePiece
# vocabulary trained on its data (BPE) keeps it in RUN/tokenizer/ and records it in config.json;
# predict, inspect, resume and export work from the run alone (the exported directory predicts
# the same); a .model given with --tokenizer is copied byte for byte; bad choices exit 2 with
# one line naming the flag, file or field.
#   tokenizer_train_cli.sh CRISP_BINARY WORK_DIR
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

help=$("$crisp" train --help)
for flag in --tokenizer --train-sentencepiece --sentencepiece-type; do
  grep -q -e "$flag" <<<"$help" || fail "crisp train --help does not mention $flag"
done
grep -q "SentencePiece .model" <<<"$help" || fail "--help does not say --tokenizer takes a .model"

cat >"$work/experiment.json" <<'JSON'
{"name": "spm-cli", "demo_train_size": 400, "demo_dev_size": 100,
 "train_sentencepiece": {"vocab_size": 100, "model_type": "unigram"},
 "hyperparameters": {"epochs": 2, "batch_size": 32, "seed": 5, "learning_rate": 1e-3}}
JSON
run=$work/run
# The flag overrides the file's model type.
"$crisp" train --out "$run" --experiment "$work/experiment.json" --sentencepiece-type bpe \
  --json >"$work/train.json" 2>"$work/train.log" || fail "training: $(cat "$work/train.log")"
[ -f "$run/tokenizer/spiece.model" ] || fail "no $run/tokenizer/spiece.model"
$py - "$run" <<'PY'
import json, sys
run = sys.argv[1]
config = json.load(open(f"{run}/config.json"))
t = config["tokenizer"]
assert t["kind"] == "sentencepiece", t
assert t["vocab_size"] == 100 and config["model_config"]["vocab_size"] == 100, t
assert t["special_ids"] == {"cls": 2, "sep": 3, "pad": 0, "unk": 1}, t
assert t["source"]["model_type"] == "bpe", t
assert config["experiment"]["train_sentencepiece"] == {"vocab_size": 100, "model_type": "bpe"}
stored = json.load(open(f"{run}/tokenizer/crisp_tokenizer.json"))
assert stored["kind"] == "sentencepiece" and stored["files"] == ["spiece.model"], stored
PY

"$crisp" predict "$run" "the film was not good" --json >"$work/predict_run.json"
"$crisp" inspect "$run" "the film was not good" --format json >"$work/inspect.json"
$py - "$work/inspect.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
tokens = j["tokens"]
assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]" and len(tokens) > 3, tokens
PY
"$crisp" resume "$run" >"$work/resume.txt" || fail "resume: $(cat "$work/resume.txt")"
grep -q "already finished" "$work/resume.txt" || fail "resume: $(cat "$work/resume.txt")"

"$crisp" export "$run" --out "$work/exported" >/dev/null
[ -f "$work/exported/spiece.model" ] || fail "export wrote no spiece.model"
grep -q '"tokenizer_class": "AlbertTokenizer"' "$work/exported/tokenizer_config.json" ||
  fail "export's tokenizer_config.json: $(cat "$work/exported/tokenizer_config.json")"
"$crisp" predict "$work/exported" "the film was not good" --json >"$work/predict_exported.json"
$py - "$work/predict_run.json" "$work/predict_exported.json" <<'PY'
import json, sys
a, b = (json.loads(open(p).read()) for p in sys.argv[1:])
assert a["label"] == b["label"] and a["tokens"] == b["tokens"], (a, b)
for name, p in a["probabilities"].items():
    assert abs(p - b["probabilities"][name]) < 1e-6, (a, b)
PY

# A user's .model through --tokenizer: the run keeps an identical copy.
"$crisp" train --out "$work/run2" --tokenizer "$run/tokenizer/spiece.model" \
  --experiment "$work/experiment.json" --epochs 1 >/dev/null 2>"$work/train2.log" ||
  fail "training with --tokenizer .model: $(cat "$work/train2.log")"
cmp -s "$run/tokenizer/spiece.model" "$work/run2/tokenizer/spiece.model" ||
  fail "the run's copy of the .model differs"
grep -q '"train_sentencepiece"' "$work/run2/config.json" &&
  fail "--tokenizer did not replace the file's train_sentencepiece"

# Bad choices: exit 2, one clear line.
expect_exit 2 "train-sentencepiece.*not in range" "$crisp" train --out "$work/bad" \
  --train-sentencepiece 5
expect_exit 2 "excludes" "$crisp" train --out "$work/bad" --train-sentencepiece 100 \
  --tokenizer "$run/tokenizer/spiece.model"
expect_exit 2 "sentencepiece-type" "$crisp" train --out "$work/bad" --train-sentencepiece 100 \
  --sentencepiece-type word
expect_exit 2 "absent.model: no such file" "$crisp" train --out "$work/bad" \
  --tokenizer "$work/absent.model"
echo '{"train_sentencepiece": {"vocab_size": 100, "typo": 1}}' >"$work/typo.json"
expect_exit 2 "train_sentencepiece.typo: unknown field" "$crisp" train --out "$work/bad" \
  --experiment "$work/typo.json"
expect_exit 2 "Vocabulary size too high" "$crisp" train --out "$work/bad" \
  --experiment "$work/experiment.json" --train-sentencepiece 50000
[ ! -e "$work/bad/tokenizer" ] || fail "a failed start left $work/bad/tokenizer"
echo "ok"
