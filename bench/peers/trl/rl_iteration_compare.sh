#!/usr/bin/env bash
# A whole GRPO iteration, e2h against TRL, interleaved e2h / TRL / TRL / e2h in the same minutes.
#   bench/peers/trl/rl_iteration_compare.sh RUN [E2H] [OUT]
# RUN: a finished default `e2h run` directory; E2H: the release binary (default .build/release/e2h);
# OUT: where logs and JSON lines go (default /tmp/rl-iteration-compare). Writes RUN/rl/speed-grpo-iter-*.
# Prints the load before each run; e2h lines are metrics.jsonl (per-phase seconds) plus `wall_s`, the
# time between consecutive "iteration k/n" log lines (rollouts, scoring, reference, update, the
# rollout export and the checkpoint save: the whole iteration as a user waits for it).
set -euo pipefail
RUN=${1:?run directory}
E2H=${2:-.build/release/e2h}
OUT=${3:-/tmp/rl-iteration-compare}
THREADS=${THREADS:-2}
ITERATIONS=${ITERATIONS:-4}
mkdir -p "$OUT"
here=$(cd "$(dirname "$0")" && pwd)
# Stamps each stderr line with the time it arrives (a process per line, as `date` would be, lags under load).
stamp='import sys, time
for line in iter(sys.stdin.buffer.readline, b""):
    sys.stdout.write("%.6f %s" % (time.time(), line.decode(errors="replace"))); sys.stdout.flush()'

e2h_run() {  # $1: name suffix
    local name="speed-grpo-iter-$1" log="$OUT/e2h-$1.log"
    rm -rf "$RUN/rl/$name"
    echo "load before e2h $1: $(cut -d' ' -f1-3 /proc/loadavg)"
    E2H_THREADS=$THREADS "$E2H" rl --algo grpo --run "$RUN" --iterations "$ITERATIONS" --problems-per-iteration 4 \
        --group-size 8 --name "$name" 2> >(python3 -c "$stamp" > "$log") > "$OUT/e2h-$1.out"
    sleep 1  # the log stamper flushes
    python3 - "$RUN/rl/$name/metrics.jsonl" "$log" <<'EOF'
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
stamps = [float(l.split(" ", 1)[0]) for l in open(sys.argv[2]) if re.search(r" iteration \d+/\d+:", l)]
rows = []
for i, m in enumerate(lines):
    phases = {k: round(m[k], 4) for k in ("rollout_s", "scoring_s", "reference_s", "update_s")}
    wall = round(stamps[i] - stamps[i - 1], 4) if 0 < i < len(stamps) else None
    # Distinct rollouts: e2h's reward-model pass scores identical sequences once.
    exported = sys.argv[1].replace("metrics.jsonl", "data/iteration-%d-rollouts.jsonl" % m["iteration"])
    distinct = len({(r["prompt"], r["completion"]) for r in map(json.loads, open(exported))})
    rows.append({"peer": "e2h", "iteration": m["iteration"], **phases, "phases_s": round(sum(phases.values()), 4),
                 "wall_s": wall, "response_length": round(m["response_length"], 1), "rollouts": m["rollouts"], "distinct": distinct})
    print(json.dumps(rows[-1]))
from statistics import median  # after the first iteration, as TRL's warmup
keys = ("rollout_s", "scoring_s", "reference_s", "update_s", "phases_s", "wall_s")
print(json.dumps({"peer": "e2h", "median_of_iterations": "2-%d" % len(rows),
                  **{k: round(median(r[k] for r in rows[1:]), 4) for k in keys}}))
EOF
}

trl_run() {  # $1: threads
    echo "load before TRL ($1 threads): $(cut -d' ' -f1-3 /proc/loadavg)"
    OMP_PROC_BIND=true python3 "$here/trl_rl_iteration.py" --threads "$1" --warmup 1 --iterations 3 2> "$OUT/trl-$1.err"
}

e2h_run a
trl_run "$THREADS"
trl_run 1
e2h_run b
