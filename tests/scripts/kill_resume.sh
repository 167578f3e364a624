#!/usr/bin/env bash
# kill -9 a `crisp train` mid-run, `crisp resume` it, and compare its metrics with an
# uninterrupted run of the same configuration and seed (wall-clock fields excepted).
set -euo pipefail
crisp=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
# One thread: with two, a busy machine's spin-waiting made these three short runs take up to
# ten minutes (measured while other builds ran); one thread keeps it deterministic and steady.
export CRISP_THREADS=1
args=(--epochs 2 --eval-every 25 --seed 11 --name kill-test)

"$crisp" train --out "$work/straight" "${args[@]}" --json >"$work/straight.json" 2>/dev/null

"$crisp" train --out "$work/killed" "${args[@]}" >"$work/killed.log" 2>&1 &
pid=$!
# Kill it once a checkpoint exists and a little training has happened after it.
for _ in $(seq 1 600); do
  if compgen -G "$work/killed/checkpoints/step-*" >/dev/null; then break; fi
  sleep 0.1
done
sleep 1.5
kill -9 "$pid" 2>/dev/null || { echo "FAIL: the run ended before it could be killed" >&2; exit 1; }
wait "$pid" 2>/dev/null || true
echo "killed after $(ls "$work/killed/checkpoints" | tr '\n' ' ')"

"$crisp" resume "$work/killed" --json >"$work/resumed.json" 2>"$work/resumed.log"
grep -q '"state":"finished"' "$work/resumed.json"

/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/same_metrics.py" "$work/straight/metrics.jsonl" \
  "$work/killed/metrics.jsonl"
