#!/usr/bin/env python3
"""Math-Verify on the same cases as `e2h grade --benchmark`: accuracy against `expected` and cases/second.

Usage:
    pip install math-verify
    python3 bench/peers/grading/math_verify_bench.py Tests/GradingTests/Fixtures/cases.jsonl [--wrap] [--show-failures]

For each case it times `verify(parse(gold), parse(pred))`, parse included (that is what grading costs).
Math-Verify's LaTeX extractor only looks inside math delimiters (`$...$`, `\\boxed{}`, ...); with --wrap a
bare answer (no `$` and no `\\boxed`) is given as `$answer$`, which is how its README passes gold answers
and which raises its accuracy; the timing then includes the same work. Prints a human line and a JSON line.
"""
import argparse
import json
import sys
import time


def wrap(s: str) -> str:
    if "$" in s or "\\boxed" in s or "\\(" in s or "\\[" in s or "# Answer" in s or "\n" in s:
        return s
    return "$" + s + "$"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", help="JSONL with gold, pred, expected")
    ap.add_argument("--wrap", action="store_true", help="give bare answers as $answer$")
    ap.add_argument("--show-failures", action="store_true", help="list disagreements on stderr")
    ap.add_argument("--timeout", type=int, default=5, help="Math-Verify's own per-call timeout in seconds")
    args = ap.parse_args()

    from math_verify import parse, verify

    cases = [json.loads(line) for line in open(args.cases, encoding="utf-8") if line.strip()]
    # Warm up imports and SymPy caches outside the timing.
    verify(parse("$1$"), parse("$1$"))

    correct = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    for k, c in enumerate(cases):
        gold, pred = c["gold"], c["pred"]
        if args.wrap:
            gold, pred = wrap(gold), wrap(pred)
        try:
            got = bool(verify(parse(gold, parsing_timeout=args.timeout), parse(pred, parsing_timeout=args.timeout),
                              timeout_seconds=args.timeout))
        except Exception as e:  # Math-Verify can raise on odd input; count as "not equal"
            got = False
        if got == bool(c["expected"]):
            correct += 1
        elif args.show_failures:
            print(f"case {k + 1} [{c.get('category', '-')}]: expected {c['expected']}, got {got} "
                  f"gold={c['gold']} pred={c['pred']}", file=sys.stderr)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    n = len(cases)
    acc = correct / n if n else 0.0
    print(f"accuracy {acc * 100:.2f}% ({correct}/{n}), {n / seconds:.1f} cases/second wall, "
          f"{n / cpu_seconds:.1f} per CPU second ({seconds:.3f} s, {cpu_seconds:.3f} s CPU)")
    print(json.dumps({"grader": "math-verify" + ("+wrap" if args.wrap else ""), "cases": n, "correct": correct,
                      "accuracy": round(acc, 4), "seconds": round(seconds, 6), "cpu_seconds": round(cpu_seconds, 6),
                      "cases_per_second": round(n / seconds, 1), "cases_per_cpu_second": round(n / cpu_seconds, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
