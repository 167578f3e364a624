#!/usr/bin/env bash
# Bad input exits 2 with one "crisp COMMAND: error:" line naming the culprit, for each command
# (the README's promise: 0 ok, 1 failure at run time, 2 bad input or usage).
#   cli_bad_input_exit.sh CRISP_BINARY WORK_DIR COMMAND
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
command=$3
missing=$work/missing

case $command in
  train)
    expect_exit 2 "crisp: error: .*missing/train.tsv" \
      "$crisp" train --out "$work/run" --train "$missing/train.tsv" --dev "$missing/dev.tsv"
    expect_exit 2 "crisp:1.5" "$crisp" train --out "$work/run" --attention crisp:1.5 ;;
  resume) expect_exit 2 "crisp resume: error: .*missing/config.json" "$crisp" resume "$missing" ;;
  sweep) expect_exit 2 "crisp sweep: error: .*missing/set.json" \
    "$crisp" sweep "$missing/set.json" --out "$work/sweep" ;;
  stats) expect_exit 2 "crisp stats: error: .*: no run directories" "$crisp" stats "$work" ;;
  eval) expect_exit 2 "crisp eval: error: .*missing: no such run" "$crisp" eval "$missing" ;;
  predict) expect_exit 2 "crisp predict: error: .*missing: no such run" \
    "$crisp" predict "$missing" "good" ;;
  inspect) expect_exit 2 "crisp inspect: error: .*missing: no such run" \
    "$crisp" inspect "$missing" "good" ;;
  export) expect_exit 2 "crisp export: error: .*missing" \
    "$crisp" export "$missing" --out "$work/exported" ;;
  forward) expect_exit 2 "crisp forward: error: .*missing" \
    "$crisp" forward --model "$missing" --ids "101,102" ;;
  tokenize) expect_exit 2 "crisp tokenize: error: .*missing" \
    "$crisp" tokenize --tokenizer "$missing" </dev/null ;;
  bench-train-step) expect_exit 2 "crisp bench train-step: error: .*huge" \
    "$crisp" bench train-step --preset huge ;;
  bench-train-throughput) expect_exit 2 "crisp bench train-throughput: error: .*missing/train.tsv" \
    "$crisp" bench train-throughput --train "$missing/train.tsv" --tokenizer "$missing" ;;
  bench-flops)
    expect_exit 2 "crisp bench flops: error: .*huge" "$crisp" bench flops --preset huge
    expect_exit 2 "crisp bench flops: error: .*crisp:7" "$crisp" bench flops --attention crisp:7 ;;
  info) CRISP_THREADS=zero expect_exit 2 "crisp: error: CRISP_THREADS" "$crisp" info ;;
  policies) expect_exit 2 "extra" "$crisp" policies extra ;;
  *) fail "no case for $command" ;;
esac
echo "PASS: crisp $command exits 2 on bad input"
