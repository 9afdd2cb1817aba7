#!/usr/bin/env python3
"""Out-of-process GEMM peer: NumPy's matmul (its bundled OpenBLAS) on the shapes of `e2h bench`.

Same shapes, forms and thread counts as the Swift benchmark (`benchmarkGEMM` in Sources/0-engine/GEMM):
square 256/512/1024 and the transformer's [4096x256]x[256x1024] and [4096x1024]x[1024x256], in
the forms nn (A·B), nt (A·Bᵀ with B stored (N,K)) and tn (Aᵀ·B with A stored (K,M)), on 1 and 2
threads. The transposes are views, so NumPy hands them to sgemm as transpose flags, not copies.

Usage:  python3 bench/peers/gemm_openblas.py [--seconds 0.3] [--threads 1,2] [--json]
Thread counts are set with threadpoolctl when it is installed (`pip install threadpoolctl`);
otherwise each count runs in a child process with OPENBLAS_NUM_THREADS set before NumPy loads.
"""
import argparse
import json
import os
import subprocess
import sys
import time

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (4096, 1024, 256), (4096, 256, 1024)]
FORMS = ["nn", "nt", "tn"]


def operands(np, form, m, n, k):
    """A, B stored as `form` expects (float32, deterministic), as the Swift benchmark does."""
    a = ((np.arange(m * k, dtype=np.int64) * 7919) % 17).astype(np.float32) / 17 - 0.5
    b = ((np.arange(k * n, dtype=np.int64) * 104729) % 23).astype(np.float32) / 23 - 0.5
    a = a.reshape((k, m)).T if form == "tn" else a.reshape((m, k))  # (M,K) view
    b = b.reshape((n, k)).T if form == "nt" else b.reshape((k, n))  # (K,N) view
    return a, b


def fastest_seconds(fn, budget):
    """One warm-up call, then calls for about `budget` seconds (at least 3); the fastest counts."""
    fn()
    best, total, calls = float("inf"), 0.0, 0
    while total < budget or calls < 3:
        t0 = time.perf_counter()
        fn()
        s = time.perf_counter() - t0
        best, total, calls = min(best, s), total + s, calls + 1
    return best


def measure(threads, seconds):
    import numpy as np
    results = []
    for m, n, k in SHAPES:
        for form in FORMS:
            a, b = operands(np, form, m, n, k)
            c = np.empty((m, n), dtype=np.float32)
            s = fastest_seconds(lambda: np.matmul(a, b, out=c), seconds)
            results.append({"form": form, "m": m, "n": n, "k": k, "threads": threads,
                            "gflops": 2.0 * m * n * k / s / 1e9, "kernel": "numpy-openblas"})
    return results


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        for lib in threadpool_info():
            if lib.get("internal_api") == "openblas":
                return f"{lib.get('filepath')} version={lib.get('version')} core={lib.get('architecture')}"
    except ImportError:
        pass
    return "numpy " + __import__("numpy").__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per case")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:  # runs with OPENBLAS_NUM_THREADS already set by the parent
        print(json.dumps(measure(args.child, args.seconds)))
        return

    results = []
    try:
        import numpy  # noqa: F401  (loaded first: threadpoolctl only sees libraries already loaded)
        from threadpoolctl import threadpool_limits
        for t in (int(x) for x in args.threads.split(",")):
            with threadpool_limits(limits=t, user_api="blas"):
                results += measure(t, args.seconds)
    except ImportError:
        for t in (int(x) for x in args.threads.split(",")):
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
            out = subprocess.run([sys.executable, __file__, "--child", str(t), "--seconds",
                                  str(args.seconds)], env=env, check=True, capture_output=True,
                                 text=True).stdout
            results += json.loads(out)

    if args.json:
        print(json.dumps({"peer": blas_info(), "results": results}, indent=2))
        return
    print("peer:", blas_info())
    print("form      m     n     k  thr    GF/s")
    for r in results:
        print(f"{r['form']:>4}{r['m']:>7}{r['n']:>6}{r['k']:>6}{r['threads']:>5}{r['gflops']:>8.1f}")


if __name__ == "__main__":
    main()
