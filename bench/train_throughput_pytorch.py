#!/usr/bin/python3
"""The PyTorch-eager peer of `crisp bench train-throughput` (run it with Debian's /usr/bin/python3).

Trains the same classifier as bench/train_step_pytorch.py (DistilBERT layout, Hugging Face
initialisation, dropout 0.1 / 0.2) on exactly the batches crisp's trainer ran, read from the
file `crisp bench train-throughput --batches-out FILE` wrote (same order, same padding), with
the same training loop as core/train/trainer.cpp: AdamW with weight decay 0.01 except on biases
and LayerNorm, linear warm-up over 10% of the steps then linear decay, cross-entropy,
loss.item() every step, gradient clipping to norm 1.0. Dense attention with the padding mask.
With --device cuda each batch is copied to the GPU in its step, as the trainer does.
Prints the same JSON fields as the C++ command: sentences/s over the steps after the warm-up.
"""

import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_step_pytorch import PRESETS, Classifier  # noqa: E402


def read_batches(path):
    batches = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            record = json.loads(line)
            shape = (record["rows"], record["length"])
            ids = torch.tensor(record["ids"], dtype=torch.long).view(shape)
            mask = torch.tensor(record["mask"], dtype=torch.long).view(shape)
            labels = torch.tensor(record["labels"], dtype=torch.long)
            if labels.numel() != shape[0]:
                raise SystemExit(f"{path}:{number}: {labels.numel()} labels for {shape[0]} rows")
            batches.append((ids, mask, labels))
    if not batches:
        raise SystemExit(f"{path}: no batches")
    return batches


def timed_training(model, logits_of, batches, warmup_steps, device):
    """The trainer's loop on the batches (AdamW, weight decay 0.01 except on biases and
    LayerNorm, warm-up 10% then linear decay, cross-entropy, loss.item() every step, clipping to
    norm 1.0); sentences/s over the steps after warmup_steps, and the run's figures."""
    model.to(device)
    model.train()
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        is_norm = "layer_norm" in name or "LayerNorm" in name
        (no_decay if name.endswith(".bias") or is_norm else decay).append(parameter)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=2e-5)
    total = len(batches)
    warmup = math.ceil(0.1 * total)  # as Trainer::scheduleFactor: warm-up ratio 0.1

    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    parameters = list(model.parameters())
    step_end = []
    first = warmup_steps  # steps first+1 .. total are timed

    def now(step):  # on a GPU the timed interval's ends wait for the queue to drain
        if device.type == "cuda" and step in (first - 1, total - 1):
            torch.cuda.synchronize(device)
        return time.perf_counter()

    for step, (ids, mask, labels) in enumerate(batches):
        ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
        loss = F.cross_entropy(logits_of(ids, mask), labels)
        loss.item()  # the trainer reads the loss every step (NaN check, metrics)
        optimizer.zero_grad(set_to_none=True)  # as the trainer: gradients released, not zeroed
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        schedule.step()
        step_end.append(now(step))

    sentences = sum(b[0].size(0) for b in batches[first:])
    padded = sum(b[0].numel() for b in batches[first:])
    seconds = step_end[-1] - step_end[first - 1]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "sentences_per_second": sentences / seconds,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "threads": torch.get_num_threads(),
        "device": str(device),
        "batch": batches[0][0].size(0),
        "steps": total,
        "timed_steps": total - first,
        "timed_sentences": sentences,
        "timed_seconds": seconds,
        "mean_padded_length": padded / sentences,
        "process_cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000.0,
    }


def parse_arguments(description, add_model_arguments):
    """The options both peers share (--batches, --warmup-steps, --threads, --json) plus their
    own; returns the arguments and the batches, threads set, warm-up checked."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--batches", required=True, help="JSON Lines from --batches-out")
    add_model_arguments(parser)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    args = parser.parse_args()
    name = os.path.basename(sys.argv[0])
    if args.warmup_steps < 1:
        raise SystemExit(f"{name}: --warmup-steps must be positive")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    args.device = torch.device("cuda:0" if args.device == "cuda" else args.device)
    if args.device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"{name}: --device {args.device}: this PyTorch sees no CUDA device")
    batches = read_batches(args.batches)
    if len(batches) <= args.warmup_steps + 1:
        raise SystemExit(f"{name}: too few batches for the warm-up")
    return args, batches


def print_result(result, model_name, as_json):
    """One JSON object (the C++ command's fields), or three lines for people."""
    if as_json:
        print(json.dumps(result))
        return
    print(f"train throughput  {model_name}, dense, {result['threads']} threads")
    print(f"rate              {result['sentences_per_second']:.1f} sentences/s over "
          f"{result['timed_steps']} steps")
    print(f"peak RSS          {result['peak_rss_mb']:.1f} MB")


def main():
    def model_arguments(parser):
        parser.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
        parser.add_argument("--max-positions", type=int, default=64,
                            help="position embeddings (crisp: max(--max-len, 64))")

    args, batches = parse_arguments(__doc__.splitlines()[0], model_arguments)
    torch.manual_seed(42)
    model = Classifier(*PRESETS[args.preset], max_positions=args.max_positions)
    result = timed_training(model, lambda ids, mask: model(ids, mask, None), batches,
                            args.warmup_steps, args.device)
    result.update({"preset": args.preset, "attention": "dense",
                   "implementation": f"PyTorch {torch.__version__} eager"})
    print_result(result, args.preset, args.json)


if __name__ == "__main__":
    main()
