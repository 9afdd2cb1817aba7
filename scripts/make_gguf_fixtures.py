#!/usr/bin/env python3
"""Writes the GGUF fixtures of Tests/GGUFTests/Fixtures with the `gguf` Python package.

    python3 scripts/make_gguf_fixtures.py [--gguf PATH]

  tiny-llama.gguf        a 1-layer llama (width 256, 4 heads / 2 KV heads, FFN 128, vocabulary 32,
                         tied) whose tensors use every supported type: token_embd Q8_0, attn_q Q4_K,
                         attn_k Q6_K, attn_v Q4_0, attn_output Q4_1, ffn_gate F16, ffn_up BF16,
                         ffn_down Q8_0, norms F32; quantized blocks are random bytes with sane f16
                         scales; metadata of every value type (and nested arrays) under test.*
  tiny-llama.json        expected values by `gguf.quants.dequantize`: per tensor (GGUF name) the
                         PyTorch shape, the first and last row, and sum / sum of squares of all
                         values; for q_proj / k_proj the rows after undoing llama.cpp's permutation
  smollm2.json           from the SmolLM2 GGUF of scripts/fetch-models.sh: its config values, the
                         first 16 values of a few rows of token_embd (Q8_0), blk.0.ffn_down (Q4_1),
                         output_norm (F32), and of q_proj / k_proj rows in Hugging Face order;
                         plus about 1,000 test strings (every 11th) with the ids of the Hugging Face tokenizer built
                         from the GGUF's vocabulary (tokenizers' Digits + ByteLevel, as SmolLM2's
                         tokenizer.json has)
"""
import argparse, json, os, sys
import numpy as np
import gguf
from gguf import GGUFWriter, GGUFReader, GGMLQuantizationType as Q
from gguf.quants import dequantize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "GGUFTests", "Fixtures")
T = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")

# (block size, bytes per block, byte offsets of f16 scale fields)
LAYOUT = {Q.Q8_0: (32, 34, [0]), Q.Q4_0: (32, 18, [0]), Q.Q4_1: (32, 20, [0, 2]),
          Q.Q4_K: (256, 144, [0, 2]), Q.Q6_K: (256, 210, [208])}


def random_blocks(rng, qtype, rows, cols):
    size, nbytes, scales = LAYOUT[qtype]
    data = rng.integers(0, 256, size=(rows, cols // size, nbytes), dtype=np.uint8)
    for off in scales:
        d = rng.uniform(0.001, 0.05, size=(rows, cols // size)).astype(np.float16)
        data[:, :, off:off + 2] = d.view(np.uint8).reshape(rows, cols // size, 2)
    return data.reshape(rows, cols // size * nbytes)


def unpermute(w, n_head):
    """Undoes convert_hf_to_gguf.py's llama permute: GGUF rows -> Hugging Face rows."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def summary(values):
    v = values.astype(np.float64)
    return {"shape": list(values.shape), "first": values[0].tolist(), "last": values[-1].tolist(),
            "sum": float(v.sum()), "sumSquares": float((v * v).sum())}


def tiny():
    rng = np.random.default_rng(20)
    hidden, heads, kv, ffn, vocab = 256, 4, 2, 128, 32
    path = os.path.join(OUT, "tiny-llama.gguf")
    w = GGUFWriter(path, "llama")
    w.add_context_length(64); w.add_embedding_length(hidden); w.add_block_count(1)
    w.add_feed_forward_length(ffn); w.add_head_count(heads); w.add_head_count_kv(kv)
    w.add_rope_freq_base(500000.0); w.add_layer_norm_rms_eps(1e-5); w.add_vocab_size(vocab)
    w.add_uint8("test.u8", 200); w.add_int8("test.i8", -100); w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000); w.add_uint32("test.u32", 4000000000); w.add_int32("test.i32", -2000000000)
    w.add_float32("test.f32", 0.25); w.add_bool("test.bool", True); w.add_string("test.string", "héllo ✓")
    w.add_uint64("test.u64", 2**63 + 5); w.add_int64("test.i64", -(2**62)); w.add_float64("test.f64", -1.5e300)
    w.add_array("test.ints", [1, -2, 3]); w.add_array("test.strings", ["a", "", "ü"])
    w.add_array("test.nested", [[1, 2], [3]])
    w.add_tokenizer_model("gpt2"); w.add_tokenizer_pre("gpt-2")
    tokens = [chr(c) for c in range(0x61, 0x61 + 26)] + ["ab", "abc", "<|endoftext|>", "Ġ", "Ġa", "cd"]
    w.add_token_list(tokens); w.add_token_types([1] * 28 + [3, 1, 1, 1])
    w.add_token_merges(["a b", "ab c", "Ġ a", "c d"]); w.add_eos_token_id(28)
    expected = {}
    def add(name, values_or_blocks, qtype, rows, cols):
        if qtype in LAYOUT:
            w.add_tensor(name, values_or_blocks, raw_dtype=qtype)
            values = dequantize(values_or_blocks, qtype).reshape(rows, cols)
        elif qtype == Q.BF16:
            bits = (values_or_blocks.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
            w.add_tensor(name, bits.view(np.uint8).reshape(rows, cols * 2), raw_dtype=Q.BF16)
            values = dequantize(bits.view(np.uint8).reshape(rows, cols * 2), Q.BF16).reshape(rows, cols)
        else:
            w.add_tensor(name, values_or_blocks)
            values = values_or_blocks.astype(np.float32).reshape(rows, cols) if values_or_blocks.ndim == 2 else values_or_blocks.astype(np.float32)
        expected[name] = summary(values)
        return values
    add("token_embd.weight", random_blocks(rng, Q.Q8_0, vocab, hidden), Q.Q8_0, vocab, hidden)
    add("blk.0.attn_norm.weight", rng.normal(1, 0.1, hidden).astype(np.float32), Q.F32, 1, hidden)
    q = add("blk.0.attn_q.weight", random_blocks(rng, Q.Q4_K, hidden, hidden), Q.Q4_K, hidden, hidden)
    k = add("blk.0.attn_k.weight", random_blocks(rng, Q.Q6_K, hidden // heads * kv, hidden), Q.Q6_K, hidden // heads * kv, hidden)
    add("blk.0.attn_v.weight", random_blocks(rng, Q.Q4_0, hidden // heads * kv, hidden), Q.Q4_0, hidden // heads * kv, hidden)
    add("blk.0.attn_output.weight", random_blocks(rng, Q.Q4_1, hidden, hidden), Q.Q4_1, hidden, hidden)
    add("blk.0.ffn_norm.weight", rng.normal(1, 0.1, hidden).astype(np.float32), Q.F32, 1, hidden)
    add("blk.0.ffn_gate.weight", rng.normal(0, 0.02, (ffn, hidden)).astype(np.float16), Q.F16, ffn, hidden)
    add("blk.0.ffn_up.weight", rng.normal(0, 0.02, (ffn, hidden)).astype(np.float32), Q.BF16, ffn, hidden)
    add("blk.0.ffn_down.weight", random_blocks(rng, Q.Q8_0, hidden, ffn), Q.Q8_0, hidden, ffn)
    add("output_norm.weight", rng.normal(1, 0.1, hidden).astype(np.float32), Q.F32, 1, hidden)
    w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
    expected["model.layers.0.self_attn.q_proj.weight"] = summary(unpermute(q, heads))
    expected["model.layers.0.self_attn.k_proj.weight"] = summary(unpermute(k, kv))
    with open(os.path.join(OUT, "tiny-llama.json"), "w") as f:
        json.dump(expected, f, indent=0)
    print(f"tiny-llama.gguf: {os.path.getsize(path)} bytes")


def smollm2(path):
    r = GGUFReader(path)
    tensors = {t.name: t for t in r.tensors}
    def values(name):
        t = tensors[name]
        v = dequantize(t.data, t.tensor_type)
        return v.reshape(list(reversed([int(x) for x in t.shape]))) if v.ndim == 1 and len(t.shape) > 1 else v
    out = {"rows": {}}
    def rows(key, matrix, picks):
        out["rows"][key] = {str(i): matrix[i][:16].tolist() for i in picks}
    rows("token_embd.weight", values("token_embd.weight"), [0, 1, 1000, 49151])
    rows("blk.0.ffn_down.weight", values("blk.0.ffn_down.weight"), [0, 5, 575])
    rows("blk.29.attn_v.weight", values("blk.29.attn_v.weight"), [0, 191])
    out["rows"]["output_norm.weight"] = {"0": values("output_norm.weight")[:16].tolist()}
    rows("model.layers.0.self_attn.q_proj.weight", unpermute(values("blk.0.attn_q.weight"), 9), [0, 1, 31, 32, 33, 575])
    rows("model.layers.3.self_attn.k_proj.weight", unpermute(values("blk.3.attn_k.weight"), 3), [0, 1, 32, 63, 191])
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_tokenizer_fixtures import smollm2 as hf_tokenizer
    tok = hf_tokenizer(path)
    strings = json.load(open(os.path.join(T, "strings.json")))[::11][:1000]
    out["strings"] = strings
    out["ids"] = [e.ids for e in tok.encode_batch(strings, add_special_tokens=False)]
    with open(os.path.join(OUT, "smollm2.json"), "w") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
    print(f"smollm2.json: {os.path.getsize(os.path.join(OUT, 'smollm2.json'))} bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=os.path.join(os.environ.get("E2H_MODEL_CACHE", os.path.expanduser("~/.cache/e2h-models")),
                                                   "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    tiny()
    if os.path.exists(args.gguf):
        smollm2(args.gguf)
    else:
        print(f"no GGUF at {args.gguf} (run scripts/fetch-models.sh): smollm2.json not written", file=sys.stderr)


if __name__ == "__main__":
    main()
