#!/usr/bin/env bash
# How much of a remote sampling run the e2h client itself costs (issue 21: "the client keeps a remote
# server busy; client-side overhead under 1% of the wall time"): a server with 32 slots on SmolLM2
# (`e2h serve`, or llama.cpp's `llama-server` with SERVER=llama), then `e2h sample --endpoint` with 32
# requests in flight. Prints the client's CPU seconds against the run's wall time, and the tokens/s
# the server delivered through the client. By hand (docs/serving.md).
#   bash bench/peers/serving/client_overhead.sh [E2H] [GGUF] [PROBLEMS]
#   SERVER=llama LLAMA_SERVER=/work/peers/llama-build/bin/llama-server bash bench/peers/serving/client_overhead.sh
set -euo pipefail
E2H=${1:-.build/release/e2h}
GGUF=${2:-$HOME/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}
PROBLEMS=${3:-}
SERVER=${SERVER:-e2h}
LLAMA_SERVER=${LLAMA_SERVER:-/work/peers/llama-build/bin/llama-server}
SAMPLES=${SAMPLES:-4}
OUT=$(mktemp -d /tmp/client-overhead.XXXX)
if [ -z "$PROBLEMS" ]; then   # the first 32 GSM8K test problems (run from the repository root)
  PROBLEMS=$OUT/problems.jsonl
  "$E2H" data convert --from gsm8k --input ../shared/data/gsm8k_test.jsonl --out "$OUT/all.jsonl" > /dev/null
  head -32 "$OUT/all.jsonl" > "$PROBLEMS"
fi
port=18531
if [ "$SERVER" = llama ]; then
  "$LLAMA_SERVER" -m "$GGUF" --host 127.0.0.1 --port $port -np 32 -c 16384 -t 2 -a smollm2 > "$OUT/server.log" 2>&1 &
else
  "$E2H" serve --model "$GGUF" --port $port --served-model-name smollm2 --slots 32 > "$OUT/server.log" 2>&1 &
fi
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf localhost:$port/health > /dev/null && break; sleep 0.5; done
/usr/bin/time -f "%e %U %S" -o "$OUT/time" "$E2H" sample --endpoint http://127.0.0.1:$port --model smollm2 \
  --problems "$PROBLEMS" -n "$SAMPLES" --temperature 0.7 --max-new-tokens 128 --seed 1 --concurrency 32 \
  --out "$OUT/samples.jsonl" 2> "$OUT/client.log"
read -r wall user sys < "$OUT/time"
python3 - "$OUT/samples.jsonl" "$wall" "$user" "$sys" "$SERVER" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
wall, user, sys_ = map(float, sys.argv[2:5])
tokens = sum(len(r.get("token_ids") or r.get("logprobs") or []) for r in rows)
print(f"server {sys.argv[5]}: {len(rows)} samples, {tokens} completion tokens in {wall:.1f} s wall "
      f"({tokens / wall:.1f} tokens/s through the client)")
print(f"client CPU {user + sys_:.2f} s (user {user:.2f}, sys {sys_:.2f}) = {100 * (user + sys_) / wall:.2f}% of the wall time")
PY
echo "files: $OUT"
