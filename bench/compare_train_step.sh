#!/usr/bin/env bash
# One training step (forward + backward + AdamW) of distilbert-base, batch 32 x 64 tokens, two
# threads: crisp's LibTorch model against the PyTorch-eager peer (bench/train_step_pytorch.py),
# dense and crisp:0.8, in one run. Prints each result and the ratios crisp/dense (target
# <= 1.10x) and C++/PyTorch (target <= 1.00x: C++ no slower). See docs/BENCHMARKS.md.
#
#   bench/compare_train_step.sh [CRISP_BINARY]     (default: build/release/bin/crisp)
#   STEPS=8 WARMUP=2 THREADS=2 BATCH=32 SEQ=64 PRESET=distilbert-base SPARSITY=0.8 ... (env)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crisp="${1:-$root/build/release/bin/crisp}"
python=/usr/bin/python3  # Debian's python3-torch; a pyenv python3 may shadow it
steps="${STEPS:-8}" warmup="${WARMUP:-2}" threads="${THREADS:-2}"
batch="${BATCH:-32}" seq="${SEQ:-64}" preset="${PRESET:-distilbert-base}"
sparse="crisp:${SPARSITY:-0.8}"

[ -x "$crisp" ] || { echo "compare_train_step.sh: no crisp binary at $crisp (build first)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "compare_train_step.sh: $python has no torch (apt-get install python3-torch)" >&2; exit 1; }

common=(--preset "$preset" --batch "$batch" --seq "$seq" --steps "$steps" --warmup "$warmup"
        --threads "$threads" --json)
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if awk -v cores="$(nproc)" '{ exit !($1 > 0.5 * cores) }' /proc/loadavg; then
  echo "warning: the machine is busy (load average above half the cores): other processes take" \
       "cores from the timed threads, and the figures will not be comparable" >&2
fi
echo "$preset, batch $batch x $seq tokens, $threads threads, $warmup warm-up + $steps timed steps"
# Interleaved so that a change in machine load hits both implementations alike.
for attention in dense "$sparse"; do
  echo "running crisp   $attention ..." >&2
  echo "cpp $("$crisp" bench train-step "${common[@]}" --attention "$attention")" >>"$results"
  echo "running pytorch $attention ..." >&2
  echo "py $("$python" "$root/bench/train_step_pytorch.py" "${common[@]}" --attention "$attention")" \
    >>"$results"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$results" "$sparse" <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    impl, _, text = line.partition(" ")
    r = json.loads(text)
    rows[(impl, "dense" if r["attention"] == "dense" else "sparse")] = r
sparse = sys.argv[2]
name = {"cpp": "crisp (C++/LibTorch)", "py": "PyTorch eager"}
print()
print("| implementation | attention | median ms/step | min ms/step | peak RSS MB |")
print("|---|---|---:|---:|---:|")
for impl in ("cpp", "py"):
    for kind in ("dense", "sparse"):
        r = rows[(impl, kind)]
        print(f"| {name[impl]} | {r['attention']} | {r['step_ms_median']:.0f} | "
              f"{r['step_ms_min']:.0f} | {r['peak_rss_mb']:.0f} |")
print()
def ratio(a, b, key="step_ms_median"):
    return a[key] / b[key]
verdict = lambda ok: "met" if ok else "MISSED"
for impl in ("cpp", "py"):
    r = ratio(rows[(impl, "sparse")], rows[(impl, "dense")])
    target = f" (target <= 1.10x: {verdict(r <= 1.10)})" if impl == "cpp" else ""
    print(f"{sparse}/dense, {name[impl]}: {r:.3f}x median, "
          f"{ratio(rows[(impl, 'sparse')], rows[(impl, 'dense')], 'step_ms_min'):.3f}x min{target}")
for kind in ("dense", "sparse"):
    r = ratio(rows[("cpp", kind)], rows[("py", kind)])
    label = "dense" if kind == "dense" else sparse
    print(f"C++/PyTorch, {label}: {r:.3f}x median, "
          f"{ratio(rows[('cpp', kind)], rows[('py', kind)], 'step_ms_min'):.3f}x min "
          f"(target <= 1.00x: {verdict(r <= 1.00)})")
EOF
