#!/usr/bin/env bash
# Builds the Grading fuzzer and timing tool with swiftc directly (no SwiftPM), from Sources/0-text/Grading
# plus BigInt's sources (.build/checkouts/BigInt/Sources, present after any `swift build`).
#
#   fuzz/grading/build.sh   -> .build/fuzz-grading/grading-fuzz (libFuzzer)
#   .build/fuzz-grading/grading-fuzz -runs=1000000 fuzz/grading/corpus   (see docs/grading.md)
#   GRADING_BENCH=FILE.jsonl GRADING_BENCH_REPEATS=20 .build/fuzz-grading/grading-fuzz
#       (no fuzzing: the benchmark report of FILE, like e2h grade --benchmark, and its slowest lines)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build/fuzz-grading"
src="$out/src"
rm -rf "$src" && mkdir -p "$src"
bigint="$root/.build/checkouts/BigInt/Sources"
[ -d "$bigint" ] || { echo "missing $bigint: run 'swift build' once first" >&2; exit 1; }
# One module: BigInt and Grading together, so `import BigInt` lines are dropped.
for f in "$root"/Sources/0-text/Grading/*.swift; do sed 's/^import BigInt$//' "$f" > "$src/$(basename "$f")"; done
i=0
for f in "$bigint"/*.swift; do cp "$f" "$src/bigint_$i.swift"; i=$((i + 1)); done
flags=(-O -parse-as-library -module-name GradingFuzz -swift-version 5)
swiftc "${flags[@]}" -sanitize=fuzzer "$src"/*.swift "$root/fuzz/grading/FuzzMain.swift" -o "$out/grading-fuzz"
echo "built $out/grading-fuzz"
