#!/usr/bin/env python3
"""PyTorch peer of the Swift engine: the same Llama-family decoder and training step.

The model follows Hugging Face's LlamaForCausalLM (parameter names included) but is written out
here in ~150 lines so it needs nothing beyond `torch`:

  x = embed_tokens[tokens]                                        # (B, T, C)
  per layer:  x = x + o_proj(attn(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))  n = input_layernorm(x)
              x = x + down_proj(silu(gate_proj(n)) * up_proj(n))                  n = post_attention_layernorm(x)
  h = norm(x);  logits = lm_head(h) (or h @ embed_tokens.T when tied);  values = score(h)

RMSNorm y = x * rsqrt(mean(x^2) + eps) * w.  RoPE non-interleaved (rotate_half), as HF.
Causal attention softmax(QK^T / sqrt(hd)) V; with grouped-query attention, query head h reads
kv head h // (H / KVH).  Training step: cross-entropy over targets != -1, backward, global grad-norm
clip 1.0, AdamW (lr 1e-3, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on parameters with >= 2 dims).

scripts/make_parity_fixtures.py imports this module to write the Swift parity fixtures.

Benchmark (reference config: 4 layers, hidden 256, 4 heads, intermediate 768, context 128,
vocabulary 64, batch 32, untied):

  OMP_PROC_BIND=true python3 bench/peers/torch_llama.py --threads 2

prints one JSON line {"peer": "pytorch", "torch_version", "threads", "train_tokens_per_s",
"forward_tokens_per_s", "decode_tokens_per_s", "peak_rss_mb", ...}.

Measurements (each after warm-up, at least --seconds long):
  train:   B*T / time of one train_step (forward, backward, clip, AdamW) on a fixed random batch
  forward: B*T / time of one no-grad forward to logits and loss
  decode:  batch 64, greedy with a KV cache: prefill 16 prompt tokens (whose last logits give the
           first new token), then 111 one-token steps; 64*112 generated tokens / total time
peak_rss_mb is the process high-water mark, including the torch libraries (rss_after_import_mb).
"""

import argparse
import contextlib
import json
import math
import resource
import time
from dataclasses import asdict, dataclass
from typing import Optional

import torch

_RSS_AFTER_IMPORT_MB = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class LlamaConfig:
    """Model shape, with Hugging Face's config field names.

    model_type "qwen2" gives q/k/v projections biases (o_proj none); "llama" with attention_bias
    gives q/k/v and o_proj biases. head_dim None means hidden_size // num_attention_heads.
    rope_scaling: None, {"rope_type": "linear", "factor"} or {"rope_type": "llama3", "factor",
    "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"} (as transformers).
    """
    model_type: str = "llama"
    vocab_size: int = 64
    hidden_size: int = 256
    intermediate_size: int = 768
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    max_position_embeddings: int = 128
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = False
    attention_bias: bool = False
    head_dim: Optional[int] = None
    rope_scaling: Optional[dict] = None

    def __post_init__(self):
        if self.head_dim is None:
            self.head_dim = self.hidden_size // self.num_attention_heads

    @property
    def qkv_bias(self) -> bool:
        return self.model_type == "qwen2" or self.attention_bias

    @property
    def o_bias(self) -> bool:
        return self.model_type == "llama" and self.attention_bias


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def inverse_frequencies(config: LlamaConfig):
    """(hd/2) rotary inverse frequencies with rope_scaling applied, as transformers'
    _compute_linear_scaling_rope_parameters / _compute_llama3_parameters compute them."""
    hd = config.head_dim
    inv_freq = 1.0 / (config.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    scaling = config.rope_scaling or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "linear":
        inv_freq = inv_freq / scaling["factor"]
    elif kind == "llama3":
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv_freq = torch.where(medium, smoothed, scaled)
    else:
        assert kind == "default", f"rope_type {kind} not implemented"
    return inv_freq


def rope_tables(config: LlamaConfig, positions: torch.Tensor):
    """cos, sin of shape (T, hd) for integer `positions` (T,), exactly as HF computes them."""
    inv_freq = inverse_frequencies(config)
    freqs = positions.float()[:, None] * inv_freq[None, :]          # (T, hd/2)
    emb = torch.cat((freqs, freqs), dim=-1)                          # (T, hd)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rope(x, cos, sin):
    """x: (B, heads, T, hd); cos, sin: (T, hd)."""
    return x * cos + rotate_half(x) * sin


class Attention(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        c, h, kvh, hd = config.hidden_size, config.num_attention_heads, config.num_key_value_heads, config.head_dim
        self.h, self.kvh, self.hd = h, kvh, hd
        self.q_proj = nn.Linear(c, h * hd, bias=config.qkv_bias)
        self.k_proj = nn.Linear(c, kvh * hd, bias=config.qkv_bias)
        self.v_proj = nn.Linear(c, kvh * hd, bias=config.qkv_bias)
        self.o_proj = nn.Linear(h * hd, c, bias=config.o_bias)

    def forward(self, x, cos, sin, eager: bool, cache=None, start: int = 0):
        """x: (B, T, C). With `cache` = (k_cache, v_cache) of shape (B, KVH, Tmax, hd), the new keys
        and values are written at positions start..start+T-1 and attention reads 0..start+T-1."""
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)      # (B, H, T, hd)
        k = self.k_proj(x).view(b, t, self.kvh, self.hd).transpose(1, 2)    # (B, KVH, T, hd)
        v = self.v_proj(x).view(b, t, self.kvh, self.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        if cache is not None:
            k_cache, v_cache = cache
            k_cache[:, :, start:start + t] = k
            v_cache[:, :, start:start + t] = v
            k, v = k_cache[:, :, :start + t], v_cache[:, :, :start + t]
        rep = self.h // self.kvh
        if rep > 1:  # HF repeat_kv: query head h reads kv head h // rep
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        if eager:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.hd)          # (B, H, T, S)
            s = k.shape[2]
            mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=s - t)
            scores = scores.masked_fill(~mask, float("-inf"))
            y = scores.softmax(dim=-1) @ v
        else:
            # One query against a cache needs no mask; a prefill from position 0 is square and causal.
            assert t == 1 or start == 0, "chunked prefill after position 0 is not supported"
            y = F.scaled_dot_product_attention(q, k, v, is_causal=(t > 1))
        return self.o_proj(y.transpose(1, 2).reshape(b, t, self.h * self.hd))


class MLP(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.up_proj = nn.Linear(config.hidden_size, config.intermediate_size, bias=False)
        self.down_proj = nn.Linear(config.intermediate_size, config.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.mlp = MLP(config)

    def forward(self, x, cos, sin, eager, cache=None, start=0):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, eager, cache, start)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)


class Llama(nn.Module):
    """Decoder with an LM head and a scalar (reward/value) head `score`, HF parameter names."""

    def __init__(self, config: LlamaConfig, eager_attention: bool = True):
        super().__init__()
        self.config = config
        self.eager = eager_attention
        self.model = Backbone(config)
        if not config.tie_word_embeddings:
            self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.score = nn.Linear(config.hidden_size, 1, bias=True)

    def hidden(self, tokens, caches=None, start: int = 0):
        """Final normed hidden states (B, T, C) for tokens (B, T) at positions start..start+T-1."""
        cos, sin = rope_tables(self.config, torch.arange(start, start + tokens.shape[1]))
        x = self.model.embed_tokens(tokens)
        for i, layer in enumerate(self.model.layers):
            x = layer(x, cos, sin, self.eager, None if caches is None else caches[i], start)
        return self.model.norm(x)

    def logits(self, h):
        weight = self.model.embed_tokens.weight if self.config.tie_word_embeddings else self.lm_head.weight
        return h @ weight.t()                                                # (B, T, V)

    def values(self, h):
        return self.score(h).squeeze(-1)                                     # (B, T)

    def lm_parameters(self):
        """The parameters the LM loss depends on (everything but the scalar head)."""
        return [(n, p) for n, p in self.named_parameters() if not n.startswith("score.")]


def lm_loss(logits, targets):
    """Mean cross-entropy over positions whose target != -1; targets are already shifted."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long(), ignore_index=-1)


def make_optimizer(named_params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1):
    """AdamW with decoupled weight decay on parameters with >= 2 dimensions only."""
    decay = [p for _, p in named_params if p.dim() >= 2]
    no_decay = [p for _, p in named_params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, foreach=False)


# The forward passes' precision context: float32 (none), or torch.autocast's bfloat16 (--autocast bf16).
autocast = contextlib.nullcontext
cache_dtype = torch.float32  # the decode's KV cache: bfloat16 under --autocast bf16


def train_step(model, optimizer, params, tokens, targets, max_grad_norm=1.0):
    """Forward, backward, clip the global grad norm, AdamW step. Returns the loss before the step."""
    optimizer.zero_grad(set_to_none=True)
    with autocast():
        loss = lm_loss(model.logits(model.hidden(tokens)), targets)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    optimizer.step()
    return loss.detach()


@torch.no_grad()
def generate_greedy(model, prompt, new_tokens: int):
    """Greedy decoding with a KV cache: one prefill of `prompt` (B, P), then one token at a time.
    Returns (B, new_tokens) generated tokens; runs 1 + (new_tokens - 1) forward passes."""
    c = model.config
    b, p = prompt.shape
    t_max = p + new_tokens
    # Under autocast(bfloat16) the keys and values come out of the projections in bfloat16, and a
    # cache that keeps them so (as transformers' DynamicCache does) holds bfloat16.
    dtype = cache_dtype
    caches = [(torch.zeros(b, c.num_key_value_heads, t_max, c.head_dim, dtype=dtype),
               torch.zeros(b, c.num_key_value_heads, t_max, c.head_dim, dtype=dtype)) for _ in range(c.num_hidden_layers)]
    with autocast():
        h = model.hidden(prompt, caches, 0)
        next_token = model.logits(h[:, -1:]).argmax(-1)                    # (B, 1)
        out = [next_token]
        for step in range(1, new_tokens):
            h = model.hidden(next_token, caches, p + step - 1)
            next_token = model.logits(h).argmax(-1)
            out.append(next_token)
    return torch.cat(out, dim=1)


def _time(fn, warmup: int, min_seconds: float, min_iters: int):
    for _ in range(warmup):
        fn()
    iters, start = 0, time.perf_counter()
    while iters < min_iters or time.perf_counter() - start < min_seconds:
        fn()
        iters += 1
    return iters, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--decode-batch", type=int, default=64)
    parser.add_argument("--prefill", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="minimum timed seconds per measurement")
    parser.add_argument("--eager-attention", action="store_true", help="explicit softmax instead of SDPA")
    parser.add_argument("--autocast", default="none", choices=["none", "bf16"],
                        help="bf16: forward passes under torch.autocast (bfloat16 matmuls, float32 weights)")
    args = parser.parse_args()
    global autocast, cache_dtype
    if args.autocast == "bf16":
        autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # noqa: E731
        cache_dtype = torch.bfloat16

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = LlamaConfig(max_position_embeddings=args.context)
    model = Llama(config, eager_attention=args.eager_attention)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.02)
    params = [p for _, p in model.lm_parameters()]
    optimizer = make_optimizer(model.lm_parameters())
    seq = torch.randint(0, config.vocab_size, (args.batch, args.context + 1))
    tokens, targets = seq[:, :-1], seq[:, 1:]
    tokens_per_batch = args.batch * args.context

    iters, seconds = _time(lambda: train_step(model, optimizer, params, tokens, targets),
                           warmup=3, min_seconds=args.seconds, min_iters=5)
    train_tps = tokens_per_batch * iters / seconds
    final_loss = float(train_step(model, optimizer, params, tokens, targets))

    def forward():
        with torch.no_grad(), autocast():
            return lm_loss(model.logits(model.hidden(tokens)), targets)
    iters, seconds = _time(forward, warmup=3, min_seconds=args.seconds, min_iters=5)
    forward_tps = tokens_per_batch * iters / seconds

    new_tokens = args.context - args.prefill
    prompt = torch.randint(0, config.vocab_size, (args.decode_batch, args.prefill))
    iters, seconds = _time(lambda: generate_greedy(model, prompt, new_tokens), warmup=1,
                           min_seconds=args.seconds, min_iters=2)
    decode_tps = args.decode_batch * new_tokens * iters / seconds

    print(json.dumps({
        "peer": "pytorch",
        "torch_version": torch.__version__,
        "threads": args.threads,
        "train_tokens_per_s": round(train_tps, 1),
        "forward_tokens_per_s": round(forward_tps, 1),
        "decode_tokens_per_s": round(decode_tps, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_after_import_mb": round(_RSS_AFTER_IMPORT_MB, 1),  # the torch libraries alone
        "config": asdict(config),
        "batch": args.batch,
        "decode": {"batch": args.decode_batch, "prefill": args.prefill, "new_tokens": new_tokens},
        "attention": "eager" if args.eager_attention else "sdpa",
        "autocast": args.autocast, "kv_cache": str(cache_dtype).replace("torch.", ""),
        "loss_after_training": round(final_loss, 4),
    }))


if __name__ == "__main__":
    main()
