"""Asserts that two safetensors files hold the same tensors within a tolerance and prints the
largest absolute difference: a data-parallel run must end with one process's parameters.
    same_parameters.py A/model.safetensors B/model.safetensors [TOLERANCE (1e-5)]"""
import json
import struct
import sys

import numpy

DTYPES = {"F32": numpy.float32, "F64": numpy.float64, "I64": numpy.int64, "F16": numpy.float16}


def load(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        out[name] = numpy.frombuffer(data[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(
            entry["shape"])
    return out


a, b = load(sys.argv[1]), load(sys.argv[2])
tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
assert a.keys() == b.keys(), f"different tensors: {sorted(a.keys() ^ b.keys())[:5]}"
worst, where = 0.0, ""
for name in a:
    assert a[name].shape == b[name].shape, f"{name}: shape {a[name].shape} vs {b[name].shape}"
    d = float(numpy.max(numpy.abs(a[name].astype(numpy.float64) - b[name].astype(numpy.float64)),
                        initial=0.0))
    if not d <= worst:  # also catches NaN
        worst, where = d, name
assert worst <= tolerance, f"max |delta| {worst:.3g} at {where} exceeds {tolerance:g}"
print(f"ok: {len(a)} tensors, max |delta| {worst:.3g} (at {where or '-'}) <= {tolerance:g}")
