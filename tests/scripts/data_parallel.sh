#!/usr/bin/env bash
# Data-parallel training on c10d/Gloo (core/dist) against one process with the same global batch.
#   data_parallel.sh CRISP WORK MODE
# MODE nproc:    `crisp train --nproc 2`
#      env:      two ranks started here with torchrun's variables (rank 0 hosts the store)
#      torchrun: the real `torchrun --no_python` (its agent hosts the store; torch 1.13 spells
#                the flag with an underscore); skipped (77) without /usr/bin/torchrun
#      sigterm:  SIGTERM to the `--nproc 2` launcher mid-run: exit 143 with a checkpoint, and
#                `crisp resume --nproc 2` ends as an uninterrupted run
#      kill:     kill -9 one rank mid-run: the other ends with a clear error within the
#                timeout, and `crisp resume --nproc 2` ends as one process does; then a hung
#                rank (SIGSTOP) ends the other at the timeout
#      port-taken: MASTER_PORT names a port another process holds: the launcher says so, starts
#                the ranks again on a free port, and the run equals one process's
# Each run trains the tiny preset for 30 steps (440 sentences, global batch 15: the last batch
# has 5, split 2 + 3; in nproc mode also 436: a batch of 1) with dropout 0: dropout masks
# depend on how a batch is split over ranks, so only without dropout can parameters equal one
# process's. Parameters must agree within 1e-5 and every metrics record within
# same_metrics.py's tolerance. CRISP_DP_DEVICE (cpu) is the experiment's device: scripts/gpu-check
# sets cuda on a machine with two GPUs (NCCL ranks, one per GPU).
set -euo pipefail
mode=$3
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$1" "$2"
here=$(dirname "${BASH_SOURCE[0]}")
export CRISP_THREADS=1
cat >"$work/experiment.json" <<JSON
{"name": "dp-test", "model": "preset:tiny", "dropout": 0.0, "device": "${CRISP_DP_DEVICE:-cpu}",
 "demo_train_size": 440, "demo_dev_size": 100,
 "hyperparameters": {"epochs": 1, "batch_size": 15, "learning_rate": 0.001, "log_every": 1,
                     "eval_every": 10, "seed": 5}}
JSON
train=(train --experiment "$work/experiment.json" --json)

# wait_for_checkpoint RUN: returns once RUN has a checkpoint (or after 30 s).
wait_for_checkpoint() {
  for _ in $(seq 1 1500); do
    compgen -G "$1/checkpoints/step-*" >/dev/null && return
    sleep 0.02
  done
}

free_port() {
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# same_as_one_process DIR: DIR's final parameters and metrics equal a 1-process run's.
same_as_one_process() {
  [ -d "$work/one" ] || "$crisp" "${train[@]}" --out "$work/one" >"$work/one.json" 2>"$work/one.err"
  grep -q '"state":"finished"' "$1.json" || fail "$1 did not finish: $(cat "$1.json")"
  local last
  last=$(ls "$work/one/checkpoints" | tail -n 1)
  [ "$last" = step-00000030 ] || fail "one process ended at $last, expected step 30"
  "$py" "$here/same_parameters.py" "$work/one/checkpoints/$last/model.safetensors" \
    "$1/checkpoints/$last/model.safetensors" 1e-5
  "$py" "$here/same_metrics.py" "$work/one/metrics.jsonl" "$1/metrics.jsonl"
  # The parameters moved: the comparison is not between two untrained models.
  if "$py" "$here/same_parameters.py" "$work/one/checkpoints/step-00000010/model.safetensors" \
      "$1/checkpoints/$last/model.safetensors" 1e-3 >/dev/null 2>&1; then
    fail "parameters barely changed between steps 10 and 30"
  fi
}

case $mode in
  nproc)
    "$crisp" "${train[@]}" --out "$work/two" --nproc 2 >"$work/two.json" 2>"$work/two.err"
    same_as_one_process "$work/two"
    # tiny's gradients fit one 25 MB bucket: also with 50 kB buckets (about 20, launched in
    # order as backward fills them), and reduced after backward instead of during it.
    CRISP_DIST_BUCKET_MB=0.05 "$crisp" "${train[@]}" --out "$work/small-buckets" --nproc 2 \
      >"$work/small-buckets.json" 2>"$work/small-buckets.err"
    same_as_one_process "$work/small-buckets"
    CRISP_DIST_BUCKET_MB=0.05 CRISP_DIST_OVERLAP=0 "$crisp" "${train[@]}" --out "$work/after" \
      --nproc 2 >"$work/after.json" 2>"$work/after.err"
    same_as_one_process "$work/after"
    # 436 sentences: one batch holds a single sentence, so rank 0's share of it is empty (no
    # forward, no backward; its gradients count as zeros).
    sed -e 's/"demo_train_size": 440/"demo_train_size": 436/' "$work/experiment.json" \
      >"$work/single.json"
    "$crisp" train --experiment "$work/single.json" --json --out "$work/single-one" \
      >/dev/null 2>"$work/single-one.err"
    "$crisp" train --experiment "$work/single.json" --json --out "$work/single-two" --nproc 2 \
      >/dev/null 2>"$work/single-two.err"
    "$py" "$here/same_parameters.py" "$work/single-one/checkpoints/step-00000030/model.safetensors" \
      "$work/single-two/checkpoints/step-00000030/model.safetensors" 1e-5
    "$py" "$here/same_metrics.py" "$work/single-one/metrics.jsonl" "$work/single-two/metrics.jsonl"
    ;;
  env)
    port=$(free_port)
    pids=()
    for rank in 0 1; do
      RANK=$rank LOCAL_RANK=$rank WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 \
        MASTER_PORT=$port "$crisp" "${train[@]}" --out "$work/two" \
        >"$work/rank$rank.json" 2>"$work/rank$rank.err" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || fail "a rank failed: $(cat "$work"/rank*.err)"; done
    [ ! -s "$work/rank1.json" ] || fail "rank 1 printed a summary: $(cat "$work/rank1.json")"
    cp "$work/rank0.json" "$work/two.json"
    same_as_one_process "$work/two"
    ;;
  torchrun)
    [ -x /usr/bin/torchrun ] || { echo "no /usr/bin/torchrun: skipped"; exit 77; }
    # Static rendezvous (no --standalone): torchrun's agent hosts the TCPStore and sets
    # TORCHELASTIC_USE_AGENT_STORE=True, so every rank joins as a client under its prefix.
    # --redirects 2 --tee 2: Debian's torchrun 1.13 on Python 3.11 fails with the default
    # --redirects 0 (Std.from_str("0") is None: 3.11 no longer iterates a zero-valued IntFlag);
    # stderr is teed to a log, stdout stays on the console.
    /usr/bin/torchrun --nnodes 1 --nproc_per_node 2 --master_addr 127.0.0.1 \
      --master_port "$(free_port)" --redirects 2 --tee 2 --log_dir "$work/torchrun-logs" \
      --no_python "$crisp" "${train[@]}" --out "$work/two" \
      >"$work/two.out" 2>"$work/two.err" || fail "torchrun failed: $(tail -n 20 "$work/two.err")"
    grep '"state"' "$work/two.out" >"$work/two.json" || fail "no summary: $(cat "$work/two.out")"
    [ "$(grep -c '"state"' "$work/two.out")" -eq 1 ] || fail "more than one rank printed a summary"
    same_as_one_process "$work/two"
    ;;
  sigterm)
    # What Slurm sends: SIGTERM to the launcher reaches every rank; they stop at one agreed
    # step with a checkpoint (exit 143, "stopped"), and a resume ends as an uninterrupted run.
    sed -e 's/"eval_every": 10/"eval_every": 5/' "$work/experiment.json" >"$work/term.json"
    term_train=(train --experiment "$work/term.json" --json)
    "$crisp" "${term_train[@]}" --out "$work/straight" >"$work/straight.json" 2>"$work/straight.err"
    "$crisp" "${term_train[@]}" --out "$work/stopped" --nproc 2 >"$work/stopped.json" \
      2>"$work/stopped.err" &
    launcher=$!
    wait_for_checkpoint "$work/stopped"
    stop_by_sigterm "$launcher" "$work/stopped.err"
    grep -q '"state": *"stopped"' "$work/stopped/state.json" ||
      fail "state after SIGTERM: $(cat "$work/stopped/state.json")"
    step=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' \
      "$work/stopped/state.json")
    [ "$step" -lt 30 ] || fail "the run finished before SIGTERM reached it"
    [ -d "$(printf '%s/stopped/checkpoints/step-%08d' "$work" "$step")" ] ||
      fail "no checkpoint at the stopping step $step"
    echo "SIGTERM stopped both ranks at step $step"
    "$crisp" resume "$work/stopped" --nproc 2 --json >"$work/resumed.json" 2>"$work/resumed.err" ||
      fail "resume failed: $(cat "$work/resumed.err")"
    "$py" "$here/same_parameters.py" "$work/straight/checkpoints/step-00000030/model.safetensors" \
      "$work/stopped/checkpoints/step-00000030/model.safetensors" 1e-5
    "$py" "$here/same_metrics.py" "$work/straight/metrics.jsonl" "$work/stopped/metrics.jsonl"
    ;;
  port-taken)
    "$py" -c 'import socket, time
s = socket.socket(); s.bind(("0.0.0.0", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(300)' >"$work/holder.port" &
    holder=$!
    trap 'kill $holder 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do [ -s "$work/holder.port" ] && break; sleep 0.05; done
    port=$(cat "$work/holder.port")
    MASTER_PORT=$port "$crisp" "${train[@]}" --out "$work/two" --nproc 2 >"$work/two.json" \
      2>"$work/two.err" || fail "the run failed: $(cat "$work/two.err")"
    grep -q "port $port was taken before rank 0 could host the job there; starting the ranks again" \
      "$work/two.err" || fail "no retry message: $(cat "$work/two.err")"
    same_as_one_process "$work/two"
    ;;
  kill)
    timeout=20
    # Checkpoints every 5 steps, so that a rank can be killed after one and before the end.
    sed -e 's/"eval_every": 10/"eval_every": 5/' "$work/experiment.json" >"$work/kill.json"
    kill_train=(train --experiment "$work/kill.json" --json)
    "$crisp" "${kill_train[@]}" --out "$work/straight" >"$work/straight.json" 2>"$work/straight.err"
    # rank_pid LAUNCHER RANK: the pid of one of the launcher's ranks, once it runs.
    rank_pid() {
      local child
      for child in $(pgrep -P "$1"); do
        if tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | matches -x "RANK=$2"; then
          echo "$child"
          return
        fi
      done
    }
    "$crisp" "${kill_train[@]}" --out "$work/killed" --nproc 2 --dist-timeout $timeout \
      >"$work/killed.json" 2>"$work/killed.err" &
    launcher=$!
    wait_for_checkpoint "$work/killed"
    rank1=$(rank_pid "$launcher" 1)
    [ -n "$rank1" ] || fail "rank 1 not found (did the run end before it could be killed?)"
    kill -9 "$rank1"
    killed_at=$(date +%s)
    set +e
    wait "$launcher"
    rc=$?
    set -e
    took=$(($(date +%s) - killed_at))
    echo "killed rank 1 after $(ls "$work/killed/checkpoints" | tr '\n' ' '); the job ended in ${took} s (rc $rc)"
    [ "$rc" -ne 0 ] || fail "the job succeeded with a rank killed"
    [ "$took" -le $((timeout + 5)) ] || fail "rank 0 took ${took} s to end (timeout ${timeout} s)"
    grep -q "data-parallel rank 0 of 2: .* failed" "$work/killed.err" ||
      fail "no clear error from rank 0: $(cat "$work/killed.err")"
    grep -q '"state": *"failed"' "$work/killed/state.json" ||
      fail "state.json does not say failed: $(cat "$work/killed/state.json")"
    grep -q "data-parallel rank 0 of 2" "$work/killed/state.json" ||
      fail "state.json lacks the error: $(cat "$work/killed/state.json")"
    "$crisp" resume "$work/killed" --nproc 2 --json >"$work/resumed.json" 2>"$work/resumed.err" ||
      fail "resume failed: $(cat "$work/resumed.err")"
    grep -q '"state":"finished"' "$work/resumed.json" || fail "resume: $(cat "$work/resumed.json")"
    "$py" "$here/same_metrics.py" "$work/straight/metrics.jsonl" "$work/killed/metrics.jsonl"
    "$py" "$here/same_parameters.py" "$work/straight/checkpoints/step-00000030/model.safetensors" \
      "$work/killed/checkpoints/step-00000030/model.safetensors" 1e-5

    # A hung rank: rank 0 gives up after the timeout, the launcher then kills the hung one.
    hang=3
    "$crisp" "${kill_train[@]}" --out "$work/hung" --nproc 2 --dist-timeout $hang \
      >"$work/hung.json" 2>"$work/hung.err" &
    launcher=$!
    wait_for_checkpoint "$work/hung"
    rank1=$(rank_pid "$launcher" 1)
    [ -n "$rank1" ] || fail "rank 1 not found (did the run end before it could be stopped?)"
    kill -STOP "$rank1"
    stopped_at=$(date +%s)
    # Rank 0 fails at the timeout (state.json says so); the launcher then gives the hung rank
    # --dist-timeout + 10 s more before it kills it.
    for _ in $(seq 1 400); do
      grep -q '"state": *"failed"' "$work/hung/state.json" 2>/dev/null && break
      sleep 0.05
    done
    failed_after=$(($(date +%s) - stopped_at))
    set +e
    wait "$launcher"
    rc=$?
    set -e
    took=$(($(date +%s) - stopped_at))
    echo "stopped rank 1; rank 0 failed after ${failed_after} s, the job ended in ${took} s (rc $rc)"
    [ "$rc" -ne 0 ] || fail "the job succeeded with a rank hung"
    grep -q "data-parallel rank 0 of 2: .* failed" "$work/hung.err" ||
      fail "no clear error from rank 0: $(cat "$work/hung.err")"
    grep -q '"state": *"failed"' "$work/hung/state.json" ||
      fail "state.json does not say failed: $(cat "$work/hung/state.json")"
    [ "$failed_after" -le $((hang + 5)) ] || fail "rank 0 took ${failed_after} s to fail"
    # rank 0's timeout, then the launcher's grace (timeout + 10 s), with 15 s to spare
    [ "$took" -le $((hang + (hang + 10) + 15)) ] || fail "the job took ${took} s to end"
    ;;
  *) fail "unknown mode $mode" ;;
esac
