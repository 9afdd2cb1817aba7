#!/usr/bin/env bash
# `e2h sample --endpoint` against llama.cpp's server and `e2h serve` on the same GGUF, and local
# `e2h sample` on it (by hand; docs/serving.md, "llama.cpp's server as a peer").
#   bash bench/peers/serving/sample_both.sh [E2H] [LLAMA_SERVER] [GGUF]
set -euo pipefail
E2H=${1:-.build/release/e2h}
LLAMA=${2:-/work/peers/llama-build/bin/llama-server}
GGUF=${3:-/root/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}
OUT=$(mktemp -d /tmp/sample-both.XXXX)
cat > "$OUT/problems.jsonl" <<'JSON'
{"id": "q1", "problem": "What is 12 + 7?", "answer": "19", "level": 1, "subject": "arithmetic"}
{"id": "q2", "problem": "Tom has 3 apples and buys 5 more. How many apples does he have?", "answer": "8", "level": 1, "subject": "arithmetic"}
{"id": "q3", "problem": "What is 6 times 7?", "answer": "42", "level": 2, "subject": "arithmetic"}
{"id": "q4", "problem": "A train travels 60 km in one hour. How far does it travel in 3 hours?", "answer": "180", "level": 2, "subject": "arithmetic"}
JSON
port_llama=18501; port_e2h=18502
"$LLAMA" -m "$GGUF" --host 127.0.0.1 --port $port_llama -np 4 -c 4096 -t 2 -a smollm2 > "$OUT/llama.log" 2>&1 &
llama_pid=$!
"$E2H" serve --model "$GGUF" --port $port_e2h --slots 16 --served-model-name smollm2 --log-level warning > "$OUT/e2h.log" 2>&1 &
e2h_pid=$!
trap 'kill $llama_pid $e2h_pid 2>/dev/null || true' EXIT
for port in $port_llama $port_e2h; do
  for _ in $(seq 600); do curl -sf localhost:$port/health > /dev/null && break; sleep 0.5; done
done
common=(--problems "$OUT/problems.jsonl" --max-new-tokens 48 --seed 1)
for t in 0 0.7; do
  n=$([ "$t" = 0 ] && echo 1 || echo 8)
  for server in llama:$port_llama e2h:$port_e2h; do
    name=${server%%:*}; port=${server##*:}
    /usr/bin/time -f "$name t=$t n=$n: %e s" "$E2H" sample --endpoint http://127.0.0.1:$port --model smollm2 "${common[@]}" \
      -n $n --temperature $t --out "$OUT/$name-t$t.jsonl" --concurrency 8 2>&1 | tail -2
  done
  /usr/bin/time -f "local t=$t n=$n: %e s" "$E2H" sample --model "$GGUF" --prompt-format paper "${common[@]}" -n $n --temperature $t \
    --out "$OUT/local-t$t.jsonl" 2>&1 | tail -2
done
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
def load(name):
    return [json.loads(l) for l in open(f"{out}/{name}.jsonl")]
for t in ["0", "0.7"]:
    runs = {k: load(f"{k}-t{t}") for k in ["llama", "e2h", "local"]}
    print(f"t={t}: samples " + ", ".join(f"{k} {len(v)}" for k, v in runs.items()))
    same = lambda a, b: sum(x["output"] == y["output"] for x, y in zip(runs[a], runs[b]))
    print(f"  identical outputs: e2h serve vs local {same('e2h', 'local')}/{len(runs['local'])}, "
          f"llama.cpp vs local {same('llama', 'local')}/{len(runs['local'])}")
    print(f"  distinct outputs per problem (llama.cpp): {[len({r['output'] for r in runs['llama'] if r['problem_id'] == p}) for p in ['q1','q2','q3','q4']]}")
    for k in ["llama", "e2h"]:
        print(f"  {k} first: {runs[k][0]['output'][:100]!r} ({runs[k][0]['finish_reason']})")
PY
echo "files in $OUT"
