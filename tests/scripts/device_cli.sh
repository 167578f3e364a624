#!/usr/bin/env bash
# `--device` and the experiment file's "device" key through the real binary: spellings are
# checked, and where this LibTorch has no CUDA (the CPU build), asking for it exits 2 with a
# message that names the flag or the key; `auto` and `cpu` train.
#   device_cli.sh CRISP_BINARY WORK_DIR
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

cat >"$work/tiny.json" <<'JSON'
{"demo_train_size": 64, "demo_dev_size": 32, "hyperparameters": {"epochs": 1, "batch_size": 32}}
JSON
expect_exit 2 '--device: "gpu" is not a device \(expected cpu, cuda, cuda:N or auto\)' \
  "$crisp" train --out "$work/bad" --experiment "$work/tiny.json" --device gpu
echo '{"device": "tpu"}' >"$work/bad.json"
expect_exit 2 'bad.json: device: "tpu" is not a device' \
  "$crisp" train --out "$work/bad" --experiment "$work/bad.json"
echo '{"devise": "cpu"}' >"$work/typo.json"
expect_exit 2 'typo.json: devise: unknown field; did you mean "device"\?' \
  "$crisp" train --out "$work/bad" --experiment "$work/typo.json"

# auto is cuda:0 where CUDA is available, else the CPU; a run made on one device resumes on
# another.
expected=cpu
"$crisp" info --json | matches '"cuda:0"' && expected=cuda:0
"$crisp" train --out "$work/auto" --experiment "$work/tiny.json" --device auto >"$work/out"
grep -q "\"device\": \"$expected\"" "$work/auto/config.json" || fail "auto did not record $expected"
"$crisp" resume "$work/auto" --device cpu >"$work/out" || fail "resume --device cpu failed"

if [ "$expected" != cpu ]; then
  echo "CUDA is available here: the refusals below do not apply"
  exit 0
fi
expect_exit 2 '--device: "cuda" asks for CUDA, but .*; use cpu, or auto' \
  "$crisp" train --out "$work/cuda" --experiment "$work/tiny.json" --device cuda
[ ! -e "$work/cuda" ] || fail "a refused run left $work/cuda behind"
echo '{"device": "cuda:1", "demo_train_size": 64, "demo_dev_size": 32}' >"$work/cuda.json"
expect_exit 2 'cuda.json: device: "cuda:1" asks for CUDA' \
  "$crisp" train --out "$work/cuda" --experiment "$work/cuda.json"
expect_exit 2 '--device: "cuda" asks for CUDA' "$crisp" eval "$work/auto" --device cuda
expect_exit 2 '--device: "cuda:0" asks for CUDA' "$crisp" resume "$work/auto" --device cuda:0
echo "device_cli: all checks passed"
