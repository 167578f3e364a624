#!/usr/bin/env bash
# Training throughput on a shared machine: the real trainer (`crisp bench train-throughput`,
# preset small, SST-2) quiet and with one CPU-bound process beside it (a shell busy loop), for
# the old default (threads = all cores, fixed) and the new one (no --threads: the usable CPUs,
# lowered while other processes are busy). Rounds alternate the order; medians are printed with
# the ratios that matter: contended / quiet for each default.
#   bench/contended_throughput.sh [CRISP] [SENTENCES] [ROUNDS]
set -euo pipefail
crisp=${1:-build/release/bin/crisp}
sentences=${2:-2048}
rounds=${3:-3}
shared=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared
cores=$(nproc)
unset CRISP_THREADS OMP_NUM_THREADS

measure() {  # measure EXTRA_ARGS... -> sentences/s
  "$crisp" bench train-throughput --preset small --train "$shared/data/sst2/train.tsv" \
    --tokenizer "$shared/data/bert-base-uncased" --sentences "$sentences" --json "$@" 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(round(json.load(sys.stdin)["sentences_per_second"],1))'
}

declare -A results
hog=
stop_hog() {
  if [ -n "$hog" ]; then
    kill "$hog" 2>/dev/null || true
    wait "$hog" 2>/dev/null || true
  fi
  hog=
}
trap stop_hog EXIT
for round in $(seq 1 "$rounds"); do
  for load in quiet contended; do
    [ "$load" = contended ] && { sh -c 'while :; do :; done' & hog=$!; sleep 1; }
    order=(old new)
    [ $((round % 2)) -eq 0 ] && order=(new old)
    for which in "${order[@]}"; do
      if [ "$which" = old ]; then value=$(measure --threads "$cores"); else value=$(measure); fi
      results[$load-$which]+="$value "
      echo "round $round, $load, $which default: $value sentences/s" >&2
    done
    stop_hog
  done
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { /usr/bin/python3 -c "print($1 / $2)"; }
echo "| default | quiet (sentences/s) | one busy process beside it | contended / quiet |"
echo "|---|---|---|---|"
for which in old new; do
  q=$(median "${results[quiet-$which]}")
  c=$(median "${results[contended-$which]}")
  label=$([ "$which" = old ] && echo "old: $cores threads, fixed" || echo "new: usable CPUs, adapts")
  printf '| %s | %s (%s) | %s (%s) | %.2f |\n' "$label" "$q" "${results[quiet-$which]% }" "$c" \
    "${results[contended-$which]% }" "$(ratio "$c" "$q")"
done
qo=$(median "${results[quiet-old]}")
cn=$(median "${results[contended-new]}")
printf 'new default contended / old default quiet: %.2f (target >= 0.45)\n' "$(ratio "$cn" "$qo")"
