#!/usr/bin/env bash
# What a cluster does to a job: SIGTERM mid-epoch. The run must write a checkpoint, record
# "stopped" and exit 143; `crisp resume` must then end it exactly as an uninterrupted run ends.
# On the way: --save-every checkpoints between evaluations, and a second trainer of the same
# run directory is refused while the first holds it.
#   sigterm_resume.sh CRISP_BINARY WORK_DIR
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/lib.sh" "$@"
export CRISP_THREADS=1  # deterministic and steady on a busy machine (see kill_resume.sh)

cat >"$work/experiment.json" <<'EOF'
{"name": "sigterm-test", "demo_train_size": 2048, "demo_dev_size": 64, "max_length": 32,
 "probes": [], "hyperparameters": {"epochs": 3, "batch_size": 16, "seed": 5}}
EOF
args=(--experiment "$work/experiment.json" --save-every 20)

"$crisp" train --out "$work/straight" "${args[@]}" --json >"$work/straight.json" 2>/dev/null
grep -q '"state":"finished"' "$work/straight.json" || fail "the uninterrupted run did not finish"

"$crisp" train --out "$work/stopped" "${args[@]}" >"$work/stopped.log" 2>&1 &
pid=$!
# Wait for a checkpoint that only --save-every writes (evaluations come at epoch ends: step 128).
checkpoint() { printf '%s/stopped/checkpoints/step-%08d' "$work" "$1"; }
for _ in $(seq 1 1200); do
  [ -d "$(checkpoint 20)" ] && break
  sleep 0.05
done
[ -d "$(checkpoint 20)" ] || fail "no --save-every checkpoint at step 20: $(ls "$work/stopped/checkpoints")"

expect_exit 2 "is being trained by pid $pid on " \
  "$crisp" train --out "$work/stopped" "${args[@]}"

stop_by_sigterm "$pid" "$work/stopped.log"
grep -q "SIGTERM: stopping after this step" "$work/stopped.log" || fail "no SIGTERM message"
state=$("$py" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["state"], s["step"])' \
  "$work/stopped/state.json")
read -r name step <<<"$state"
[ "$name" = stopped ] || fail "state.json says $name after SIGTERM"
[ -d "$(checkpoint "$step")" ] || fail "no checkpoint at the stopping step $step"
[ "$step" -lt 384 ] || fail "the run finished (step $step) before SIGTERM reached it"
echo "stopped at step $step by SIGTERM"

"$crisp" resume "$work/stopped" --json >"$work/resumed.json" 2>"$work/resumed.log"
grep -q '"state":"finished"' "$work/resumed.json" || fail "resume did not finish"
"$py" "$here/same_metrics.py" "$work/straight/metrics.jsonl" "$work/stopped/metrics.jsonl"
echo "PASS"
