"""A run's TensorBoard event files, read by TensorBoard's own reader (EventAccumulator): every
train and eval record of metrics.jsonl is there as a scalar at its step (to float32), the
learning rate, throughput and the kept fraction per layer too, and the configuration as text.
After a kill -9 and `crisp resume`, what TensorBoard shows still equals metrics.jsonl: the
resumed session's SessionLog START drops what the killed one wrote past its checkpoint.

usage: PYENV_PYTHON check_tensorboard.py CRISP_BINARY WORK_DIR [SHARED_DIR]
"""

import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import time

from tensorboard.backend.event_processing import event_accumulator as ea

ARGS = ["--epochs", "2", "--eval-every", "25", "--seed", "11", "--attention", "crisp:0.8"]
FLOAT32 = lambda x: struct.unpack("f", struct.pack("f", x))[0]  # noqa: E731


def read_events(directory):
    acc = ea.EventAccumulator(directory, size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
    acc.Reload()
    scalars = {}
    for tag in acc.Tags()["scalars"]:
        events = acc.Scalars(tag)
        steps = [e.step for e in events]
        if len(set(steps)) != len(steps):  # what a resume wrote again was not dropped
            raise SystemExit(f"FAIL {directory}: {tag} has repeated steps {steps}")
        scalars[tag] = {e.step: e.value for e in events}
    texts = {tag: [t.tensor_proto.string_val[0].decode() for t in acc.Tensors(tag)]
             for tag in acc.Tags()["tensors"]}
    return scalars, texts


def newest_checkpoint_step(run):
    steps = [int(os.path.basename(p)[len("step-"):])
             for p in glob.glob(os.path.join(run, "checkpoints", "step-*"))
             if os.path.basename(p)[len("step-"):].isdigit()]
    return max(steps) if steps else None


def last_logged_step(run):
    try:
        lines = open(os.path.join(run, "metrics.jsonl")).read().splitlines()
    except OSError:
        return -1
    for line in reversed(lines):
        try:
            return json.loads(line)["step"]
        except (ValueError, KeyError):  # a line being written
            continue
    return -1


def check_run(run, label):
    """Failures (strings) where TensorBoard's view differs from metrics.jsonl."""
    scalars, texts = read_events(run)
    problems = []
    records = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))]
    expected = {}
    for record in records:
        fields = {"train": ["loss", "learning_rate", "grad_norm"],
                  "eval": ["accuracy", "loss", "macro_f1"]}.get(record["type"], [])
        for field in fields:
            expected.setdefault(f"{record['type']}/{field}", {})[record["step"]] = record[field]
    for tag, points in expected.items():
        got = scalars.get(tag, {})
        if sorted(got) != sorted(points):
            problems.append(f"{tag}: steps {sorted(got)[:5]}... != metrics.jsonl's "
                            f"{sorted(points)[:5]}... ({len(got)} vs {len(points)})")
            continue
        wrong = [s for s in points if got[s] != FLOAT32(points[s])]
        if wrong:
            problems.append(f"{tag}: values differ at steps {wrong[:5]}")
    evals = sorted(expected["eval/accuracy"])
    for layer in (0, 1):
        kept = scalars.get(f"attention/kept_fraction/layer_{layer}", {})
        if sorted(kept) != evals or not all(0 < v < 0.5 for v in kept.values()):
            problems.append(f"kept fraction of layer {layer}: {kept} (crisp:0.8 keeps ~20 %)")
    if not scalars.get("train/sentences_per_second"):
        problems.append("no train/sentences_per_second")
    config = json.load(open(os.path.join(run, "config.json")))
    text = texts.get("configuration", [""])[-1]
    if f'"name": "{config["experiment"]["name"]}"' not in text:
        problems.append(f"configuration text lacks the run's name: {text[:120]!r}")
    print(f"{'ok  ' if not problems else 'FAIL'} {label}: {len(expected)} metrics tags, "
          f"{sum(len(p) for p in expected.values())} points equal metrics.jsonl; kept fraction "
          f"per layer at {len(evals)} evaluations; configuration text")
    return problems


def main():
    crisp, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, CRISP_THREADS="1")
    problems = []

    straight = os.path.join(work, "straight")
    subprocess.run([crisp, "train", "--out", straight, *ARGS], env=env, check=True,
                   capture_output=True)
    problems += check_run(straight, "uninterrupted run")

    # Killed once it has logged past a checkpoint (polled, not timed: a fast build finished the
    # whole run within a fixed wait), with more epochs so that it is still training then.
    killed = os.path.join(work, "killed")
    longer = ["6" if a == "2" and i == 1 else a for i, a in enumerate(ARGS)]  # --epochs 6
    proc = subprocess.Popen([crisp, "train", "--out", killed, *longer], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline:
        checkpoint = newest_checkpoint_step(killed)
        if checkpoint is not None and last_logged_step(killed) > checkpoint:
            break
        time.sleep(0.01)
    if proc.poll() is not None:
        raise SystemExit("FAIL: the run ended before it could be killed")
    proc.kill()
    proc.wait()
    first = glob.glob(os.path.join(killed, "events.out.tfevents.*"))
    subprocess.run([crisp, "resume", killed], env=env, check=True, capture_output=True)
    files = sorted(glob.glob(os.path.join(killed, "events.out.tfevents.*")))
    if len(files) != 2 or files[0] not in first:
        problems.append(f"expected the killed session's file and a new one: {files}")
    # What the killed session wrote past its checkpoint, which TensorBoard must drop.
    alone = os.path.join(work, "first-session")
    os.makedirs(alone)
    shutil.copy(files[0], alone)
    beyond = max(read_events(alone)[0].get("train/loss", {0: 0}))
    print(f"     the killed session logged up to step {beyond}")
    problems += check_run(killed, "killed and resumed run")
    for p in problems:
        print("FAIL", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
