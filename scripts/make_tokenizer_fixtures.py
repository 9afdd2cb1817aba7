#!/usr/bin/env python3
"""Writes the byte-level BPE fixtures of Tests/TokenizersTests/Fixtures with Hugging Face `tokenizers`.

    python3 scripts/make_tokenizer_fixtures.py [--gguf PATH]

Outputs (all small, committed):
  strings.json              the test strings (>= 10,000: MATH problems, LaTeX, digits, whitespace
                            runs, many scripts, emoji, code, contractions, special tokens)
  <name>.tokenizer.json     a tokenizer per pre-tokenizer style:
                              gpt2    ByteLevel(use_regex) , merges as "a b" strings
                              llama3  Split(Llama 3 regex, Isolated) + ByteLevel(no regex), ignore_merges
                              qwen2   NFC + Split(Qwen2 regex, Isolated) + ByteLevel(no regex)
                              smollm2 the real SmolLM2-135M vocabulary and merges read from the GGUF of
                                      scripts/fetch-models.sh, pre-tokenizer Digits(individual) + ByteLevel
                            (the first three are trained here on the repo's text, 3,000 tokens each)
  <name>.ids.json           for each string, its ids from `tokenizers` (no BOS/EOS added) as base64 of
                            little-endian UInt16s (a third of the size of JSON numbers)
The strings come from a seeded generator; rerunning gives the same files.
"""
import argparse, base64, glob, struct, json, os, random, sys, unicodedata

from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, trainers, decoders, AddedToken

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TokenizersTests", "Fixtures")
MATH = "/work/shared/data/math500.jsonl"

LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

SCRIPTS = [  # (first, last) code point ranges of letters in many scripts
    (0x0041, 0x007A), (0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0530, 0x058F),
    (0x05D0, 0x05EA), (0x0620, 0x064A), (0x0660, 0x0669), (0x0900, 0x097F), (0x0980, 0x09FF),
    (0x0B80, 0x0BFF), (0x0E00, 0x0E5B), (0x10A0, 0x10FF), (0x1200, 0x137C), (0x1100, 0x11FF),
    (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x0300, 0x036F), (0x2000, 0x206F),
    (0x2070, 0x209F), (0x20A0, 0x20C0), (0x2100, 0x218B), (0x2190, 0x22FF), (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF), (0x1F300, 0x1F6FF), (0x1F900, 0x1F9FF), (0x2460, 0x24FF), (0x0F00, 0x0FFF),
]
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "🇯🇵", "1️⃣", "❤️", "🏳️‍🌈", "🤖", "🧮", "∑", "🙂🙃", "👩🏿‍💻", "⭐", "🔥🔥🔥"]
WHITESPACE = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "\u00a0", "\u3000", "\u2009", "\t\t", "    ", "\u2028", "\x0b", "\x0c"]
WORDS = ["the", "The", "THE", "I'm", "don't", "DON'T", "we've", "they'll", "she'd", "it's", "IT'S", "you're",
         "'s", "'T", "'Re", "x", "y_1", "sqrt", "frac", "Hello", "world", "naïve", "café", "Straße", "Ελλάδα",
         "Москва", "東京", "서울", "مرحبا", "שלום", "नमस्ते", "ไทย", "ქართული", "Հայերեն", "ኢትዮጵያ", "தமிழ்"]
LATEX = [r"\frac{1}{2}", r"\sqrt{x^2+y^2}", r"$\boxed{42}$", r"\begin{align*} a &= b \\ c &= d \end{align*}",
         r"\left(\frac{\pi}{2}\right)", r"x_{n+1} = x_n - \frac{f(x_n)}{f'(x_n)}", r"\sum_{k=1}^{n} k^2",
         r"\int_0^\infty e^{-x^2}\,dx", r"\binom{10}{3}", r"\dfrac{3\sqrt{2}}{4}", r"\text{ and }", r"\$1,234.56"]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>"]


def math_texts():
    texts = []
    with open(MATH) as f:
        for line in f:
            r = json.loads(line)
            texts += [r["problem"][:400], r.get("answer", "")] + ([r["solution"][:200]] if len(texts) < 750 else [])
    return [t for t in texts if t]


def code_lines():
    lines = []
    for path in sorted(glob.glob(os.path.join(ROOT, "Sources", "**", "*.swift"), recursive=True))[:60]:
        with open(path) as f:
            lines += [l.rstrip("\n") for l in f]
    for path in sorted(glob.glob(os.path.join(ROOT, "scripts", "*.py")) + glob.glob(os.path.join(ROOT, "bench", "**", "*.py"), recursive=True)):
        with open(path) as f:
            lines += [l.rstrip("\n") for l in f]
    return [l for l in lines if l.strip()]


def random_scalar(rng):
    lo, hi = rng.choice(SCRIPTS)
    while True:
        c = rng.randint(lo, hi)
        if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co"):
            return chr(c)


def make_strings():
    rng = random.Random(20)
    maths, code = math_texts(), code_lines()
    out = list(maths)                                                           # ~1,250 MATH texts
    for _ in range(1500):                                                       # MATH fragments
        t = rng.choice(maths); i = rng.randrange(len(t)); out.append(t[i:i + rng.randint(1, 60)])
    out += rng.sample(code, min(1200, len(code)))                               # code lines
    for _ in range(300):                                                        # multi-line code
        i = rng.randrange(max(1, len(code) - 8)); out.append("\n".join(code[i:i + rng.randint(2, 4)]))
    for _ in range(1200):                                                       # digits
        parts = [str(rng.randint(0, 10 ** rng.randint(1, 14))), f"{rng.uniform(-1e4, 1e4):.{rng.randint(0, 6)}f}",
                 f"{rng.randint(0, 10**9):,}", rng.choice(["x", " ", "$", "^", "=", "-", "a1b2"]), "0" * rng.randint(1, 9),
                 "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12))), "١٢٣", "²³", "½", "Ⅻ"]
        out.append("".join(rng.choice(parts) for _ in range(rng.randint(1, 6))))
    for _ in range(1200):                                                       # whitespace runs
        out.append("".join(rng.choice(WHITESPACE + WORDS + ["1", "22", ".", "!?", "(", "}"]) for _ in range(rng.randint(1, 10))))
    for _ in range(1500):                                                       # scripts
        out.append("".join(random_scalar(rng) if rng.random() < 0.8 else rng.choice(WHITESPACE[:6])
                           for _ in range(rng.randint(1, 25))))
    for _ in range(800):                                                        # emoji
        out.append("".join(rng.choice(EMOJI + WORDS + [" ", "", "!", "\n"]) for _ in range(rng.randint(1, 8))))
    for _ in range(800):                                                        # LaTeX and contractions
        out.append(" ".join(rng.choice(LATEX + WORDS) for _ in range(rng.randint(1, 8))))
    for _ in range(400):                                                        # special tokens in text
        out.append("".join(rng.choice(SPECIALS + WORDS + [" ", "\n", "system", "user", "42"]) for _ in range(rng.randint(1, 8))))
    for _ in range(600):                                                        # mixtures
        pool = [random_scalar(rng), rng.choice(WHITESPACE), rng.choice(WORDS), rng.choice(EMOJI), rng.choice(LATEX),
                str(rng.randint(0, 99999)), rng.choice(SPECIALS), rng.choice("'\"`~!@#$%^&*()_+-=[]{}|;:,.<>/?\\")]
        out.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 12))))
    out += ["", " ", "\n", "'", "''s", "a'S", "x'll", "\r\n\r\n", "  \n  ", "1234567", " 1234", "a\u0301", "e\u0301\u0302",
            "\u00e9 vs e\u0301", "Å vs A\u030a", "ﬁ", "Ⅸ"]
    return out


def corpus(strings):
    return math_texts() + code_lines() + strings[:4000]


def train(name, pre, normalizer, special, ignore_merges, strings):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=3000, special_tokens=special,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus(strings), trainer)
    return tok


def smollm2(gguf_path):
    from gguf import GGUFReader
    r = GGUFReader(gguf_path)
    field = lambda k: r.fields[k]
    tokens = [bytes(field("tokenizer.ggml.tokens").parts[i]).decode() for i in field("tokenizer.ggml.tokens").data]
    types = [int(field("tokenizer.ggml.token_type").parts[i][0]) for i in field("tokenizer.ggml.token_type").data]
    merges = [tuple(bytes(field("tokenizer.ggml.merges").parts[i]).decode().split(" ", 1)) for i in field("tokenizer.ggml.merges").data]
    tok = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, k in zip(tokens, types) if k == 3])
    return tok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=os.path.join(os.environ.get("E2H_MODEL_CACHE", os.path.expanduser("~/.cache/e2h-models")),
                                                   "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    strings = make_strings()
    with open(os.path.join(OUT, "strings.json"), "w") as f:
        json.dump(strings, f, ensure_ascii=False, separators=(",", ":"))
    toks = {
        "gpt2": train("gpt2", pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), None,
                      ["<|endoftext|>"], False, strings),
        "llama3": train("llama3", pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3), "isolated"),
                                                            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
                        None, ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
                        True, strings),
        "qwen2": train("qwen2", pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2), "isolated"),
                                                          pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]),
                       normalizers.NFC(), ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], False, strings),
    }
    if os.path.exists(args.gguf):
        toks["smollm2"] = smollm2(args.gguf)
    else:
        print(f"no GGUF at {args.gguf} (run scripts/fetch-models.sh): smollm2 fixtures not written", file=sys.stderr)
    for name, tok in toks.items():
        spec = json.loads(tok.to_str())
        if name == "gpt2":  # the older merges form: "a b" strings
            spec["model"]["merges"] = [" ".join(m) for m in spec["model"]["merges"]]
        with open(os.path.join(OUT, f"{name}.tokenizer.json"), "w") as f:
            json.dump(spec, f, ensure_ascii=False, separators=(",", ":"))
        tok = Tokenizer.from_file(os.path.join(OUT, f"{name}.tokenizer.json"))
        ids = [e.ids for e in tok.encode_batch(strings, add_special_tokens=False)]
        assert tok.get_vocab_size() <= 65536
        packed = [base64.b64encode(struct.pack(f"<{len(e)}H", *e)).decode() for e in ids]
        with open(os.path.join(OUT, f"{name}.ids.json"), "w") as f:
            json.dump(packed, f, separators=(",", ":"))
        print(f"{name}: vocab {tok.get_vocab_size()}, {len(strings)} strings, {sum(map(len, ids))} ids")


if __name__ == "__main__":
    main()
