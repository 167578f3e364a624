#!/usr/bin/env bash
# Training throughput on SST-2 sentences: one epoch of crisp's real trainer (`crisp bench
# train-throughput`) against the same training loop in PyTorch eager
# (bench/train_throughput_pytorch.py) on exactly the same batches, for tiny, small and
# distilbert-base, dense, in one run. Prints sentences/s, peak RSS and the ratios crisp/PyTorch
# against the targets (>= 1.3x at tiny, >= 1.0x at distilbert-base). See docs/BENCHMARKS.md.
#
#   bench/compare_train_throughput.sh [CRISP_BINARY]     (default: build/release/bin/crisp)
#   THREADS=2 BATCH=32 MAX_LEN=64 PRESETS="tiny small distilbert-base"
#   SENTENCES_tiny=8192 SENTENCES_small=4096 SENTENCES_distilbert_base=1024
#   TRAIN=../shared/data/sst2/train.tsv TOKENIZER=../shared/data/bert-base-uncased
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crisp="${1:-$root/build/release/bin/crisp}"
python=/usr/bin/python3  # Debian's python3-torch; a pyenv python3 may shadow it
threads="${THREADS:-2}" batch="${BATCH:-32}" max_len="${MAX_LEN:-64}"
presets="${PRESETS:-tiny small distilbert-base}"
train="${TRAIN:-$root/../shared/data/sst2/train.tsv}"
tokenizer="${TOKENIZER:-$root/../shared/data/bert-base-uncased}"

[ -x "$crisp" ] || { echo "compare_train_throughput.sh: no crisp binary at $crisp" >&2; exit 1; }
[ -f "$train" ] || { echo "compare_train_throughput.sh: no SST-2 at $train" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "compare_train_throughput.sh: $python has no torch (apt-get install python3-torch)" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SST-2 train (first N rows), batch $batch, max length $max_len, $threads threads, dense"
for preset in $presets; do
  var="SENTENCES_${preset//-/_}"
  case "$preset" in tiny) default=8192 ;; small) default=4096 ;; *) default=1024 ;; esac
  sentences="${!var:-$default}"
  echo "running $preset: crisp ($sentences sentences) ..." >&2
  "$crisp" bench train-throughput --preset "$preset" --train "$train" --tokenizer "$tokenizer" \
    --sentences "$sentences" --batch "$batch" --max-len "$max_len" --threads "$threads" \
    --batches-out "$scratch/batches-$preset.jsonl" --json >"$scratch/cpp-$preset.json"
  echo "running $preset: PyTorch on the same batches ..." >&2
  "$python" "$root/bench/train_throughput_pytorch.py" --batches "$scratch/batches-$preset.jsonl" \
    --preset "$preset" --max-positions $((max_len > 64 ? max_len : 64)) --threads "$threads" \
    --json >"$scratch/py-$preset.json"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$scratch" $presets <<'EOF'
import json, sys
scratch, presets = sys.argv[1], sys.argv[2:]
targets = {"tiny": 1.3, "distilbert-base": 1.0}
print()
print("| preset | timed sentences | mean padded length | crisp sentences/s | PyTorch sentences/s "
      "| crisp / PyTorch | target | crisp peak RSS MB | PyTorch peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
for preset in presets:
    c = json.load(open(f"{scratch}/cpp-{preset}.json"))
    p = json.load(open(f"{scratch}/py-{preset}.json"))
    ratio = c["sentences_per_second"] / p["sentences_per_second"]
    target = targets.get(preset)
    verdict = f">= {target:.1f}x: {'met' if ratio >= target else 'MISSED'}" if target else "-"
    print(f"| {preset} | {c['timed_sentences']} | {c['mean_padded_length']:.1f} | "
          f"{c['sentences_per_second']:.0f} | {p['sentences_per_second']:.0f} | {ratio:.2f}x | "
          f"{verdict} | {c['peak_rss_mb']:.0f} | {p['peak_rss_mb']:.0f} |")
EOF
