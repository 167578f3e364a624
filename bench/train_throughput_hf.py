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

import os
import sys

import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_throughput_pytorch import parse_arguments, print_result, timed_training  # noqa: E402


def main():
    def model_arguments(parser):
        parser.add_argument("--model", required=True, help="the pretrained checkpoint's directory")
        parser.add_argument("--labels", type=int, default=2)

    args, batches = parse_arguments(__doc__.splitlines()[0], model_arguments)
    torch.manual_seed(42)
    transformers.logging.set_verbosity_error()
    model = transformers.AutoModelForSequenceClassification.from_pretrained(
        args.model, num_labels=args.labels, attn_implementation="eager")
    result = timed_training(
        model, lambda ids, mask: model(input_ids=ids, attention_mask=mask).logits, batches,
        args.warmup_steps, args.device)
    result.update({"model": args.model, "attention": "dense",
                   "implementation": f"transformers {transformers.__version__} eager on "
                                     f"PyTorch {torch.__version__}"})
    print_result(result, args.model, args.json)


if __name__ == "__main__":
    main()
