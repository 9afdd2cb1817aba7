#!/usr/bin/env python3
"""bf16 GEMM peer: PyTorch's matmul on bfloat16 operands (oneDNN, AMX tiles where the CPU has them),
on the shapes, forms and thread counts of `e2h bench --matmul bf16`'s GEMM section.

Two figures per case, each the fastest call over about --seconds:
  convert: float32 A and B turned into bfloat16 and multiplied (e2h's bf16 gemm takes float32
           operands and rounds them while packing, so this is the like-for-like figure);
  kernel:  bfloat16 tensors multiplied (no conversion; the kernel alone).
Both return bfloat16 C (e2h writes float32 C: the peer writes half the bytes).

Usage:  python3 bench/peers/gemm_torch_bf16.py [--seconds 0.3] [--threads 1,2]
Prints one JSON line per case: {"form", "m", "n", "k", "threads", "convert_gflops", "kernel_gflops"}.
"""
import argparse
import json
import time

import torch

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (4096, 1024, 256), (4096, 256, 1024)]
FORMS = ["nn", "nt", "tn"]


def operands(form, m, n, k):
    """A, B as `form` stores them (float32, deterministic), returned as (M,K) and (K,N) views."""
    a = ((torch.arange(m * k, dtype=torch.int64) * 7919) % 17).float() / 17 - 0.5
    b = ((torch.arange(k * n, dtype=torch.int64) * 104729) % 23).float() / 23 - 0.5
    a = a.reshape(k, m).t() if form == "tn" else a.reshape(m, k)
    b = b.reshape(n, k).t() if form == "nt" else b.reshape(k, n)
    return a, b


def fastest(fn, seconds):
    fn()
    best, total, calls = float("inf"), 0.0, 0
    while total < seconds or calls < 3:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best, total, calls = min(best, elapsed), total + elapsed, calls + 1
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for m, n, k in SHAPES:
            for form in FORMS:
                a, b = operands(form, m, n, k)
                a16, b16 = a.bfloat16(), b.bfloat16()
                flops = 2.0 * m * n * k
                convert = fastest(lambda: torch.matmul(a.bfloat16(), b.bfloat16()), args.seconds)
                kernel = fastest(lambda: torch.matmul(a16, b16), args.seconds)
                print(json.dumps({"peer": "torch-bf16", "torch_version": torch.__version__, "form": form,
                                  "m": m, "n": n, "k": k, "threads": threads,
                                  "convert_gflops": flops / convert / 1e9, "kernel_gflops": flops / kernel / 1e9}),
                      flush=True)


if __name__ == "__main__":
    main()
