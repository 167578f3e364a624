#!/usr/bin/env bash
# A full disk mid-run, on a small tmpfs: `crisp train` fails with one error naming the file and
# the cause, leaves no checkpoint that looks complete without being so, keeps the last good one
# loadable, and once space is freed `crisp resume` ends as an uninterrupted run of the same seed.
# Two fills: the disk runs out while a later checkpoint's optimizer state is written, and
# exactly at the first checkpoint's trainer_state.json (the file that marks a checkpoint
# complete). Mounting needs root: exits 77 (skipped) where it is not permitted.
#   disk_full_resume.sh CRISP_BINARY WORK_DIR
set -euo pipefail
umount "$2/disk" 2>/dev/null || true  # left by an interrupted earlier run
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

disk=$work/disk
mkdir -p "$disk"
if ! mount -t tmpfs -o size=48m tmpfs "$disk" 2>"$work/mount.err"; then
  echo "SKIP: cannot mount a tmpfs here: $(cat "$work/mount.err")"
  exit 77
fi
trap 'umount "$disk" 2>/dev/null || umount -l "$disk"' EXIT

# 2 epochs of 8 steps, a checkpoint every 4 (about 5 MB each with the optimizer state).
cat >"$work/experiment.json" <<'JSON'
{"name": "disk-full", "demo_train_size": 256, "demo_dev_size": 64,
 "hyperparameters": {"epochs": 2, "batch_size": 32, "eval_every": 4, "seed": 3}}
JSON
"$crisp" train --out "$work/reference" --experiment "$work/experiment.json" --json \
  >"$work/reference.json" 2>"$work/reference.log" || fail "reference run: $(cat "$work/reference.log")"

# Free bytes for each fill, from the reference run's files in tmpfs pages: (a) everything but
# checkpoints plus one and a half checkpoints; (b) what is written up to the first checkpoint's
# trainer_state.json, to the page.
read -r midRun atTrainerState < <($py - "$work/reference" "$(getconf PAGESIZE)" <<'PY'
import glob, json, os, sys
run, page = sys.argv[1], int(sys.argv[2])
pages = lambda size: -(-size // page) * page
size = lambda path: pages(os.path.getsize(path))
checkpoint = sorted(glob.glob(f"{run}/checkpoints/step-*"))[0]
files = [f for f in glob.glob(f"{run}/**", recursive=True) if os.path.isfile(f)]
others = sum(size(f) for f in files if "/checkpoints/" not in f)
one = sum(size(f) for f in glob.glob(f"{checkpoint}/*"))
first_eval = json.loads(open(f"{run}/metrics.jsonl").readline())["step"]
before_state = (size(f"{run}/config.json") + sum(size(f) for f in glob.glob(f"{run}/tokenizer/*"))
                + size(f"{run}/run.lock")
                + size(f"{run}/state.json") + page  # metrics.jsonl holds one record then
                + size(f"{run}/predictions/step-{first_eval:08d}.json")
                + sum(size(f) for f in glob.glob(f"{checkpoint}/*")
                      if not f.endswith("/trainer_state.json")))
print(others + one * 3 // 2, before_state)
PY
)

# fill_to FREE: a filler file leaves FREE bytes of the tmpfs.
fill_to() {
  rm -f "$disk/filler"
  local total
  total=$(df -B1 --output=size "$disk" | tail -1)
  fallocate -l $((total - $1)) "$disk/filler"
}

# full_disk_run NAME FREE FILE: trains with FREE bytes left, expects the failure to name FILE,
# checks what it left, frees the space and resumes to the uninterrupted run's metrics.
full_disk_run() {
  local name=$1 free=$2 file=$3 run=$disk/$1
  fill_to "$free"
  expect_exit 1 "error: $run/.*$file: cannot write: No space left on device" \
    "$crisp" train --out "$run" --experiment "$work/experiment.json" --json
  [ -z "$(ls -A "$run/checkpoints" | grep -v '^step-')" ] ||
    fail "$name: a partial checkpoint was left: $(ls -A "$run/checkpoints")"
  # Every checkpoint left is whole: trainer_state.json, the mark of completeness, reads back.
  $py - "$run" <<'PY' || fail "$name: a checkpoint looks complete but is not"
import glob, json, sys
for checkpoint in glob.glob(f"{sys.argv[1]}/checkpoints/step-*"):
    state = json.load(open(f"{checkpoint}/trainer_state.json"))
    assert {"step", "metrics_size", "best_step"} <= state.keys(), checkpoint
PY
  if compgen -G "$run/checkpoints/step-*" >/dev/null; then
    "$crisp" eval "$run" >"$work/$name-eval-best.txt" ||
      fail "$name: the best checkpoint does not load after the failure"
    "$crisp" eval "$run" --checkpoint last >"$work/$name-eval-last.txt" ||
      fail "$name: the last checkpoint does not load after the failure"
  fi
  rm -f "$disk/filler"
  "$crisp" resume "$run" --json >"$work/$name-resumed.json" 2>"$work/$name-resumed.log" ||
    fail "$name: resume after freeing space: $(cat "$work/$name-resumed.log")"
  grep -q '"state":"finished"' "$work/$name-resumed.json" || fail "$name: resume did not finish"
  $py "$(dirname "${BASH_SOURCE[0]}")/same_metrics.py" "$work/reference/metrics.jsonl" \
    "$run/metrics.jsonl"
  rm -rf "$run"
}

full_disk_run mid-run "$midRun" optimizer.pt
full_disk_run at-trainer-state "$atTrainerState" trainer_state.json
echo "ok: both full-disk runs failed cleanly and resumed to the uninterrupted metrics"
