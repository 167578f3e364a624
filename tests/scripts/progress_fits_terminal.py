#!/usr/bin/env python3
"""crisp train's progress on stderr: under an 80-column pseudo-terminal a bar is drawn and no
redraw is wider than the terminal (a wider one wraps, leaving a new line at every redraw); with
stderr not a terminal there is no bar at all; stdout holds the result line alone either way.

    progress_fits_terminal.py CRISP_BINARY WORK_DIR
"""
import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios

crisp, work = sys.argv[1], sys.argv[2]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
experiment = os.path.join(work, "experiment.json")
with open(experiment, "w") as f:
    json.dump({"demo_train_size": 1500, "demo_dev_size": 32,
               "hyperparameters": {"epochs": 1, "batch_size": 8}}, f)
env = dict(os.environ, CRISP_THREADS="1")
env.pop("COLUMNS", None)
COLUMNS = 80


def train(name, stderr):
    return subprocess.run([crisp, "train", "--out", os.path.join(work, name), "--experiment",
                           experiment], stdout=subprocess.PIPE, stderr=stderr, env=env,
                          timeout=300)


# stderr on a pseudo-terminal of 80 columns.
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
chunks = []
process = subprocess.Popen([crisp, "train", "--out", os.path.join(work, "tty"), "--experiment",
                            experiment], stdout=subprocess.PIPE, stderr=slave, env=env)
os.close(slave)
while True:
    try:
        data = os.read(master, 4096)
    except OSError:  # EIO: the child closed its end
        break
    if not data:
        break
    chunks.append(data)
stdout = process.stdout.read().decode()
assert process.wait(timeout=300) == 0, stdout
terminal = b"".join(chunks).decode(errors="replace")

# What the terminal shows: each redraw starts at \r (the bar) and every line ends at \n.
segments = re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", terminal))
bars = [s for s in segments if re.match(r"^\[[#.]+\] +\d+%  step \d+/\d+", s)]
assert bars, f"no progress bar on the terminal:\n{terminal!r}"
widest = max(bars, key=len)
assert len(widest) < COLUMNS, f"a {len(widest)}-column redraw on {COLUMNS} columns: {widest!r}"
assert stdout.count("\n") == 1 and stdout.startswith("finished: "), stdout
print(f"{len(bars)} redraws, the widest {len(widest)} columns: {widest!r}")

# stderr a file: plain lines, no bar and no terminal control.
plain = train("file", subprocess.PIPE)
assert plain.returncode == 0, plain.stderr
log = plain.stderr.decode()
assert "\r" not in log and "\x1b" not in log and not re.search(r"^\[[#.]+\]", log, re.M), log
assert re.search(r"^step \d+/\d+  loss ", log, re.M), log
assert plain.stdout.decode().startswith("finished: "), plain.stdout
print("without a terminal: no bar,", len(log.splitlines()), "plain lines")
