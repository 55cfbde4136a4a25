#!/usr/bin/python3
"""PyTorch half of llmgraph's training referee.

Trains (or runs forward) a LLaMA-shaped model from a Hugging Face folder that llmgraph exported
(config.json + model.safetensors) on token batches that the Java side wrote, and prints what happened as
JSON, so that a Java test can compare llmgraph's Trainer with PyTorch step by step. Standard library,
torch and numpy only; see README.md next to this file for the command line and the JSON it writes.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

import llama_model


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train a LLaMA-shaped HF checkpoint with AdamW in PyTorch "
                                            "(float32, CPU) and write losses, learning rates and gradient "
                                            "norms as JSON.")
    p.add_argument("--model", required=True, help="folder with config.json and model.safetensors")
    p.add_argument("--batches", required=True,
                   help="raw little-endian int32 token ids, steps x batch x (context + 1)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--context", type=int, required=True)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    p.add_argument("--min-lr", type=float, default=0.0, help="learning rate at the end of the cosine decay")
    p.add_argument("--warmup", type=int, default=0, help="steps of linear warm-up")
    p.add_argument("--beta1", type=float, default=0.9)
    p.add_argument("--beta2", type=float, default=0.999)
    p.add_argument("--eps", type=float, default=1e-8)
    p.add_argument("--weight-decay", type=float, default=0.0, help="for tensors of 2 or more dimensions only")
    p.add_argument("--clip", type=float, default=0.0, help="global gradient norm limit; 0 or less: no clipping")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--forward-only", action="store_true",
                   help="write the logits of the first sequence of the first batch instead of training")
    p.add_argument("--out", required=True, help="JSON file to write")
    args = p.parse_args(argv)
    for name in ("steps", "batch", "context", "threads"):
        if getattr(args, name) < 1:
            p.error("--%s = %d must be 1 or more" % (name, getattr(args, name)))
    if args.warmup < 0:
        p.error("--warmup = %d must be 0 or more" % args.warmup)
    for name in ("lr", "min_lr", "beta1", "beta2", "eps", "weight_decay", "clip"):
        if not math.isfinite(getattr(args, name)):
            p.error("--%s = %s must be a finite number" % (name.replace("_", "-"), getattr(args, name)))
    return args


def learning_rate(step, args):
    """The rate of step t = 1..N: linear warm-up to the peak, then cosine decay to --min-lr at step N."""
    if step <= args.warmup:
        return args.lr * step / args.warmup
    progress = (step - args.warmup) / (args.steps - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1.0 + math.cos(math.pi * progress))


def read_batches(path, args, vocab):
    """The ids as an int64 tensor [steps, batch, context + 1], checked against the sizes given."""
    ids = np.fromfile(path, dtype="<i4")
    expected = args.steps * args.batch * (args.context + 1)
    if ids.size != expected:
        sys.exit("%s: holds %d int32 ids (%d bytes); --steps %d x --batch %d x (--context %d + 1) needs %d"
                 % (path, ids.size, os.path.getsize(path), args.steps, args.batch, args.context, expected))
    bad = np.flatnonzero((ids < 0) | (ids >= vocab))
    if bad.size:
        sys.exit("%s: id %d at position %d is outside the vocabulary [0, %d)" % (path, ids[bad[0]], bad[0], vocab))
    return torch.from_numpy(ids.astype(np.int64)).view(args.steps, args.batch, args.context + 1)


def global_grad_norm(params):
    """The L2 norm of all gradients together, as torch.nn.utils.clip_grad_norm_ computes it."""
    return torch.norm(torch.stack([p.grad.detach().norm(2.0) for p in params if p.grad is not None]), 2.0)


def train(model, batches, args):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}],
                                  lr=args.lr, betas=(args.beta1, args.beta2), eps=args.eps)
    params = decay + no_decay
    losses, rates, norms, step_seconds = [], [], [], []
    begin = time.perf_counter()
    for step in range(1, args.steps + 1):
        started = time.perf_counter()
        rate = learning_rate(step, args)
        for group in optimizer.param_groups:
            group["lr"] = rate
        batch = batches[step - 1]
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(batch[:, :-1], batch[:, 1:])
        loss.backward()
        if args.clip > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, args.clip)
        else:
            norm = global_grad_norm(params)
        optimizer.step()
        losses.append(loss.item())
        rates.append(rate)
        norms.append(norm.item())
        step_seconds.append(time.perf_counter() - started)
    seconds = time.perf_counter() - begin
    return {"losses": losses, "learning_rates": rates, "grad_norms": norms,
            "tokens_per_second": args.steps * args.batch * args.context / seconds,
            "step_seconds": step_seconds}


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    model = llama_model.load(args.model)
    if args.context > model.config.max_positions:
        sys.exit("--context %d is longer than the model's max_position_embeddings = %d"
                 % (args.context, model.config.max_positions))
    batches = read_batches(args.batches, args, model.config.vocab)
    if args.forward_only:
        with torch.no_grad():
            logits = model(batches[0, 0:1, :-1])[0]
        result = {"logits": logits.tolist()}
    else:
        result = train(model, batches, args)
    result["threads"] = torch.get_num_threads()
    result["torch"] = torch.__version__
    with open(args.out, "w") as f:
        json.dump(result, f)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
