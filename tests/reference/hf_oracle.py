"""Shared pieces of the Hugging Face oracle tests: running `crisp`, finding the pretrained
checkpoints the project's Python environment carries, and crisp's attention policies inserted
into transformers' own eager attention.

Runs in the project's Python environment (build/pyenv, made by scripts/setup-pyenv).
"""

import contextlib
import json
import math
import os
import subprocess

import torch

# Where crisp's policies enter transformers: both BertSelfAttention and DistilBERT's
# MultiHeadSelfAttention (eager) turn their masked, scaled scores into probabilities with
# torch.nn.functional.softmax(scores, dim=-1). The policy is inserted there and nowhere else;
# projections, scaling, padding mask, dropout and everything after are transformers' code.
_SOFTMAX = torch.nn.functional.softmax


# SparseBERT's fixed patterns as crisp defines them (core/model/attention_policy.h), as functions
# of query and key positions i, j (and d = |i - j|).
PATTERNS = {
    "window:2": lambda i, j, d: d <= 2,
    "strided:3": lambda i, j, d: (d < 3) | (d % 3 == 0),
    "fixed:4": lambda i, j, d: (i // 4 == j // 4) | (j % 4 == 3),
    "longformer:1:1": lambda i, j, d: (d <= 1) | (i < 1) | (j < 1),
    "logsparse": lambda i, j, d: (d & (d - 1)) == 0,
}


def policy_keep(scores, nodiag=False, pattern=None, sparsity=0.0, margins=None):
    """crisp's policy on masked scores [B, H, T, T]: which keys each query keeps.

    Structural masks first (padding, the diagonal, a pattern of PATTERNS), then top-k of the keys still
    allowed, k = max(1, ceil((1 - s) n)), ties kept; a row left with no key keeps its
    best-scoring real key. With a list as margins, appends per batch row the smallest gap
    between the k-th score and the best score left out (inf where nothing is left out): below
    ~1e-5 two implementations whose scores differ by rounding may select differently.
    """
    real = scores > torch.finfo(scores.dtype).min / 2  # transformers' padding mask
    t = scores.shape[-1]
    rows = torch.arange(t).unsqueeze(1)
    cols = torch.arange(t).unsqueeze(0)
    allowed = real.clone()
    if nodiag:
        allowed &= rows != cols
    if pattern is not None:
        allowed &= PATTERNS[pattern](rows, cols, (rows - cols).abs())
    empty = ~allowed.any(dim=-1, keepdim=True)
    best = scores.masked_fill(~real, -math.inf).argmax(dim=-1, keepdim=True)
    allowed |= empty & (cols == best)
    if sparsity > 0:
        n = allowed.sum(dim=-1, keepdim=True)
        k = torch.clamp(torch.ceil((1.0 - sparsity) * n.double()).long(), min=1)
        ranked = scores.masked_fill(~allowed, -math.inf).sort(dim=-1, descending=True).values
        kth = ranked.gather(-1, k - 1)
        if margins is not None:
            left_out = scores.masked_fill(~allowed | (scores >= kth), -math.inf).amax(-1)
            gap = (kth.squeeze(-1) - left_out).flatten(1).amin(1)
            margins.append(gap)
        allowed &= scores >= kth
    return allowed


@contextlib.contextmanager
def crisp_policy(margins=None, **policy):
    """Inside the block, transformers' attention softmax applies the policy first (margins: see
    policy_keep)."""
    if not policy:
        yield
        return

    def softmax(scores, dim=-1, *args, **kwargs):
        keep = policy_keep(scores, margins=margins, **policy)
        return _SOFTMAX(scores.masked_fill(~keep, -math.inf), dim, *args, **kwargs)

    torch.nn.functional.softmax = softmax
    try:
        yield
    finally:
        torch.nn.functional.softmax = _SOFTMAX


def run_crisp(crisp, args, stdin=None):
    out = subprocess.run([crisp] + args, input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"crisp {' '.join(args[:2])} failed ({out.returncode}): {out.stderr}")
    return out.stdout, out.stderr


def pretrained_models():
    """{name: directory} of the pretrained checkpoints in the project's environment."""
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "scripts", "pyenv-models")
    out = subprocess.run([os.environ.get("CRISP_PYENV_PYTHON", "python3"), script],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def max_abs(a, b):
    a = torch.as_tensor(a, dtype=torch.float64)
    b = torch.as_tensor(b, dtype=torch.float64)
    if a.shape != b.shape:
        raise SystemExit(f"shape {tuple(a.shape)} != {tuple(b.shape)}")
    return (a - b).abs().max().item()
