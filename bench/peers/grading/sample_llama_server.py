#!/usr/bin/env python3
"""Real model prose for the grader: asks a running llama.cpp `llama-server` (OpenAI-compatible chat endpoint)
to solve MATH500 and GSM8K problems and writes one JSON line per answer with the gold answer, the model's text
and why generation stopped (`stop` or `length`: a `length` output is truncated and has no final answer).

Not a test and not a runtime dependency: the outputs are read by hand to find what extraction gets wrong
(docs/grading.md, "Real model output"); no output is copied into the fixtures.

    /work/peers/llama-build/bin/llama-server -m SmolLM2-135M-Instruct.Q4_1.gguf --port 8093 -np 8 -c 8192 &
    python3 bench/peers/grading/sample_llama_server.py --port 8093 --math 60 --gsm8k 60 > /tmp/outputs.jsonl
    python3 bench/peers/grading/sample_llama_server.py --to-grade /tmp/outputs.jsonl > /tmp/pairs.jsonl
    e2h grade --input /tmp/pairs.jsonl

Without a llama.cpp server, the same prompts through e2h's own sampler:

    python3 bench/peers/grading/sample_llama_server.py --write-problems --math 24 --gsm8k 24 > /tmp/p.jsonl
    e2h sample --model SmolLM2-135M-Instruct.Q4_1.gguf --problems /tmp/p.jsonl --out /tmp/s.jsonl -n 2 --max-new-tokens 320
    python3 bench/peers/grading/sample_llama_server.py --to-grade /tmp/s.jsonl --problems-file /tmp/p.jsonl > /tmp/pairs.jsonl

Four prompt styles are cycled (a bare question; "put your final answer within \\boxed{}"; "end with 'The answer
is N'"; Minerva's "Final Answer: The final answer is ..."), so the outputs show the formats models use.
"""
import argparse
import concurrent.futures
import json
import sys
import urllib.request

STYLES = [
    "{q}",
    "{q}\nPlease reason step by step, and put your final answer within \\boxed{{}}.",
    "{q}\nSolve it step by step. End your response with 'The answer is N.' where N is the answer.",
    "Problem:\n{q}\n\nSolution: end with the line \"Final Answer: The final answer is $X$. I hope it is correct.\"",
]


def problems(math_n, gsm_n, data):
    out = []
    with open(f"{data}/math500.jsonl") as f:
        for k, line in enumerate(f):
            if k >= math_n:
                break
            r = json.loads(line)
            out.append(("math500", r["unique_id"], r["problem"], r["answer"]))
    with open(f"{data}/gsm8k_test.jsonl") as f:
        for k, line in enumerate(f):
            if k >= gsm_n:
                break
            r = json.loads(line)
            out.append(("gsm8k", str(k), r["question"], r["answer"].split("####")[-1].strip()))
    return out


def ask(port, text, max_tokens, temperature, seed):
    body = json.dumps({"messages": [{"role": "user", "content": text}], "max_tokens": max_tokens,
                       "temperature": temperature, "seed": seed}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        j = json.loads(r.read())
    c = j["choices"][0]
    return c["message"]["content"], c.get("finish_reason")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8093)
    ap.add_argument("--math", type=int, default=60)
    ap.add_argument("--gsm8k", type=int, default=60)
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--max-tokens", type=int, default=400)
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--to-grade", help="turn an outputs file (this script's, or e2h sample's with --problems-file) "
                                       "into {gold, pred, finish} lines for e2h grade --input")
    ap.add_argument("--problems-file", help="with --to-grade: the problems file of e2h sample (gold answers by id)")
    ap.add_argument("--write-problems", action="store_true",
                    help="print the prompts as an e2h problems file instead (for e2h sample --model GGUF)")
    a = ap.parse_args()
    if a.to_grade:
        gold = {}
        if a.problems_file:
            gold = {json.loads(l)["id"]: json.loads(l)["answer"] for l in open(a.problems_file)}
        for line in open(a.to_grade):
            r = json.loads(line)
            g = r["gold"] if "gold" in r else gold[r["problem_id"]]
            print(json.dumps({"gold": g, "pred": r["output"], "finish": r.get("finish_reason")}, ensure_ascii=False))
        return
    if a.write_problems:
        for k, (source, pid, q, gold) in enumerate(problems(a.math, a.gsm8k, a.data)):
            print(json.dumps({"id": f"{source}:{pid}:{k % len(STYLES)}", "problem": STYLES[k % len(STYLES)].format(q=q),
                              "answer": gold, "level": 1, "subject": source, "solution": ""},
                             ensure_ascii=False))
        return
    jobs = []
    for k, (source, pid, q, gold) in enumerate(problems(a.math, a.gsm8k, a.data)):
        jobs.append((source, pid, k % len(STYLES), STYLES[k % len(STYLES)].format(q=q), gold, k))
    with concurrent.futures.ThreadPoolExecutor(a.parallel) as ex:
        futures = [(j, ex.submit(ask, a.port, j[3], a.max_tokens, a.temperature, j[5])) for j in jobs]
        for (source, pid, style, _, gold, _), fut in futures:
            try:
                text, finish = fut.result()
            except Exception as e:  # a failed request is reported, not fatal
                print(f"{source} {pid}: {e}", file=sys.stderr)
                continue
            print(json.dumps({"source": source, "id": pid, "style": style, "gold": gold, "output": text,
                              "finish_reason": finish}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
