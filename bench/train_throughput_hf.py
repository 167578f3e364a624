#!/usr/bin/env python3
"""The transformers peer of `crisp bench train-throughput --model DIR` (run it with the project's
Python environment, build/pyenv/bin/python, made by scripts/setup-pyenv).

Fine-tunes transformers' own AutoModelForSequenceClassification (eager attention) loaded from
the same pretrained checkpoint on exactly the batches crisp's trainer ran, read from the file
`crisp bench train-throughput --batches-out FILE` wrote (same order, same padding), with the
training loop of bench/train_throughput_pytorch.py (the trainer's: AdamW with weight decay 0.01
except on biases and LayerNorm, linear warm-up over 10% of the steps then linear decay,
cross-entropy, loss.item() every step, clipping to norm 1.0). Prints the same JSON fields as the
C++ command: sentences/s over the steps after the warm-up.
"""

import argparse
import json
import os
import sys

import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_throughput_pytorch import read_batches, timed_training  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", required=True, help="JSON Lines from --batches-out")
    parser.add_argument("--model", required=True, help="the pretrained checkpoint's directory")
    parser.add_argument("--labels", type=int, default=2)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.warmup_steps < 1:
        raise SystemExit("train_throughput_hf.py: --warmup-steps must be positive")
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    batches = read_batches(args.batches)
    if len(batches) <= args.warmup_steps + 1:
        raise SystemExit("train_throughput_hf.py: too few batches for the warm-up")
    torch.manual_seed(42)
    transformers.logging.set_verbosity_error()
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        args.model, num_labels=args.labels, attn_implementation="eager")
    result = timed_training(
        model, lambda ids, mask: model(input_ids=ids, attention_mask=mask).logits, batches,
        args.warmup_steps)
    result.update({"model": args.model, "attention": "dense",
                   "implementation": f"transformers {transformers.__version__} eager on "
                                     f"PyTorch {torch.__version__}"})
    if args.json:
        print(json.dumps(result))
    else:
        print(f"train throughput  {args.model}, dense, {result['threads']} threads")
        print(f"rate              {result['sentences_per_second']:.1f} sentences/s over "
              f"{result['timed_steps']} steps")


if __name__ == "__main__":
    main()
