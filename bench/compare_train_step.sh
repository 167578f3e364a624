#!/usr/bin/env bash
# One training step (forward + backward + AdamW) of distilbert-base, batch 32 x 64 tokens, two
# threads: crisp's LibTorch model against the PyTorch-eager peer (bench/train_step_pytorch.py),
# dense and crisp:0.8, in one run. Prints each result and the ratios crisp/dense (target
# <= 1.10x) and C++/PyTorch (target <= 1.00x: C++ no slower). See docs/BENCHMARKS.md.
#
#   bench/compare_train_step.sh [CRISP_BINARY]     (default: build/release/bin/crisp)
#   STEPS=8 WARMUP=2 THREADS=2 BATCH=32 SEQ=64 PRESET=distilbert-base SPARSITY=0.8 ROUNDS=1
#
# ROUNDS repeats the four runs, interleaved; the figures pool the timed steps of every round.
# "other CPU" is the CPU time other processes took during a run, as a share of the machine
# (busy time from /proc/stat minus the run's own CPU time): above a few percent, cores were
# taken from the timed threads and the medians are not comparable (the minima hold up better).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crisp="${1:-$root/build/release/bin/crisp}"
python=/usr/bin/python3  # Debian's python3-torch; a pyenv python3 may shadow it
steps="${STEPS:-8}" warmup="${WARMUP:-2}" threads="${THREADS:-2}" rounds="${ROUNDS:-1}"
batch="${BATCH:-32}" seq="${SEQ:-64}" preset="${PRESET:-distilbert-base}"
sparse="crisp:${SPARSITY:-0.8}"

[ -x "$crisp" ] || { echo "compare_train_step.sh: no crisp binary at $crisp (build first)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "compare_train_step.sh: $python has no torch (apt-get install python3-torch)" >&2; exit 1; }

common=(--preset "$preset" --batch "$batch" --seq "$seq" --steps "$steps" --warmup "$warmup"
        --threads "$threads" --json)
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

busy_ms() {  # CPU time the whole machine has spent busy, in ms (USER_HZ = 100)
  awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) * 10; exit }' /proc/stat
}
run() {  # run LABEL COMMAND...: one JSON line, tagged, with the machine's busy time and wall time
  local label=$1 before after start end json
  shift
  echo "running $label ..." >&2
  before=$(busy_ms) start=$(date +%s%N)
  json="$("$@")"
  after=$(busy_ms) end=$(date +%s%N)
  echo "$label $((after - before)) $(((end - start) / 1000000)) $json" >>"$results"
}

echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$preset, batch $batch x $seq tokens, $threads threads, $warmup warm-up + $steps timed steps," \
     "$rounds round(s)"
# Interleaved so that a change in machine load hits both implementations alike; even rounds
# run PyTorch first, so that neither side always runs right after the other.
for ((round = 1; round <= rounds; ++round)); do
  for attention in dense "$sparse"; do
    cpp_run() { run cpp "$crisp" bench train-step "${common[@]}" --attention "$attention"; }
    py_run() { run py "$python" "$root/bench/train_step_pytorch.py" "${common[@]}" --attention "$attention"; }
    if ((round % 2 == 1)); then cpp_run; py_run; else py_run; cpp_run; fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$results" "$sparse" "$(nproc)" <<'EOF'
import json, statistics, sys
runs = {}
cores = int(sys.argv[3])
for line in open(sys.argv[1]):
    impl, busy, wall, text = line.split(" ", 3)
    r = json.loads(text)
    other = max(0.0, float(busy) - r["process_cpu_ms"]) / (float(wall) * cores)
    kind = "dense" if r["attention"] == "dense" else "sparse"
    runs.setdefault((impl, kind), []).append((r, other))
sparse = sys.argv[2]
name = {"cpp": "crisp (C++/LibTorch)", "py": "PyTorch eager"}
summary = {}
for key, rs in runs.items():
    steps = [t for r, _ in rs for t in r["step_ms"]]
    summary[key] = {"median": statistics.median(steps), "min": min(steps),
                    "rss": max(r["peak_rss_mb"] for r, _ in rs),
                    "other": max(o for _, o in rs), "attention": rs[0][0]["attention"],
                    "phases": [statistics.median(r[f"{p}_ms_median"] for r, _ in rs)
                               for p in ("forward", "backward", "optimizer")]}
print()
print("| implementation | attention | median ms/step | min ms/step | forward / backward / "
      "optimizer ms | peak RSS MB | other CPU |")
print("|---|---|---:|---:|---:|---:|---:|")
for impl in ("cpp", "py"):
    for kind in ("dense", "sparse"):
        s = summary[(impl, kind)]
        phases = " / ".join(f"{p:.0f}" for p in s["phases"])
        print(f"| {name[impl]} | {s['attention']} | {s['median']:.0f} | {s['min']:.0f} | "
              f"{phases} | {s['rss']:.0f} | {100 * s['other']:.0f}% |")
print()
verdict = lambda ok: "met" if ok else "MISSED"
def line(label, a, b, target):
    r_med, r_min = a["median"] / b["median"], a["min"] / b["min"]
    tail = f" (target <= {target:.2f}x: {verdict(r_med <= target)} on medians, " \
           f"{verdict(r_min <= target)} on minima)" if target else ""
    print(f"{label}: {r_med:.3f}x median, {r_min:.3f}x min{tail}")
for impl in ("cpp", "py"):
    line(f"{sparse}/dense, {name[impl]}", summary[(impl, "sparse")], summary[(impl, "dense")],
         1.10 if impl == "cpp" else None)
for kind, label in (("dense", "dense"), ("sparse", sparse)):
    line(f"C++/PyTorch, {label}", summary[("cpp", kind)], summary[("py", kind)], 1.00)
if max(s["other"] for s in summary.values()) > 0.05:
    print("warning: other processes took more than 5% of the machine during a run; "
          "compare the minima, or run again on a quiet machine")
EOF
