# Shared by the CLI test scripts: `source lib.sh "$@"` with the script's arguments
# CRISP_BINARY WORK_DIR sets $crisp, empties the scratch directory $work, names the Python with
# torch ($py) and fixes 2 intra-op threads.
crisp=$1
work=$2
py=/usr/bin/python3
rm -rf "$work"
mkdir -p "$work"
export CRISP_THREADS=2

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# matches GREP_ARGS...: grep -q that reads its input to the end. Under pipefail, grep -q quitting
# at an early match kills the writer with SIGPIPE and fails the pipeline at random.
matches() {
  local status=0
  grep -q "$@" || status=$?
  cat >/dev/null
  return "$status"
}

# expect_exit CODE PATTERN COMMAND...: the exit code, and one stderr line matching PATTERN.
expect_exit() {
  local code=$1 pattern=$2
  shift 2
  set +e
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  set -e
  [ "$rc" -eq "$code" ] || fail "$* exited $rc, expected $code; stderr: $(cat "$work/err")"
  grep -Eq -e "$pattern" "$work/err" || fail "$*: stderr lacks /$pattern/: $(cat "$work/err")"
}

# stop_by_sigterm PID LOG: SIGTERM to a running `crisp train|resume`, which must checkpoint and
# exit 143 (LOG, its output, is shown when it does not).
stop_by_sigterm() {
  local pid=$1 log=$2 rc=0
  kill -TERM "$pid" 2>/dev/null || fail "the run ended before SIGTERM"
  wait "$pid" || rc=$?
  [ "$rc" -eq 143 ] || fail "exit code $rc after SIGTERM, expected 143: $(cat "$log")"
}
