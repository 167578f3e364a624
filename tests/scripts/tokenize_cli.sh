#!/usr/bin/env bash
# `crisp tokenize`: JSON lines on a small vocabulary made here, --max-len, errors (one line on
# stderr, exit 2, the line number for invalid UTF-8), the real bert-base-uncased
# vocabulary where the shared data is present, and a SentencePiece .model trained here.
#   tokenize_cli.sh CRISP_BINARY SHARED_DIR
set -euo pipefail
crisp=$1
shared=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect_eq() {  # expect_eq WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || fail "$1: got
$2
expected
$3"
}

mkdir "$work/tok"
printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]' hello world '!' ',' un '##aff' '##able' \
  >"$work/tok/vocab.txt"
printf '{"do_lower_case": true}\n' >"$work/tok/tokenizer_config.json"

out=$(printf 'Hello World!\n\nunaffable [MASK]\r\nzzz' | "$crisp" tokenize --tokenizer "$work/tok")
expect_eq "WordPiece lines" "$out" \
'{"tokens": ["[CLS]", "hello", "world", "!", "[SEP]"], "ids": [2, 5, 6, 7, 3]}
{"tokens": ["[CLS]", "[SEP]"], "ids": [2, 3]}
{"tokens": ["[CLS]", "un", "##aff", "##able", "[MASK]", "[SEP]"], "ids": [2, 9, 10, 11, 4, 3]}
{"tokens": ["[CLS]", "[UNK]", "[SEP]"], "ids": [2, 1, 3]}'

out=$(printf 'Hello World!\n' | "$crisp" tokenize --json --max-len 3 --tokenizer "$work/tok/")
expect_eq "--max-len keeps [SEP]" "$out" \
  '{"tokens": ["[CLS]", "hello", "[SEP]"], "ids": [2, 5, 3]}'

# The vocabulary file alone works too (BertTokenizer(vocab_file) defaults).
out=$(printf 'WORLD\n' | "$crisp" tokenize --tokenizer "$work/tok/vocab.txt")
expect_eq "vocab file" "$out" '{"tokens": ["[CLS]", "world", "[SEP]"], "ids": [2, 6, 3]}'

# Invalid UTF-8 on line 2: the first line is printed, then one error line and exit 2 (bad input).
set +e
printf 'hello\nworld \xff!\nhello\n' | "$crisp" tokenize --tokenizer "$work/tok" \
  >"$work/out" 2>"$work/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "invalid UTF-8 exited $rc, expected 2"
expect_eq "output before the bad line" "$(cat "$work/out")" \
  '{"tokens": ["[CLS]", "hello", "[SEP]"], "ids": [2, 5, 3]}'
expect_eq "invalid UTF-8 message" "$(cat "$work/err")" \
  'crisp tokenize: error: stdin line 2: invalid UTF-8 at byte 7 (0xFF)'

set +e
"$crisp" tokenize --tokenizer "$work/missing" </dev/null >/dev/null 2>"$work/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a missing tokenizer exited $rc, expected 2"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "more than one error line: $(cat "$work/err")"
grep -q '^crisp tokenize: error: .*missing' "$work/err" || fail "unexpected error: $(cat "$work/err")"

# SentencePiece: pieces and ids, no [CLS]/[SEP].
if command -v spm_train >/dev/null; then
  for i in $(seq 1 60); do echo "the film was good and the plot was bad number $i"; done \
    >"$work/corpus.txt"
  spm_train --input="$work/corpus.txt" --model_prefix="$work/spm" --vocab_size=40 \
    --model_type=bpe >/dev/null 2>&1
  out=$(printf 'the film\n' | "$crisp" tokenize --tokenizer "$work/spm.model")
  echo "$out" | grep -qE '^\{"tokens": \["[^"]*the", .*\], "ids": \[[0-9, ]+\]\}$' ||
    fail "SentencePiece output: $out"
  echo "$out" | grep -q 'CLS' && fail "SentencePiece output has [CLS]: $out"
  out=$(printf 'the film was good\n' | "$crisp" tokenize --max-len 2 --tokenizer "$work/spm.model")
  echo "$out" | grep -qE '"ids": \[[0-9]+, [0-9]+\]\}$' || fail "SentencePiece --max-len: $out"
else
  echo "spm_train not installed: SentencePiece part skipped"
fi

bert="$shared/data/bert-base-uncased"
if [ -f "$bert/vocab.txt" ]; then
  out=$(printf 'Hello, World!\n' | "$crisp" tokenize --tokenizer "$bert")
  expect_eq "bert-base-uncased" "$out" \
    '{"tokens": ["[CLS]", "hello", ",", "world", "!", "[SEP]"], "ids": [101, 7592, 1010, 2088, 999, 102]}'
else
  echo "no $bert: the real-vocabulary check is skipped"
fi
echo "crisp tokenize OK"
