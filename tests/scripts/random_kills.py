"""The kill property: however often `crisp train` is killed (kill -9), wherever it is, and
resumed, it ends with the metrics and parameters of an uninterrupted run.

    random_kills.py CRISP WORK [KILLS (12)] [SEED (1)]

Half the kills land at random instants; the other half while a checkpoint is being written: an
inotify watch on checkpoints/ sees the staging directory appear, and the kill follows at once or
(every other time) within 0-20 ms (while its files are written, synced or renamed). After each kill it checks that the
newest checkpoint, state.json and metrics.jsonl still load (eval reads them), then resumes.
"""
import ctypes
import json
import os
import random
import select
import signal
import struct
import subprocess
import sys
import time

crisp, work = sys.argv[1], sys.argv[2]
kills_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 12
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
here = os.path.dirname(os.path.abspath(__file__))

subprocess.run(["rm", "-rf", work], check=True)
os.makedirs(work)
env = dict(os.environ, CRISP_THREADS="1")  # deterministic and steady on a busy machine
with open(f"{work}/experiment.json", "w") as f:
    # About 50 steps per kill wanted, so that the kills land before the run ends.
    json.dump({"name": "kills", "policy": "crisp:0.8", "demo_train_size": 200 * kills_wanted,
               "demo_dev_size": 64,
               "hyperparameters": {"epochs": 4, "batch_size": 16, "seed": 11,
                                   "learning_rate": 2e-4, "eval_every": 25}}, f)
train = [crisp, "train", "--experiment", f"{work}/experiment.json", "--quiet"]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


start = time.monotonic()
subprocess.run(train + ["--out", f"{work}/straight"], env=env, check=True,
               stdout=subprocess.DEVNULL)
straight_seconds = time.monotonic() - start
print(f"uninterrupted run: {straight_seconds:.1f} s")
# Random kills come after start-up (about 0.3 s) plus up to one and a half times one kill's
# share of the uninterrupted run: scaled by the measured time, the kills land before the run
# ends on a quiet machine and a loaded one alike.
random_window = max(0.5, 1.5 * straight_seconds / kills_wanted)

# inotify through libc: IN_CREATE on checkpoints/ reports the staging directory at once.
libc = ctypes.CDLL("libc.so.6", use_errno=True)
IN_CREATE, IN_NONBLOCK = 0x100, 0x800


def wait_for_staging(process, victim, timeout):
    """The name of a checkpoint's staging directory that appeared within `timeout` seconds, or
    None."""
    checkpoints = f"{victim}/checkpoints"
    deadline = time.monotonic() + timeout
    while not os.path.isdir(checkpoints):  # a fresh run creates it after start-up
        if process.poll() is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.01)
    fd = libc.inotify_init1(IN_NONBLOCK)
    if fd < 0 or libc.inotify_add_watch(fd, checkpoints.encode(), IN_CREATE) < 0:
        fail(f"inotify on {checkpoints}: errno {ctypes.get_errno()}")
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            data = os.read(fd, 4096)
            at = 0
            while at + 16 <= len(data):
                _, mask, _, length = struct.unpack_from("iIII", data, at)
                name = data[at + 16:at + 16 + length].rstrip(b"\0").decode()
                at += 16 + length
                if mask & IN_CREATE and name.startswith(".staging-"):
                    return name
        return None
    finally:
        os.close(fd)


victim = f"{work}/victim"
kills = {"random": 0, "checkpoint": 0}
torn_writes = 0  # checkpoint kills that left their checkpoint half-written (staging behind)
command = train + ["--out", victim]
finished = False
cycles = 0
while not finished:
    cycles += 1
    if cycles > 4 * kills_wanted + 10:
        fail(f"no progress after {cycles} starts")
    log = open(f"{work}/session-{cycles}.log", "w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    killed = False
    staging = None
    # The kills wanted, and more while none has yet landed inside a checkpoint write (on a
    # loaded machine the kill can come after the write it aimed at).
    if sum(kills.values()) < kills_wanted or torn_writes == 0:
        if rng.random() < 0.5 or sum(kills.values()) >= kills_wanted:
            mode = "checkpoint"
            staging = wait_for_staging(process, victim, 60)
            hit = staging is not None
            if hit and kills["checkpoint"] % 2 == 1:  # every other one at once
                time.sleep(rng.uniform(0, 0.02))
        else:
            mode, hit = "random", True
            time.sleep(rng.uniform(0.3, 0.3 + random_window))
        if hit and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed = True
            kills[mode] += 1
    code = process.wait()
    log.close()
    if killed:
        if staging is not None:
            torn_writes += os.path.isdir(f"{victim}/checkpoints/{staging}")
        # What a kill leaves must be usable: state.json parses, and eval loads the best
        # checkpoint once one exists.
        state = json.load(open(f"{victim}/state.json"))
        if state.get("best_step", -1) >= 0:
            ev = subprocess.run([crisp, "eval", victim, "--json"], env=env,
                                capture_output=True, text=True)
            if ev.returncode != 0:
                fail(f"after kill {sum(kills.values())}: eval failed: {ev.stderr.strip()}")
    elif code != 0:
        fail(f"session {cycles} exited {code}: {open(log.name).read()[-2000:]}")
    else:
        finished = True
    command = [crisp, "resume", victim, "--quiet"]

state = json.load(open(f"{victim}/state.json"))
if state.get("state") != "finished":
    fail(f"the run ends in state {state.get('state')}")
leftovers = [n for n in os.listdir(f"{victim}/checkpoints") if n.startswith((".staging-", ".removing-"))]
if leftovers:
    fail(f"staging or half-deleted directories left behind: {leftovers}")
print(f"{sum(kills.values())} kills ({kills['random']} at random instants, "
      f"{kills['checkpoint']} during checkpoint writes) in {cycles} sessions; "
      f"{torn_writes} left a checkpoint half-written")
if sum(kills.values()) < kills_wanted:
    fail(f"only {sum(kills.values())} of {kills_wanted} kills landed before the run ended")
if kills["checkpoint"] and not torn_writes:
    fail("no kill landed inside a checkpoint write")

subprocess.run([sys.executable, f"{here}/same_metrics.py", f"{work}/straight/metrics.jsonl",
                f"{victim}/metrics.jsonl"], check=True)
# Every checkpoint both runs kept (the best and the last ones) holds the same weights, bit for bit.
kept = sorted(n for n in os.listdir(f"{work}/straight/checkpoints") if n.startswith("step-"))
if kept != sorted(n for n in os.listdir(f"{victim}/checkpoints") if n.startswith("step-")):
    fail(f"different checkpoints kept: {kept} vs {os.listdir(f'{victim}/checkpoints')}")
for name in kept:
    subprocess.run([sys.executable, f"{here}/same_parameters.py",
                    f"{work}/straight/checkpoints/{name}/model.safetensors",
                    f"{victim}/checkpoints/{name}/model.safetensors", "0"], check=True)
print("metrics and kept checkpoints equal to the uninterrupted run's")
