#!/usr/bin/env python3
"""llama.cpp on a GGUF file, the peer of `e2h bench --model FILE --llama-cpp DIR`.

Runs, from DIR (a llama.cpp build's bin folder):
  llama-bench -m FILE -t T -p P -n G -o json            prompt processing (pp) and batch-1 decoding (tg)
  llama-batched-bench -m FILE -t T -npp 1 -ntg G -npl 1,B -c C
                                                          decoding B sequences together (S_TG t/s)
and prints one JSON object: {"pp_tokens_per_second", "tg_tokens_per_second",
"batched": {"B": decode t/s, ...}, "peak_rss_bytes", "commands"}. Peak RSS is the largest of
the child processes' maximum resident sets (getrusage RUSAGE_CHILDREN).

Usage: llama_bench.py --bin DIR --model FILE [--threads 2] [--prompt 512] [--gen 128] [--batch 64]
"""
import argparse
import json
import os
import resource
import subprocess
import sys


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"llama_bench.py: {' '.join(command)} exited with {done.returncode}")
    return done.stdout, done.stderr


def parse_table(text):
    """Rows of a markdown table (`| a | b |`) as dicts keyed by the header's names."""
    rows, header = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
        elif all(set(c) <= set("-: ") for c in cells):
            continue
        elif len(cells) == len(header):
            rows.append(dict(zip(header, cells)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt", type=int, default=512)
    parser.add_argument("--gen", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    bench = [os.path.join(args.bin, "llama-bench"), "-m", args.model, "-t", str(args.threads),
             "-p", str(args.prompt), "-n", str(args.gen), "-r", str(args.repetitions), "-o", "json"]
    out, _ = run(bench)
    pp = tg = None
    for entry in json.loads(out):
        if entry.get("n_prompt", 0) > 0 and entry.get("n_gen", 0) == 0:
            pp = entry["avg_ts"]
        elif entry.get("n_gen", 0) > 0 and entry.get("n_prompt", 0) == 0:
            tg = entry["avg_ts"]
    context = max(4096, args.batch * (args.gen + 8))
    batched = [os.path.join(args.bin, "llama-batched-bench"), "-m", args.model, "-t", str(args.threads),
               "-tb", str(args.threads), "-c", str(context), "-b", "2048", "-ub", "512",
               "-npp", "1", "-ntg", str(args.gen), "-npl", f"1,{args.batch}"]
    out, err = run(batched)
    rates = {}
    for row in parse_table(out + "\n" + err):
        if "B" in row and "S_TG t/s" in row:
            rates[row["B"]] = float(row["S_TG t/s"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"pp_tokens_per_second": pp, "tg_tokens_per_second": tg, "batched": rates,
                      "peak_rss_bytes": peak, "threads": args.threads, "prompt": args.prompt, "gen": args.gen,
                      "commands": [" ".join(bench), " ".join(batched)]}))


if __name__ == "__main__":
    main()
