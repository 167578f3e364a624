#!/usr/bin/python3
"""The PyTorch-eager peer of `crisp bench train-step` (run it with Debian's /usr/bin/python3).

The same DistilBERT-style classifier as core/model/classifier.cpp (embeddings + LayerNorm,
post-LN blocks of multi-head self-attention and a GELU FFN, pre_classifier -> ReLU -> dropout
-> classifier), the same sizes, initialisation, random full-length rows, AdamW (lr 2e-5) and
cross-entropy; dense attention or crisp top-k with the same rule (per query row, keep the
k = max(1, ceil((1 - s) n)) highest-scoring keys, ties kept), written as a torch.topk threshold
and masked_fill. Prints the same JSON object as `crisp bench train-step --json`.
"""

import argparse
import json
import math
import resource
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F

VOCAB = 30522
PRESETS = {  # hidden, intermediate, heads, layers (core/model/config.cpp)
    "distilbert-base": (768, 3072, 12, 6),
    "small": (256, 1024, 4, 4),
    "tiny": (128, 512, 2, 2),
}
MAX_POSITIONS = 512
CEIL_SLACK = 1e-9  # as core/model/attention_policy.cpp


def parse_attention(text):
    """'dense' -> None, 'crisp:S' -> S."""
    if text == "dense":
        return None
    name, _, value = text.partition(":")
    if name != "crisp" or not value:
        raise SystemExit(f"train_step_pytorch.py: only dense and crisp:S are implemented, got {text!r}")
    sparsity = float(value)
    if not 0.0 <= sparsity < 1.0:
        raise SystemExit(f"train_step_pytorch.py: sparsity {sparsity} is not in [0, 1)")
    return sparsity


class Block(nn.Module):
    def __init__(self, hidden, intermediate, heads):
        super().__init__()
        self.heads = heads
        self.q_lin = nn.Linear(hidden, hidden)
        self.k_lin = nn.Linear(hidden, hidden)
        self.v_lin = nn.Linear(hidden, hidden)
        self.out_lin = nn.Linear(hidden, hidden)
        self.attention_dropout = nn.Dropout(0.1)
        self.sa_layer_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.lin1 = nn.Linear(hidden, intermediate)
        self.lin2 = nn.Linear(intermediate, hidden)
        self.ffn_dropout = nn.Dropout(0.1)
        self.output_layer_norm = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, key_allowed, sparsity):
        batch, length, hidden = x.shape
        head_dim = hidden // self.heads

        def shape(t):
            return t.view(batch, length, self.heads, head_dim).transpose(1, 2)

        q = shape(self.q_lin(x)) / math.sqrt(head_dim)
        k = shape(self.k_lin(x))
        v = shape(self.v_lin(x))
        scores = q @ k.transpose(2, 3)  # [B, H, T, T]
        if sparsity is None:
            keep = key_allowed
        else:
            with torch.no_grad():
                masked = scores.detach().masked_fill(~key_allowed, float("-inf"))
                # Full-length rows: every row allows `length` keys, so k is one number.
                kept = max(1, math.ceil(length * (1.0 - sparsity) - CEIL_SLACK))
                threshold = masked.topk(kept, dim=-1).values[..., -1:]
                keep = (masked >= threshold) & key_allowed
        probs = F.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
        probs = self.attention_dropout(probs)
        context = (probs @ v).transpose(1, 2).contiguous().view(batch, length, hidden)
        x = self.sa_layer_norm(self.out_lin(context) + x)
        ffn = self.ffn_dropout(self.lin2(F.gelu(self.lin1(x))))
        return self.output_layer_norm(ffn + x)


class Classifier(nn.Module):
    def __init__(self, hidden, intermediate, heads, layers, labels=2, max_positions=MAX_POSITIONS):
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCAB, hidden, padding_idx=0)
        self.position_embeddings = nn.Embedding(max_positions, hidden)
        self.embedding_layer_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.embedding_dropout = nn.Dropout(0.1)
        self.layer = nn.ModuleList(Block(hidden, intermediate, heads) for _ in range(layers))
        self.pre_classifier = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)
        self.dropout = nn.Dropout(0.2)
        # Hugging Face's initialisation, as SequenceClassifier::initializeWeights.
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, 0.0, 0.02)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, 0.0, 0.02)
                if module.padding_idx is not None:
                    with torch.no_grad():
                        module.weight[module.padding_idx].zero_()
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, ids, mask, sparsity):
        positions = torch.arange(ids.size(1), device=ids.device).unsqueeze(0)
        x = self.word_embeddings(ids) + self.position_embeddings(positions)
        x = self.embedding_dropout(self.embedding_layer_norm(x))
        key_allowed = mask.bool()[:, None, None, :]  # [B, 1, 1, T]
        for block in self.layer:
            x = block(x, key_allowed, sparsity)
        pooled = F.relu(self.pre_classifier(x[:, 0]))
        return self.classifier(self.dropout(pooled))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="distilbert-base", choices=sorted(PRESETS))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--attention", default="dense", help="dense or crisp:S")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N] (timing synchronises)")
    args = parser.parse_args()
    if args.batch < 1 or args.seq < 1 or args.seq > MAX_POSITIONS or args.steps < 1 or args.warmup < 0:
        raise SystemExit("train_step_pytorch.py: bad --batch/--seq/--steps/--warmup")
    sparsity = parse_attention(args.attention)
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    torch.manual_seed(20251)
    device = torch.device(args.device)
    model = Classifier(*PRESETS[args.preset]).to(device)
    model.train()
    ids = torch.randint(1, VOCAB, (args.batch, args.seq), dtype=torch.long).to(device)
    mask = torch.ones(args.batch, args.seq, dtype=torch.long).to(device)
    labels = torch.randint(0, 2, (args.batch,), dtype=torch.long).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)

    def now():  # on a GPU, the phases end when its queue is done
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    def step():
        """One step; returns the milliseconds of zero_grad + forward + loss, backward, optimizer."""
        start = now()
        optimizer.zero_grad(set_to_none=True)  # released, as crisp's fused optimizer does
        loss = F.cross_entropy(model(ids, mask, sparsity), labels)
        forward_done = now()
        loss.backward()
        backward_done = now()
        optimizer.step()
        end = now()
        return [(b - a) * 1000.0 for a, b in
                ((start, forward_done), (forward_done, backward_done), (backward_done, end))]

    for _ in range(args.warmup):
        step()
    phases = [step() for _ in range(args.steps)]
    times = [sum(p) for p in phases]

    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "step_ms_median": statistics.median(times),
        "step_ms_min": min(times),
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "preset": args.preset,
        "attention": args.attention if sparsity is None else f"crisp:{sparsity:g}",
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "seq": args.seq,
        "steps": args.steps,
        "warmup": args.warmup,
        "implementation": f"PyTorch {torch.__version__} eager",
        "device": str(device),
        "forward_ms_median": statistics.median(p[0] for p in phases),
        "backward_ms_median": statistics.median(p[1] for p in phases),
        "optimizer_ms_median": statistics.median(p[2] for p in phases),
        "step_ms": times,
        "process_cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000.0,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"train step  {args.preset}, batch {args.batch} x {args.seq} tokens, "
              f"attention {result['attention']}, {result['threads']} threads")
        print(f"median      {result['step_ms_median']:.1f} ms over {args.steps} steps "
              f"({args.warmup} warm-up)")
        print(f"min         {result['step_ms_min']:.1f} ms")
        print(f"phases      forward {result['forward_ms_median']:.1f} ms, backward "
              f"{result['backward_ms_median']:.1f} ms, optimizer "
              f"{result['optimizer_ms_median']:.1f} ms (medians)")
        print(f"peak RSS    {result['peak_rss_mb']:.1f} MB")


if __name__ == "__main__":
    main()
