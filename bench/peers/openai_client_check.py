#!/usr/bin/env python3
"""The reference client (PyPI's `openai`) against `e2h serve`: run by hand.

    e2h run --quick --out /tmp/q
    e2h serve --model /tmp/q/policy/sft --port 8000 --api-key sesame &
    pip install openai
    python3 bench/peers/openai_client_check.py --base http://127.0.0.1:8000/v1 --model sft --api-key sesame

Checks completions (string and list prompts, n > 1, logprobs, seed), streaming, chat (whole and
streamed), the models list, and that errors arrive as the SDK's typed exceptions. Prints one line
per check and exits non-zero on the first failure.
"""
import argparse
import sys

import openai


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000/v1")
    parser.add_argument("--model", required=True)
    parser.add_argument("--api-key", default="none")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base, api_key=args.api_key, max_retries=0)
    prompt = "# Question\n\n12 + 7\n\n# Solution\n\n"
    checks = 0

    def check(name, ok, detail=""):
        nonlocal checks
        print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
        if not ok:
            sys.exit(1)
        checks += 1

    models = client.models.list()
    check("models.list", [m.id for m in models.data] == [args.model], str([m.id for m in models.data]))

    c = client.completions.create(model=args.model, prompt=prompt, max_tokens=40, n=3, temperature=0.7,
                                  seed=5, logprobs=1, extra_body={"top_k": 20})
    check("completions n=3", [ch.index for ch in c.choices] == [0, 1, 2])
    check("completions logprobs", all(len(ch.logprobs.tokens) == len(ch.logprobs.token_logprobs) > 0 for ch in c.choices))
    check("completions finish_reason", all(ch.finish_reason in ("stop", "length") for ch in c.choices))
    check("completions usage", c.usage.completion_tokens > 0, str(c.usage))
    again = client.completions.create(model=args.model, prompt=prompt, max_tokens=40, n=3, temperature=0.7,
                                      seed=5, extra_body={"top_k": 20})
    check("completions seed reproducible", [ch.text for ch in again.choices] == [ch.text for ch in c.choices])
    print("     sample:", repr(c.choices[0].text))

    lst = client.completions.create(model=args.model, prompt=[prompt, prompt.replace("12 + 7", "3 + 4")], max_tokens=30,
                                    n=2, temperature=0)
    check("completions prompt list", len(lst.choices) == 4 and lst.choices[0].text == lst.choices[1].text)

    streamed = {}
    for chunk in client.completions.create(model=args.model, prompt=prompt, max_tokens=40, n=2, temperature=0.7, seed=5,
                                           stream=True, extra_body={"top_k": 20}):
        for ch in chunk.choices:
            streamed[ch.index] = streamed.get(ch.index, "") + ch.text
    whole = client.completions.create(model=args.model, prompt=prompt, max_tokens=40, n=2, temperature=0.7, seed=5,
                                      extra_body={"top_k": 20})
    check("completions stream == whole", [streamed[i] for i in range(2)] == [ch.text for ch in whole.choices])

    chat = client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "12 + 7"}],
                                          max_tokens=40, temperature=0, logprobs=True)
    greedy = client.completions.create(model=args.model, prompt=prompt, max_tokens=40, temperature=0)
    check("chat == completions of the paper prompt", chat.choices[0].message.content == greedy.choices[0].text)
    check("chat logprobs content list", len(chat.choices[0].logprobs.content) > 0)
    text = ""
    for chunk in client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "12 + 7"}],
                                                max_tokens=40, temperature=0, stream=True):
        text += chunk.choices[0].delta.content or ""
    check("chat stream", text == greedy.choices[0].text)

    for name, kwargs, error in [
        ("n too large", dict(n=1_000_000), openai.BadRequestError),
        ("max_tokens too large", dict(max_tokens=10**9), openai.BadRequestError),
        ("unknown model", dict(model="nope"), openai.NotFoundError),
    ]:
        params = dict(model=args.model, prompt=prompt, max_tokens=4)
        params.update(kwargs)
        try:
            client.completions.create(**params)
            check(name, False, "no error")
        except error as e:
            check(name, True, e.message if hasattr(e, "message") else str(e))

    if args.api_key != "none":
        bad = openai.OpenAI(base_url=args.base, api_key="wrong", max_retries=0)
        try:
            bad.models.list()
            check("wrong key", False, "no error")
        except openai.AuthenticationError:
            check("wrong key -> 401", True)

    print(f"{checks} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
