#!/usr/bin/env python3
"""Records real llama.cpp server response bodies as test fixtures (run by hand; docs/serving.md).

    python3 bench/peers/serving/record_llamacpp.py \
        --server /work/peers/llama-build/bin/llama-server \
        --model /root/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \
        --out Tests/InferenceClientTests/Fixtures

Starts llama-server on a free loopback port (4 slots, 2 threads), sends each case, and writes the
body it got to OUT/llamacpp_real_<case>.json (or .txt for streams), plus
llamacpp_real_manifest.json: case -> (status, request, llama.cpp build). Standard library only.
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time

PROMPT = "<|im_start|>user\nWhat is 12 + 7?<|im_end|>\n<|im_start|>assistant\n"

CASES = [
    # (name, path, body, stream)
    ("completion_logprobs", "/v1/completions",
     {"model": "smollm2", "prompt": PROMPT, "max_tokens": 12, "temperature": 0, "logprobs": 3, "seed": 1}, False),
    ("completion_n2", "/v1/completions",
     {"model": "smollm2", "prompt": PROMPT, "max_tokens": 8, "temperature": 0.8, "n": 2, "seed": 2, "logprobs": 1}, False),
    ("completion_stop", "/v1/completions",
     {"model": "smollm2", "prompt": PROMPT, "max_tokens": 32, "temperature": 0, "stop": ["19"]}, False),
    ("chat_logprobs", "/v1/chat/completions",
     {"model": "smollm2", "messages": [{"role": "user", "content": "What is 12 + 7?"}], "max_tokens": 12,
      "temperature": 0, "logprobs": True, "top_logprobs": 2}, False),
    ("completion_stream", "/v1/completions",
     {"model": "smollm2", "prompt": PROMPT, "max_tokens": 6, "temperature": 0, "logprobs": 1, "stream": True}, True),
    ("chat_stream", "/v1/chat/completions",
     {"model": "smollm2", "messages": [{"role": "user", "content": "What is 12 + 7?"}], "max_tokens": 6,
      "temperature": 0, "stream": True}, True),
    ("error_n_too_large", "/v1/completions", {"model": "smollm2", "prompt": PROMPT, "max_tokens": 4, "n": 64}, False),
    ("error_context", "/v1/completions", {"model": "smollm2", "prompt": "one two " * 3000, "max_tokens": 4}, False),
    ("error_malformed", "/v1/completions", b"{not json", False),
    ("error_top_logprobs", "/v1/chat/completions",
     {"model": "smollm2", "messages": [{"role": "user", "content": "hi"}], "top_logprobs": 2}, False),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, path, body, method="POST"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="/work/peers/llama-build/bin/llama-server")
    parser.add_argument("--model", default="/root/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    parser.add_argument("--out", default="Tests/InferenceClientTests/Fixtures")
    args = parser.parse_args()
    port = free_port()
    log = open("/tmp/llamacpp-record.log", "w")
    server = subprocess.Popen([args.server, "-m", args.model, "--host", "127.0.0.1", "--port", str(port), "-c", "4096",
                               "-np", "4", "-t", "2", "-a", "smollm2"], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                if request(port, "/health", None, "GET")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            sys.exit("llama-server did not become healthy; see /tmp/llamacpp-record.log")
        _, props = request(port, "/props", None, "GET")
        build = json.loads(props).get("build_info", "?")
        manifest = {"llama_cpp_build": build, "model": os.path.basename(args.model), "cases": {}}
        for name, path, body, stream in CASES:
            status, payload = request(port, path, body)
            suffix = "txt" if stream and status == 200 else "json"
            with open(os.path.join(args.out, f"llamacpp_real_{name}.{suffix}"), "wb") as f:
                f.write(payload)
            shown = body.decode() if isinstance(body, bytes) else dict(body)
            if isinstance(shown, dict) and len(shown.get("prompt", "")) > 1000:
                shown["prompt"] = f"{shown['prompt'][:8]!r} repeated, {len(shown['prompt'])} characters"
            manifest["cases"][name] = {"status": status, "path": path, "request": shown}
            print(f"{name}: {status} {payload[:160]!r}")
        with open(os.path.join(args.out, "llamacpp_real_manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
