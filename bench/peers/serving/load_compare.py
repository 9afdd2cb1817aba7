#!/usr/bin/env python3
"""The same client load against llama.cpp's server and `e2h serve` on the same GGUF (by hand;
docs/serving.md, "llama.cpp's server as a peer").

    python3 bench/peers/serving/load_compare.py --e2h .build/release/e2h \
        --llama-server /work/peers/llama-build/bin/llama-server \
        --model /root/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
        --clients 1,8,32 --seconds 30 --max-tokens 64 --threads 2

One server at a time (the other is stopped), each with --slots (default 32) sequences decoded
together and --threads threads. Each of C clients sends /v1/completions back to back for
--seconds: a chat-formatted question with its own numbers, max_tokens, temperature 0.7, its own
seed. Prints requests/s, generated tokens/s (from each response's usage), mean tokens per
request, p50 / p99 latency and failures, each server's peak RSS, then e2h / llama.cpp ratios. Standard library only.
"""
import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time

PROMPT = "<|im_start|>user\nWhat is {a} + {b}? Explain step by step.<|im_end|>\n<|im_start|>assistant\n"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def post(port, body, timeout=600):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", "/v1/completions", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def peak_rss_mb(pid):
    """The process's peak resident set (VmHWM) so far, in MB; NaN where /proc is not there."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1000
    except OSError:
        pass
    return float("nan")


def wait_healthy(port, process, log):
    for _ in range(3000):
        if process.poll() is not None:
            sys.exit(f"server exited; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"server not healthy; see {log}")


def load(port, clients, seconds, max_tokens):
    lock = threading.Lock()
    latencies, tokens, failures = [], [0], {}
    stop_at = time.time() + seconds

    def client(i):
        k = 0
        while time.time() < stop_at:
            body = {"model": "smollm2", "prompt": PROMPT.format(a=10 + i, b=k), "max_tokens": max_tokens,
                    "temperature": 0.7, "seed": i * 100003 + k}
            start = time.time()
            try:
                status, payload = post(port, body)
            except Exception as e:  # noqa: BLE001
                status, payload = f"exception {type(e).__name__}", b""
            elapsed = time.time() - start
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                    tokens[0] += json.loads(payload)["usage"]["completion_tokens"]
                else:
                    failures[status] = failures.get(status, 0) + 1
            k += 1

    started = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - started
    latencies.sort()
    n = len(latencies)
    return {"clients": clients, "wall": wall, "requests": n, "rps": n / wall, "tps": tokens[0] / wall,
            "tokens_per_request": tokens[0] / max(1, n),
            "p50": statistics.median(latencies) if n else float("nan"),
            "p99": latencies[min(n - 1, int(0.99 * n))] if n else float("nan"), "failures": failures}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--e2h", default=".build/release/e2h")
    parser.add_argument("--llama-server", default="/work/peers/llama-build/bin/llama-server")
    parser.add_argument("--model", default="/root/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--slots", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context-per-slot", type=int, default=512)
    parser.add_argument("--only", choices=["e2h", "llama"], default=None)
    parser.add_argument("--e2h-flag", action="append", default=[],
                        help="an extra flag for e2h serve (repeatable), e.g. --e2h-flag=--float-weights")
    args = parser.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    servers = {
        "llama.cpp": lambda port: [args.llama_server, "-m", args.model, "--host", "127.0.0.1", "--port", str(port),
                                   "-np", str(args.slots), "-c", str(args.slots * args.context_per_slot),
                                   "-t", str(args.threads), "-tb", str(args.threads), "-a", "smollm2"],
        "e2h": lambda port: [args.e2h, "serve", "--model", args.model, "--port", str(port), "--slots", str(args.slots),
                             "--served-model-name", "smollm2", "--log-level", "warning"] + args.e2h_flag,
    }
    if args.only:
        servers = {k: v for k, v in servers.items() if (k == "e2h") == (args.only == "e2h")}
    results = {}
    for name, command in servers.items():
        port = free_port()
        log = f"/tmp/load-compare-{name}.log"
        env = dict(**__import__("os").environ, E2H_THREADS=str(args.threads))
        process = subprocess.Popen(command(port), stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)
        try:
            wait_healthy(port, process, log)
            post(port, {"model": "smollm2", "prompt": PROMPT.format(a=1, b=2), "max_tokens": 8})  # warm up
            for clients in levels:
                r = load(port, clients, args.seconds, args.max_tokens)
                results[(name, clients)] = r
                print(f"{name:9} clients {clients:3}: {r['requests']:5} requests in {r['wall']:.1f} s, {r['rps']:.2f} req/s, "
                      f"{r['tps']:.1f} tokens/s, {r['tokens_per_request']:.1f} tokens/request, p50 {r['p50']:.2f} s, "
                      f"p99 {r['p99']:.2f} s, failures {r['failures'] or 0}", flush=True)
            print(f"{name:9} peak RSS {peak_rss_mb(process.pid):.0f} MB", flush=True)
        finally:
            process.terminate()
            process.wait()
    if len(servers) == 2:
        for clients in levels:
            a, b = results[("e2h", clients)], results[("llama.cpp", clients)]
            print(f"ratio e2h / llama.cpp at {clients:3} clients: tokens/s {a['tps'] / max(b['tps'], 1e-9):.2f}x, "
                  f"requests/s {a['rps'] / max(b['rps'], 1e-9):.2f}x, p50 latency {a['p50'] / b['p50']:.2f}x")


if __name__ == "__main__":
    main()
