#!/usr/bin/env python3
"""Load and fault check of `e2h serve` on loopback (run by hand; see docs/serving.md).

    python3 bench/peers/serve_load.py --base http://127.0.0.1:8000 --model sft --clients 64 --seconds 60

Each client sends /v1/completions back to back for --seconds; prints requests, failures by status
(429 is the only acceptable one), p50 / p99 latency and generated tokens/s. Then the fault cases:
malformed JSON, wrong types, a 1 MB prompt, n = 1,000,000, max_tokens = 10^9, abrupt disconnects
mid-stream; each must get a 4xx with a message, and the server must still answer afterwards.
Standard library only.
"""
import argparse
import http.client
import json
import socket
import statistics
import threading
import time
import urllib.parse


API_KEY = None


def post(host, port, path, body, timeout=120):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if API_KEY:
        headers["Authorization"] = f"Bearer {API_KEY}"
    conn.request("POST", path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--model", required=True)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args()
    global API_KEY
    API_KEY = args.api_key
    url = urllib.parse.urlparse(args.base)
    host, port = url.hostname, url.port or 80
    prompt = "# Question\n\n{a} + {b}\n\n# Solution\n\n"

    lock = threading.Lock()
    latencies, statuses, tokens = [], {}, [0]
    stop_at = time.time() + args.seconds

    def client(i):
        k = 0
        while time.time() < stop_at:
            body = {"model": args.model, "prompt": prompt.format(a=i, b=k), "max_tokens": args.max_tokens, "n": args.n,
                    "temperature": 0.7, "seed": i * 1000 + k}
            start = time.time()
            try:
                status, payload = post(host, port, "/v1/completions", body)
            except Exception as e:  # noqa: BLE001
                status, payload = f"exception {type(e).__name__}", b""
            elapsed = time.time() - start
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(elapsed)
                    tokens[0] += json.loads(payload)["usage"]["completion_tokens"]
            if status == 429:
                time.sleep(0.2)
            k += 1

    started = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - started
    latencies.sort()
    ok = statuses.get(200, 0)
    bad = {s: c for s, c in statuses.items() if s not in (200, 429)}
    print(f"clients {args.clients}, {wall:.1f} s: {ok} ok, {statuses.get(429, 0)} x 429, other failures {bad or 0}")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        print(f"latency p50 {statistics.median(latencies):.3f} s, p99 {p99:.3f} s; {tokens[0] / wall:.0f} generated tokens/s, "
              f"{ok / wall:.1f} requests/s")

    faults = [
        ("malformed JSON", b"{not json", 400),
        ("wrong type", {"model": args.model, "prompt": "1", "max_tokens": "ten"}, 400),
        ("1 MB prompt", {"model": args.model, "prompt": "1" * (1 << 20)}, 413),
        ("n = 1,000,000", {"model": args.model, "prompt": "1", "n": 1_000_000}, 400),
        ("max_tokens = 10^9", {"model": args.model, "prompt": "1", "max_tokens": 10**9}, 400),
    ]
    failures, passed = len(bad), 1 if ok > 0 and not bad else 0
    for name, body, expected in faults:
        status, payload = post(host, port, "/v1/completions", body)
        message = json.loads(payload).get("error", {}).get("message", payload[:80]) if payload.startswith(b"{") else payload[:80]
        good = status == expected
        failures += not good
        passed += good
        print(f"{'ok  ' if good else 'FAIL'} {name}: {status} {message}")
    # Abrupt disconnects mid-stream.
    for _ in range(8):
        s = socket.create_connection((host, port))
        body = json.dumps({"model": args.model, "prompt": prompt.format(a=1, b=2), "max_tokens": 200, "n": 8,
                           "stream": True, "answer_line_stop": False}).encode()
        auth = f"Authorization: Bearer {API_KEY}\r\n".encode() if API_KEY else b""
        s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
                  + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        s.recv(256)
        s.close()
    time.sleep(0.5)
    status, _ = post(host, port, "/v1/completions", {"model": args.model, "prompt": "1", "max_tokens": 4})
    failures += status != 200
    passed += status == 200
    print(f"{'ok  ' if status == 200 else 'FAIL'} after 8 abrupt disconnects the server answers: {status}")
    print(f"{passed} passed, {failures} failed")


if __name__ == "__main__":
    main()
