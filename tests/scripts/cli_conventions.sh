#!/usr/bin/env bash
# The command line's conventions, one case per CTest test:
#   version       --version prints the line `crisp info` starts with, exit 0
#   did_you_mean  a mistyped command or option gets a suggestion, exit 2
#   global_flags  --threads / --quiet are accepted after the command too
#   help          --help shows defaults; the top-level help is short, one line per command
#   quiet_verbose --quiet leaves the result alone on stdout and nothing on stderr; --verbose adds
#                 the resolved configuration and the thread choice
#   json          --json of stats, bench flops and predict parses, with the documented fields
#   run_identity  runs are named DATA-MODEL-POLICY; the demo's defaults only for the demo; stats
#                 never averages runs of different data, and refuses when no run counts
#   completion    the bash and zsh scripts from `crisp completion` complete commands and options
#                 (the zsh one too, where zsh is installed)
#   cli_conventions.sh CRISP_BINARY WORK_DIR CASE
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
case_name=$3

# A tiny demo experiment: a few seconds to train.
cat >"$work/tiny.json" <<'JSON'
{"demo_train_size": 96, "demo_dev_size": 32, "hyperparameters": {"epochs": 1, "seed": 3}}
JSON

json_field() {  # json_field FILE PYTHON_EXPRESSION_OF_j
  $py -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1"
}

case $case_name in
  version)
    "$crisp" --version >"$work/version"
    "$crisp" info >"$work/info" 2>/dev/null
    [ "$(cat "$work/version")" = "$(head -1 "$work/info")" ] ||
      fail "--version: '$(cat "$work/version")', info starts '$(head -1 "$work/info")'"
    grep -Eq '^Crisp Studio [0-9]+\.[0-9]+\.[0-9]+ \(git ' "$work/version" ||
      fail "--version: $(cat "$work/version")"
    ;;
  did_you_mean)
    expect_exit 2 'unknown command "trian"; did you mean "train"\?' "$crisp" trian
    expect_exit 2 'crisp train: error: unknown option --epoch; did you mean --epochs\?' \
      "$crisp" train --out "$work/run" --epoch 1
    expect_exit 2 'crisp bench: error: unknown command "flop"; did you mean "flops"\?' \
      "$crisp" bench flop
    expect_exit 2 'unknown option --chekpoint; did you mean --checkpoint\?' \
      "$crisp" eval "$work/run" --chekpoint last
    expect_exit 2 'unknown option --thread; did you mean --threads\?' "$crisp" info --thread 1
    [ ! -e "$work/run" ] || fail "a refused command line created $work/run"
    ;;
  global_flags)
    "$crisp" info --threads 1 --json >"$work/info.json"
    [ "$(json_field "$work/info.json" 'j["threads"]["intra_op"], j["threads"]["source"]')" = \
      "1 --threads" ] || fail "info --threads 1: $(cat "$work/info.json")"
    "$crisp" --threads 1 info --json >"$work/before.json"
    [ "$(json_field "$work/before.json" 'j["threads"]["intra_op"]')" = 1 ] ||
      fail "--threads 1 info"
    "$crisp" bench flops --preset tiny --seq 8 --quiet --threads 1 >/dev/null 2>"$work/err" ||
      fail "global flags after a nested command: $(cat "$work/err")"
    ;;
  help)
    "$crisp" --help >"$work/help"
    lines=$(wc -l <"$work/help")
    [ "$lines" -le 26 ] || fail "the top-level help has $lines lines: $(cat "$work/help")"
    for command in train resume sweep stats eval predict inspect export forward tokenize bench \
      policies info; do
      [ "$(grep -Ec "^  $command +[A-Z]" "$work/help")" -eq 1 ] ||
        fail "no one-line entry for $command in: $(cat "$work/help")"
    done
    grep -q -- "--version" "$work/help" || fail "the help does not mention --version"
    "$crisp" train --help >"$work/train-help"
    for default in "--epochs INT=3 " "--batch INT=32 " "--lr FLOAT=5e-05 " "--seed INT=42 " \
      "--attention TEXT=dense " "--device TEXT=cpu "; do
      grep -qF -- "$default" "$work/train-help" || fail "train --help lacks '$default'"
    done
    grep -q "^Examples:" "$work/train-help" || fail "train --help lost its examples"
    "$crisp" bench train-step --help | matches -F -- "--steps INT:POSITIVE=8 " ||
      fail "bench train-step --help shows no default for --steps"
    "$crisp" predict --help | matches -- "--json .*JSON Lines" ||
      fail "predict --help does not say --json prints JSON Lines"
    ;;
  quiet_verbose)
    "$crisp" train --out "$work/quiet" --experiment "$work/tiny.json" --quiet \
      >"$work/out" 2>"$work/err" || fail "quiet training: $(cat "$work/err")"
    [ ! -s "$work/err" ] || fail "--quiet printed on stderr: $(cat "$work/err")"
    [ "$(wc -l <"$work/out")" -eq 1 ] && grep -q "^finished: " "$work/out" ||
      fail "--quiet stdout is not the result line alone: $(cat "$work/out")"
    "$crisp" train --out "$work/normal" --experiment "$work/tiny.json" \
      >"$work/out" 2>"$work/err" || fail "training: $(cat "$work/err")"
    grep -q "^training demo-tiny-dense " "$work/err" || fail "no training line: $(cat "$work/err")"
    grep -q "^eval step " "$work/err" || fail "no evaluation line on stderr: $(cat "$work/err")"
    [ "$(wc -l <"$work/out")" -eq 1 ] || fail "progress on stdout: $(cat "$work/out")"
    "$crisp" -v train --out "$work/verbose" --experiment "$work/tiny.json" \
      >"$work/out" 2>"$work/err" || fail "verbose training: $(cat "$work/err")"
    grep -q '^experiment: {.*"hyperparameters"' "$work/err" ||
      fail "--verbose printed no configuration: $(cat "$work/err")"
    grep -q "intra-op threads (from CRISP_THREADS" "$work/err" ||
      fail "--verbose printed no thread choice: $(cat "$work/err")"
    "$crisp" --quiet info >"$work/out" 2>"$work/err"
    grep -q "^Crisp Studio" "$work/out" || fail "--quiet info printed no result"
    expect_exit 2 "exclude each other" "$crisp" info --quiet --verbose
    ;;
  json)
    for seed in 1 2; do
      for policy in dense crisp:0.5; do
        "$crisp" train --out "$work/runs/$policy-$seed" --experiment "$work/tiny.json" \
          --attention "$policy" --seed "$seed" --quiet >/dev/null
      done
    done
    "$crisp" stats "$work/runs" --json --resamples 200 >"$work/stats.json"
    "$crisp" bench flops --preset tiny --seq 16 --json >"$work/flops.json"
    "$crisp" predict "$work/runs/dense-1" "a wonderful film" "boring" --json >"$work/predict.jsonl"
    $py - "$work" <<'PY'
import json, sys
work = sys.argv[1]
s = json.load(open(f"{work}/stats.json"))
assert list(s) == ["baseline", "confidence_level", "bootstrap_resamples", "configurations",
                   "comparisons", "warnings"], list(s)
assert s["baseline"] == "demo-tiny-dense" and s["bootstrap_resamples"] == 200, s
names = [c["name"] for c in s["configurations"]]
assert names == ["demo-tiny-crisp0.5", "demo-tiny-dense"] or \
    names == ["demo-tiny-dense", "demo-tiny-crisp0.5"], names
for c in s["configurations"]:
    assert set(c) == {"name", "configuration", "policy", "data", "model", "baseline", "seeds",
                      "best_accuracy", "dev_loss_at_best"}, c
    assert c["seeds"] == [1, 2] and c["best_accuracy"]["n"] == 2, c
    assert 0 <= c["best_accuracy"]["mean"] <= 1
(cmp,) = s["comparisons"]
assert cmp["configuration"] == "demo-tiny-crisp0.5" and cmp["baseline"] == "demo-tiny-dense"
assert set(cmp) == {"configuration", "baseline", "mean_difference", "stratified_p",
                    "stratified_exact", "pooled_b", "pooled_c", "per_seed"}, cmp
assert [p["seed"] for p in cmp["per_seed"]] == [1, 2]
assert set(cmp["per_seed"][0]) == {"seed", "examples", "b", "c", "mcnemar_p",
                                   "accuracy_difference"}
f = json.load(open(f"{work}/flops.json"))
assert (f["seq"], f["batch"]) == (16, 1) and set(f["dense"]) == {
    "total_flops", "embeddings_flops", "head_flops", "layer_flops"}, f
assert [p["policy"] for p in f["policies"]] == ["dense", "crisp:0.6", "crisp:0.7", "crisp:0.8"]
for p in f["policies"]:
    assert set(p["kernels"]) == {"as-implemented", "sparse-after-scores", "ideal-sparse"}, p
    assert p["kernels"]["as-implemented"]["layer_flops"] > 0
dense, crisp = f["policies"][0], f["policies"][3]
assert dense["kept_keys_per_row"] == 16 and crisp["kept_keys_per_row"] < 16
rows = [json.loads(line) for line in open(f"{work}/predict.jsonl")]
assert [r["text"] for r in rows] == ["a wonderful film", "boring"], rows
for r in rows:
    assert set(r) == {"text", "label", "label_id", "probabilities", "tokens", "truncated"}, r
print("stats, bench flops and predict JSON as documented")
PY
    ;;
  run_identity)
    # A data set of its own (folder "mini"), with a vocabulary made here.
    mkdir -p "$work/mini" "$work/vocab"
    printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]' good bad film plot was >"$work/vocab/vocab.txt"
    { printf 'sentence\tlabel\n'; for i in $(seq 1 16); do
        printf 'good film\t1\nbad plot\t0\nthe film was good\t1\nthe plot was bad\t0\n'; done; } \
      >"$work/mini/train.tsv"
    printf 'sentence\tlabel\ngood film\t1\nbad plot\t0\n' >"$work/mini/dev.tsv"
    "$crisp" train --out "$work/runs/mini" --train "$work/mini/train.tsv" \
      --dev "$work/mini/dev.tsv" --tokenizer "$work/vocab" --attention crisp:0.8 --epochs 1 \
      --seed 1 --quiet >/dev/null
    name=$(json_field "$work/runs/mini/config.json" 'j["experiment"]["name"]')
    [ "$name" = "mini-tiny-crisp0.8" ] || fail "the mini run is named '$name'"
    # Not the demo's 16 / 3e-4 / 64: the general defaults.
    [ "$(json_field "$work/runs/mini/config.json" \
      'j["experiment"]["hyperparameters"]["batch_size"], j["experiment"]["hyperparameters"]["learning_rate"], j["experiment"]["max_length"]')" = \
      "32 5e-05 128" ] || fail "the mini run took the demo's defaults: $(cat "$work/runs/mini/config.json")"
    "$crisp" train --out "$work/runs/demo" --experiment "$work/tiny.json" --quiet >/dev/null
    [ "$(json_field "$work/runs/demo/config.json" \
      'j["experiment"]["name"], j["experiment"]["hyperparameters"]["batch_size"], j["experiment"]["max_length"]')" = \
      "demo-tiny-dense 16 64" ] || fail "the demo run: $(cat "$work/runs/demo/config.json")"
    # One name on two data sets: two rows, never one configuration of two seeds.
    "$crisp" train --out "$work/same/demo" --experiment "$work/tiny.json" --name same --quiet \
      >/dev/null
    "$crisp" train --out "$work/same/mini" --train "$work/mini/train.tsv" --dev "$work/mini/dev.tsv" \
      --tokenizer "$work/vocab" --epochs 1 --seed 4 --name same --quiet >/dev/null
    "$crisp" stats "$work/same" --json --resamples 100 >"$work/same.json" 2>"$work/same.err"
    [ "$(json_field "$work/same.json" '" ".join(str(c["best_accuracy"]["n"]) for c in j["configurations"])')" = "1 1" ] ||
      fail "runs of two data sets averaged: $(cat "$work/same.json")"
    grep -q "warning: configuration same has runs with 2 different data, models or settings" "$work/same.err" ||
      fail "no warning about one name on two data sets: $(cat "$work/same.err")"
    # No finished run: refused, and the LaTeX caption never names an empty baseline.
    mkdir -p "$work/stopped"
    cp -r "$work/runs/demo" "$work/stopped/demo"
    $py - "$work/stopped/demo/state.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state["state"] = "stopped"
json.dump(state, open(sys.argv[1], "w"))
PY
    expect_exit 2 "crisp stats: error: no run to count" "$crisp" stats "$work/stopped" --format tex
    grep -q "stopped/demo is stopped, not finished" "$work/err" || fail "why: $(cat "$work/err")"
    "$crisp" stats "$work/stopped" --format tex --include-unfinished >"$work/table.tex"
    grep -q "difference to demo-tiny-dense on" "$work/table.tex" || fail "$(cat "$work/table.tex")"
    ;;
  completion)
    "$crisp" completion bash >"$work/crisp.bash"
    # complete_words WORD...: what _crisp offers for the last word.
    complete_words() {
      bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _crisp
        printf "%s\n" "${COMPREPLY[@]}"' _ "$work/crisp.bash" "$@"
    }
    [ "$(complete_words crisp tr)" = train ] || fail "crisp tr: $(complete_words crisp tr)"
    [ "$(complete_words crisp train --ep)" = --epochs ] || fail "train --ep"
    [ "$(complete_words crisp info --thr)" = --threads ] || fail "info --thr: global flags"
    [ "$(complete_words crisp bench fl)" = flops ] || fail "bench fl"
    [ "$(complete_words crisp --threads 2 bench flops --js)" = --json ] || fail "bench flops --js"
    complete_words crisp "" | matches -x predict || fail "no command list"
    complete_words crisp "" | matches -x completion && fail "the hidden completion command offered"
    # The zsh script, run by zsh itself with compadd and _files standing in for the completion
    # system's builtins (compadd offers what matches the word being completed, as zsh's does).
    "$crisp" completion zsh >"$work/_crisp"
    zsh -n "$work/_crisp" || fail "the zsh script does not parse"
    zsh_words() {
      zsh -fc 'compadd() { local -a c; if [[ $1 == -a ]]; then c=(${(P)2}); else c=("$@"); fi
                 print -rl -- ${(M)c:#${words[CURRENT]}*} }
               _files() { print "<files>" }
               local script=$1; shift; words=("$@"); CURRENT=$#; source $script' \
        _ "$work/_crisp" "$@"
    }
    [ "$(zsh_words crisp tr)" = train ] || fail "zsh: crisp tr: $(zsh_words crisp tr)"
    [ "$(zsh_words crisp train --ep)" = --epochs ] || fail "zsh: train --ep"
    [ "$(zsh_words crisp info --thr)" = --threads ] || fail "zsh: info --thr: global flags"
    [ "$(zsh_words crisp --threads 2 bench flops --js)" = --json ] || fail "zsh: bench flops --js"
    [ "$(zsh_words crisp inspect run "")" = "<files>" ] || fail "zsh: no file completion"
    zsh_words crisp "" | matches -x predict || fail "zsh: no command list"
    zsh_words crisp "" | matches -x completion && fail "zsh: the hidden completion command offered"
    ;;
  *) fail "no case $case_name" ;;
esac
echo "PASS: $case_name"
