"""Asserts that two runs' metrics.jsonl hold the same records, wall-clock fields excepted
(floats within 1e-5): a resumed run must end as the uninterrupted one did.
    same_metrics.py UNINTERRUPTED/metrics.jsonl RESUMED/metrics.jsonl"""
import json
import math
import sys


def load(path):
    out = []
    for line in open(path):
        record = json.loads(line)
        record.pop("time", None)
        out.append(record)
    return out


def close(x, y):
    if isinstance(x, float) or isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-5, abs_tol=1e-6)
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(close(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
    return x == y


a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b), f"{len(a)} records uninterrupted vs {len(b)} resumed"
bad = [(p, q) for p, q in zip(a, b) if not close(p, q)]
assert not bad, f"first difference: {bad[0]}"
evals = [r for r in a if r["type"] == "eval"]
print(f"ok: {len(a)} records match ({len(evals)} evaluations; "
      f"final accuracy {evals[-1]['accuracy']:.4f})")
