#!/usr/bin/env bash
# kill -9 a `crisp train` mid-run, `crisp resume` it, and compare its metrics with an
# uninterrupted run of the same configuration and seed (wall-clock fields excepted).
set -euo pipefail
crisp=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
export CRISP_THREADS=2
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

/usr/bin/python3 - "$work/straight/metrics.jsonl" "$work/killed/metrics.jsonl" <<'PY'
import json, math, sys
def load(path):
    out = []
    for line in open(path):
        r = json.loads(line)
        r.pop("time", None)
        out.append(r)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b), f"{len(a)} records uninterrupted vs {len(b)} after kill and resume"
def close(x, y):
    if isinstance(x, float) or isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-6)
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
    return x == y
bad = [(p, q) for p, q in zip(a, b) if not close(p, q)]
assert not bad, f"first difference: {bad[0]}"
evals = [r for r in a if r["type"] == "eval"]
print(f"ok: {len(a)} records match ({len(evals)} evaluations; final accuracy {evals[-1]['accuracy']:.4f})")
PY
