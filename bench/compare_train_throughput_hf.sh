#!/usr/bin/env bash
# Fine-tuning throughput on a real pretrained checkpoint: one epoch of crisp's trainer
# (`crisp bench train-throughput --model DIR`) against transformers' own model in PyTorch eager
# (bench/train_throughput_hf.py) on exactly the same batches, dense, ROUNDS times alternating
# which goes first. Prints sentences/s per round and the ratio crisp/transformers (target >= 1.2x).
# See docs/BENCHMARKS.md.
#
#   bench/compare_train_throughput_hf.sh [CRISP_BINARY [BASELINE_BINARY]]
#     CRISP_BINARY: default build/release/bin/crisp; BASELINE_BINARY: another build of crisp
#     (say, of the commit before a change) timed in the same rounds, with its own ratios.
#   MODEL=<dir>  (default: all-MiniLM-L6-v2 from build/pyenv, scripts/pyenv-models)
#   THREADS=2 BATCH=32 MAX_LEN=64 SENTENCES=2048 ROUNDS=2 TRAIN=../shared/data/sst2/train.tsv
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crisp="${1:-$root/build/release/bin/crisp}"
baseline="${2:-}"
"$root/scripts/setup-pyenv"
python="$root/build/pyenv/bin/python"
model="${MODEL:-$("$python" "$root/scripts/pyenv-models" all-MiniLM-L6-v2)}"
threads="${THREADS:-2}" batch="${BATCH:-32}" max_len="${MAX_LEN:-64}"
sentences="${SENTENCES:-2048}" rounds="${ROUNDS:-2}"
train="${TRAIN:-$root/../shared/data/sst2/train.tsv}"
for binary in "$crisp" $baseline; do
  [ -x "$binary" ] || { echo "compare_train_throughput_hf.sh: no crisp binary at $binary" >&2; exit 1; }
done
[ -f "$train" ] || { echo "compare_train_throughput_hf.sh: no SST-2 at $train" >&2; exit 1; }
export HF_HUB_OFFLINE=1 OMP_NUM_THREADS="$threads"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "model $model"
echo "SST-2 train (first $sentences rows), batch $batch, max length $max_len, $threads threads, dense"
run_crisp() {  # ROUND [BINARY [NAME]]
  "${2:-$crisp}" bench train-throughput --model "$model" --train "$train" --sentences "$sentences" \
    --batch "$batch" --max-len "$max_len" --threads "$threads" \
    --batches-out "$scratch/batches.jsonl" --json >"$scratch/${3:-cpp}-$1.json"
}
run_baseline() { [ -z "$baseline" ] || run_crisp "$1" "$baseline" base; }
run_hf() {
  "$python" "$root/bench/train_throughput_hf.py" --batches "$scratch/batches.jsonl" \
    --model "$model" --threads "$threads" --json >"$scratch/hf-$1.json"
}
run_crisp 0  # the batches file for the first round
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    echo "round $round: crisp, ${baseline:+the baseline, }then transformers ..." >&2
    run_crisp "$round"; run_baseline "$round"; run_hf "$round"
  else
    echo "round $round: transformers, ${baseline:+the baseline, }then crisp ..." >&2
    run_hf "$round"; run_baseline "$round"; run_crisp "$round"
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$scratch" "$rounds" <<'PY'
import json, os, sys
scratch, rounds = sys.argv[1], int(sys.argv[2])
print()
print("| round | timed sentences | mean padded length | crisp sentences/s | transformers "
      "sentences/s | crisp / transformers | crisp peak RSS MB | transformers peak RSS MB |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
def results(name):
    return [json.load(open(f"{scratch}/{name}-{r}.json")) for r in range(1, rounds + 1)]
crisp, hf = results("cpp"), results("hf")
for r, (c, h) in enumerate(zip(crisp, hf), 1):
    assert c["timed_sentences"] == h["timed_sentences"], "the two ran different batches"
    ratio = c["sentences_per_second"] / h["sentences_per_second"]
    print(f"| {r} | {c['timed_sentences']} | {c['mean_padded_length']:.1f} | "
          f"{c['sentences_per_second']:.1f} | {h['sentences_per_second']:.1f} | {ratio:.2f}x | "
          f"{c['peak_rss_mb']:.0f} | {h['peak_rss_mb']:.0f} |")
if os.path.exists(f"{scratch}/base-1.json"):
    print("\n| round | baseline sentences/s | crisp sentences/s | crisp / baseline "
          "| baseline / transformers |")
    print("|---:|---:|---:|---:|---:|")
    for r, (b, c, h) in enumerate(zip(results("base"), crisp, hf), 1):
        assert b["timed_sentences"] == c["timed_sentences"], "the builds ran different batches"
        print(f"| {r} | {b['sentences_per_second']:.1f} | {c['sentences_per_second']:.1f} | "
              f"{c['sentences_per_second'] / b['sentences_per_second']:.2f}x | "
              f"{b['sentences_per_second'] / h['sentences_per_second']:.2f}x |")
print(f"\npeer: {h['implementation']}; target crisp / transformers >= 1.2x")
PY
