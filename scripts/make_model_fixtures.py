#!/usr/bin/env python3
"""Fixtures of the real-model tests (Tests/RealModelTests/Fixtures), written by `transformers`.

1. tiny-llama/ and tiny-qwen2/: random Llama (untied head, f32, sharded with
   model.safetensors.index.json, Llama 3 chat template) and Qwen2 (tied, q/k/v biases, bf16,
   ChatML template) checkpoints in Hugging Face layout with a small byte-level BPE tokenizer
   trained by `tokenizers`; reference.json in each: prompts, their ids, the logits at every
   position (PyTorch float32) and the greedy continuation (`generate`, do_sample=False).
2. smollm2.json: SmolLM2-135M-Instruct (the GGUF of scripts/fetch-models.sh) as `transformers`
   loads it (its own dequantization and Q/K un-permutation): chat prompts rendered by the GGUF's
   own template (and one raw text), the top-10 next-token logits, and greedy continuations of up
   to 64 tokens (chat turns end at <|im_end|>).

    python3 scripts/make_model_fixtures.py [--smollm2 PATH]   # needs torch transformers tokenizers accelerate gguf
"""
import argparse, json, os, shutil, sys

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "RealModelTests", "Fixtures")
CORPUS = [
    "The answer is $\\boxed{42}$.", "Let x = 3. Then 2x + 1 = 7.", "We compute 12 * 12 = 144 and 144 - 4 = 140.",
    "Solve for y: y^2 = 16, so y = 4 or y = -4.", "The area of a circle is \\pi r^2.", "Hello, world! Numbers: 0 1 2 3 4 5 6 7 8 9.",
    "Step 1: add the numbers.\n\nStep 2: divide by two.", "Über naïve café — 数学 問題", "def f(x):\n    return x * 2\n",
]
PROMPTS = ["Let x = 3. Then", "The answer is", "Step 1: add the numbers.\n\nStep 2:"]
LLAMA3_TEMPLATE = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
                   "message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
                   "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
                   "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
CHATML_TEMPLATE = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n"
                   "You are a tiny test model.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + "
                   "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


LLAMA3_SPLIT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_SPLIT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def train_tokenizer(special, vocab_size, split):
    """A byte-level BPE with the family's published pre-tokenizer (Split regex, then ByteLevel
    without its own regex), as the real Llama 3 / Qwen2 tokenizer.json files have."""
    from tokenizers import Regex
    tok = Tokenizer(models.BPE(ignore_merges=split == LLAMA3_SPLIT))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(split), behavior="isolated", invert=False),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    if split == QWEN2_SPLIT:
        from tokenizers import normalizers
        tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    return tok


def tiny(kind, directory):
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM, PreTrainedTokenizerFast
    torch.manual_seed(7 if kind == "llama" else 8)
    if os.path.isdir(directory):
        shutil.rmtree(directory)
    if kind == "llama":
        special = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        tok = train_tokenizer(special, 320, LLAMA3_SPLIT)
        from tokenizers import processors
        tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", 0)])
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")
        fast.chat_template = LLAMA3_TEMPLATE
        config = LlamaConfig(vocab_size=tok.get_vocab_size(), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                             num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=10000.0,
                             tie_word_embeddings=False, bos_token_id=0, eos_token_id=4)
        model = LlamaForCausalLM(config)
        dtype, shard = torch.float32, "60KB"
    else:
        special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        tok = train_tokenizer(special, 300, QWEN2_SPLIT)
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
        fast.chat_template = CHATML_TEMPLATE
        config = Qwen2Config(vocab_size=tok.get_vocab_size(), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                             num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-6, rope_theta=1000000.0,
                             tie_word_embeddings=True, use_sliding_window=False, eos_token_id=2)
        model = Qwen2ForCausalLM(config)
        dtype, shard = torch.bfloat16, "10GB"
    with torch.no_grad():  # larger weights than the 0.02 init, so the logits are not all near zero
        for p in model.parameters():
            if p.dim() == 2:
                p.normal_(0, 0.08)
            elif p.dim() == 1:  # norms near 1, biases near 0
                p.uniform_(-0.1, 0.1) if p.shape[0] != config.hidden_size else p.uniform_(0.8, 1.2)
    model = model.to(dtype)
    model.save_pretrained(directory, max_shard_size=shard, safe_serialization=True)
    fast.save_pretrained(directory)
    # The reference: the saved checkpoint as transformers loads it, in float32.
    cls = LlamaForCausalLM if kind == "llama" else Qwen2ForCausalLM
    model = cls.from_pretrained(directory, dtype=torch.float32).eval()
    loaded = AutoTokenizer.from_pretrained(directory)
    raw = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))  # the file alone, as e2h reads it
    cases = []
    chat = loaded.apply_chat_template([{"role": "user", "content": "Let x = 3."}], tokenize=False, add_generation_prompt=True)
    for text in PROMPTS + [chat]:
        ids = loaded(text, add_special_tokens=(text != chat)).input_ids
        assert ids == raw.encode(text, add_special_tokens=(text != chat)).ids, (kind, text)
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0]
            # Greedy by plain argmax over full forward passes (`generate` would mask the BOS as
            # padding when pad_token_id equals it).
            sequence = list(ids)
            for _ in range(16):
                sequence.append(int(model(torch.tensor([sequence])).logits[0, -1].argmax()))
        cases.append({"text": text, "ids": ids, "logits": [[round(float(v), 6) for v in row] for row in logits],
                      "greedy": sequence[len(ids):]})
    with open(os.path.join(directory, "reference.json"), "w") as f:
        json.dump({"model": kind, "chat_prompt": chat, "cases": cases}, f)
    print(directory, sorted(os.listdir(directory)))


def smollm2(path):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder, name = os.path.dirname(path), os.path.basename(path)
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    # Chat turns end at <|im_end|> (id 2, the EOS): the continuation is compared up to it; the raw
    # text runs the full 64 tokens.
    questions = ["What is 2+2?", "Write a haiku about the sea.", "If 3x + 5 = 20, what is x?", None]
    cases = []
    for q in questions:
        if q is None:
            text = "The history of mathematics begins with"
        else:
            text = tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
        ids = tok(text, add_special_tokens=False).input_ids
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0, -1]
            out = model.generate(torch.tensor([ids]), max_new_tokens=64, do_sample=False, eos_token_id=[2] if q else None,
                                 pad_token_id=0)
        top = torch.topk(logits, 10)
        cases.append({"question": q or "", "text": text, "ids": ids, "top_ids": top.indices.tolist(),
                      "top_logits": [round(float(v), 5) for v in top.values], "greedy": out[0, len(ids):].tolist()})
        print(q, repr(tok.decode(out[0, len(ids):])))
    with open(os.path.join(OUT, "smollm2.json"), "w") as f:
        json.dump({"model": name, "cases": cases}, f, indent=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    cache = os.environ.get("E2H_MODEL_CACHE", os.path.expanduser("~/.cache/e2h-models"))
    parser.add_argument("--smollm2", default=os.path.join(cache, "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--skip-smollm2", action="store_true")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    tiny("llama", os.path.join(OUT, "tiny-llama"))
    tiny("qwen2", os.path.join(OUT, "tiny-qwen2"))
    if not args.skip_smollm2:
        smollm2(args.smollm2)
