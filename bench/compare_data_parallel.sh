#!/usr/bin/env bash
# Training step time of distilbert-base on SST-2 rows: one process (2 threads) against 2 Gloo
# ranks (1 thread each) with gradients reduced during backward (the default) and after it
# (CRISP_DIST_OVERLAP=0). Same global batch; the median step time of steps 2..N from
# metrics.jsonl (the machine is shared: the median resists other work's bursts).
#   bench/compare_data_parallel.sh [STEPS (10)] [BATCH (32)]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
crisp=$root/build/release/bin/crisp
shared=${CRISP_SHARED:-$root/../shared}
steps=${1:-10}
batch=${2:-32}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n $((steps * batch + 1)) "$shared/data/sst2/train.tsv" >"$work/train.tsv"
head -n $((batch + 1)) "$shared/data/sst2/dev.tsv" >"$work/dev.tsv"
cat >"$work/experiment.json" <<JSON
{"name": "dp-bench", "model": "preset:distilbert-base",
 "tokenizer": "$shared/data/bert-base-uncased", "train_data": "$work/train.tsv",
 "dev_data": "$work/dev.tsv", "max_length": 64,
 "hyperparameters": {"epochs": 1, "batch_size": $batch, "log_every": 1}}
JSON
step_ms() {  # median step time of a run, steps 2..N
  /usr/bin/python3 - "$1/metrics.jsonl" <<'PY'
import json, sys
t = [r["time"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "train"]
d = [b - a for a, b in zip(t, t[1:])]
m = sorted(d)[len(d) // 2] if len(d) % 2 else sum(sorted(d)[len(d) // 2 - 1:len(d) // 2 + 1]) / 2
print(f"median {1000 * m:.0f} ms/step, steps 2..{len(t)}: {' '.join(f'{1000 * x:.0f}' for x in d)}")
PY
}
echo "distilbert-base, $steps steps of $batch x <=64 tokens (SST-2), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$crisp" --threads 2 train --experiment "$work/experiment.json" --out "$work/one" --json >/dev/null 2>&1
echo "1 process, 2 threads:             $(step_ms "$work/one")"
"$crisp" --threads 1 train --experiment "$work/experiment.json" --out "$work/overlap" --nproc 2 \
  --json >/dev/null 2>&1
echo "2 ranks, 1 thread, during backward: $(step_ms "$work/overlap")"
CRISP_DIST_OVERLAP=0 "$crisp" --threads 1 train --experiment "$work/experiment.json" \
  --out "$work/after" --nproc 2 --json >/dev/null 2>&1
echo "2 ranks, 1 thread, after backward:  $(step_ms "$work/after")"
