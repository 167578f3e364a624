#!/usr/bin/env bash
# A run on file data, stopped by SIGTERM, whose data then moves (another checkout, another
# node's mount): `crisp resume RUN` names the missing file; `--train/--dev` at the new paths
# continue it, and it ends exactly as an uninterrupted run ends; a file with other content at
# the new path is refused, naming both paths; the run then records the new paths.
# The run is started, and resumed, with paths relative to their working directories.
#   resume_moved_inputs.sh CRISP_BINARY WORK_DIR
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/lib.sh" "$@"
export CRISP_THREADS=1  # deterministic and steady on a busy machine (see kill_resume.sh)

# Two GLUE-style TSV files the tiny preset can learn from, and a WordPiece vocabulary for them
# (the tokenizer moves with the data: a run resumes with the copy in its own directory).
write_data() {  # write_data DIR TRAIN_ROWS
  mkdir -p "$1"
  local words=(film story cast plot music)
  printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]' the was good bad number . "${words[@]}" \
    {0..9} '##'{0..9} >"$1/vocab.txt"
  {
    printf 'sentence\tlabel\n'
    for i in $(seq 1 "$2"); do
      if ((i % 2)); then
        printf 'the %s was good number %d .\t1\n' "${words[i % 5]}" "$i"
      else
        printf 'the %s was bad number %d .\t0\n' "${words[i % 5]}" "$i"
      fi
    done
  } >"$1/train.tsv"
  head -n 65 "$1/train.tsv" >"$1/dev.tsv"
}
write_data "$work/checkout-a" 1024

cat >"$work/experiment.json" <<'EOF'
{"name": "moved-test", "max_length": 16, "probes": [],
 "hyperparameters": {"epochs": 2, "batch_size": 16, "seed": 3}}
EOF
args=(--experiment "$work/experiment.json" --save-every 10)
data_a=(--train "$work/checkout-a/train.tsv" --dev "$work/checkout-a/dev.tsv"
  --tokenizer "$work/checkout-a/vocab.txt")

"$crisp" train --out "$work/straight" "${args[@]}" "${data_a[@]}" --json >"$work/straight.json" \
  2>"$work/straight.log" || fail "the uninterrupted run: $(cat "$work/straight.log")"
grep -q '"state":"finished"' "$work/straight.json" || fail "the uninterrupted run did not finish"

# Started with paths relative to its working directory: the run records them absolute, so
# `crisp resume` finds them from any directory.
(cd "$work" && exec "$crisp" train --out stopped "${args[@]}" --train checkout-a/train.tsv \
  --dev checkout-a/dev.tsv --tokenizer checkout-a/vocab.txt) >"$work/stopped.log" 2>&1 &
pid=$!
checkpoint="$work/stopped/checkpoints/step-00000010"
for _ in $(seq 1 1200); do
  [ -d "$checkpoint" ] && break
  sleep 0.05
done
[ -d "$checkpoint" ] || fail "no --save-every checkpoint at step 10"
stop_by_sigterm "$pid" "$work/stopped.log"
grep -q '"input_fingerprints"' "$work/stopped/config.json" ||
  fail "the run recorded no input fingerprints"
grep -qF "\"$work/checkout-a/train.tsv\"" "$work/stopped/config.json" ||
  fail "the run recorded its relative data path as given"

mv "$work/checkout-a" "$work/checkout-b"
expect_exit 2 "training data \".*checkout-a/train.tsv\" is gone; if it moved, give its new path with --train" \
  "$crisp" resume "$work/stopped"

# Other content at the new path: refused, naming the recorded and the given path.
write_data "$work/other" 1000
expect_exit 2 "train_data: recorded \".*checkout-a/train.tsv\", now \".*other/train.tsv\", which holds other content" \
  "$crisp" resume "$work/stopped" --train "$work/other/train.tsv" --dev "$work/checkout-b/dev.tsv"

# The new paths relative to the directory `crisp resume` runs in.
(cd "$work/checkout-b" && exec "$crisp" resume "$work/stopped" --train train.tsv \
  --dev dev.tsv --json) >"$work/resumed.json" 2>"$work/resumed.log" ||
  fail "resume with the moved data: $(cat "$work/resumed.log")"
grep -q '"state":"finished"' "$work/resumed.json" || fail "the resumed run did not finish"
# It records where its data is now: the next resume needs no flags.
grep -qF "\"$work/checkout-b/train.tsv\"" "$work/stopped/config.json" ||
  fail "the resumed run still records the data's old path"
"$crisp" resume "$work/stopped" >"$work/again.log" 2>&1 ||
  fail "resume once more, without flags: $(cat "$work/again.log")"
"$py" "$here/same_metrics.py" "$work/straight/metrics.jsonl" "$work/stopped/metrics.jsonl"
echo "PASS"
