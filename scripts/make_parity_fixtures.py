#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures the Swift transformer tests compare against.

    python3 scripts/make_parity_fixtures.py [CASE...]   # needs torch and safetensors (pip install)

Cases: untied_gqa, tied (Llama), qwen2 (q/k/v biases, GQA, tied), llama3_rope (llama3 rope_scaling,
head_dim != hidden/heads, attention_bias, GQA). When `transformers` is installed, each case's
logits are also checked against transformers' own model class with the same weights.

For each tiny config below it writes, into Tests/TransformerTests/Fixtures/:
  parity_<name>.json         HF-style config + optimizer hyperparameters + B, T
  parity_<name>.safetensors  float32 unless noted:
    <param>           initial weights under HF names (matrices ~ N(0, 0.02), norm weights
                      1 + 0.1*randn so the norm-weight gradient path is exercised, score.bias 0.1*randn)
    tokens            I32 (B, T)
    targets           I32 (B, T), already shifted, a few -1 (ignored)
    logits            (B, T, V)
    loss              (1,)  mean cross-entropy over targets != -1
    values            (B, T) scalar head score(final normed hidden), same forward
    grad.<param>      d loss / d param for every LM parameter (not score.*)
    losses            (10,) the loss before each of 10 AdamW steps on the same batch
    after10.<param>   every parameter after those 10 steps

Optimizer semantics (torch.optim.AdamW, foreach=False), per step t = 1..10:
    clip: total = ||all grads||_2; g *= min(1, max_grad_norm / (total + 1e-6))
    p *= 1 - lr * wd          (wd = weight_decay for params with >= 2 dims, else 0)
    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
The optimizer holds the LM parameters only, so score.* is unchanged in after10.* (a flat-buffer
optimizer must not decay the scalar head when it receives no gradient).
The model itself is bench/peers/torch_llama.py, shared with the speed benchmark.
"""

import json
import os
import sys
from dataclasses import asdict

import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "peers"))
from torch_llama import Llama, LlamaConfig, lm_loss, make_optimizer, train_step  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")

OPTIMIZER = {
    "learning_rate": 1e-3,
    "adam_beta1": 0.9,
    "adam_beta2": 0.95,
    "adam_epsilon": 1e-8,
    "weight_decay": 0.1,
    "max_grad_norm": 1.0,
    "steps": 10,
}

CASES = {
    # Untied embeddings, grouped-query attention (4 query heads share 2 kv heads).
    "untied_gqa": dict(config=LlamaConfig(vocab_size=32, hidden_size=64, intermediate_size=96,
                                          num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                          max_position_embeddings=64, tie_word_embeddings=False),
                       B=2, T=16, seed=1234),
    # Tied input/output embeddings, plain multi-head attention.
    "tied": dict(config=LlamaConfig(vocab_size=32, hidden_size=48, intermediate_size=64,
                                    num_hidden_layers=2, num_attention_heads=3, num_key_value_heads=3,
                                    max_position_embeddings=64, tie_word_embeddings=True),
                 B=2, T=12, seed=5678),
    # Qwen2: q/k/v biases (o_proj none), grouped-query attention, tied embeddings (as Qwen2.5-0.5B).
    "qwen2": dict(config=LlamaConfig(model_type="qwen2", vocab_size=32, hidden_size=64, intermediate_size=96,
                                     num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                     max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000000.0,
                                     tie_word_embeddings=True),
                  B=2, T=16, seed=4321),
    # Llama 3.1-style RoPE scaling with a short original context, so the high-, medium- and
    # low-frequency rules all apply; head_dim 16 != hidden/heads = 12; attention_bias (q/k/v and
    # o_proj biases); grouped-query attention (4 heads, 1 kv head); untied.
    "llama3_rope": dict(config=LlamaConfig(vocab_size=32, hidden_size=48, intermediate_size=80,
                                           num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
                                           head_dim=16, max_position_embeddings=128, attention_bias=True,
                                           rope_scaling={"rope_type": "llama3", "factor": 8.0,
                                                         "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                         "original_max_position_embeddings": 32}),
                        B=2, T=20, seed=8765),
}


def initialize(model: Llama):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "score.bias":
                p.copy_(0.1 * torch.randn_like(p))
            elif name.endswith("_proj.bias"):   # attention biases
                p.copy_(0.2 * torch.randn_like(p))
            elif p.dim() >= 2:
                p.normal_(0.0, 0.02)
            else:  # RMSNorm weights
                p.copy_(1.0 + 0.1 * torch.randn_like(p))


def hf_config(config: LlamaConfig) -> dict:
    """The Hugging Face config.json keys of `config`."""
    cfg = {"hidden_act": "silu", **asdict(config)}
    if config.model_type == "qwen2":
        cfg.pop("attention_bias")
        cfg.update(use_sliding_window=False, sliding_window=None)
    return cfg


def check_against_transformers(config: LlamaConfig, model: Llama, tokens, logits):
    """Asserts that transformers' own model class, given the same weights, gives the same logits,
    so the fixtures test against Hugging Face's math and not only against this script's peer."""
    try:
        import transformers
    except ImportError:
        print("  (transformers not installed: skipping the cross-check)")
        return
    cfg = hf_config(config)
    hf_cfg = transformers.AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    hf = transformers.AutoModelForCausalLM.from_config(hf_cfg, attn_implementation="eager", dtype=torch.float32)
    state = {n: p for n, p in model.state_dict().items() if not n.startswith("score.")}
    missing, unexpected = hf.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(n == "lm_head.weight" and config.tie_word_embeddings for n in missing), missing
    hf.eval()
    with torch.no_grad():
        theirs = hf(tokens.long()).logits
    error = (theirs - logits.detach()).abs().max().item()
    assert error < 1e-5, f"peer and transformers {transformers.__version__} differ by {error}"
    print(f"  transformers {transformers.__version__} {type(hf).__name__}: max |logits difference| {error:.2e}")


def make_case(name: str, config: LlamaConfig, B: int, T: int, seed: int):
    torch.manual_seed(seed)
    model = Llama(config, eager_attention=True)
    initialize(model)
    tensors = {n: p.detach().clone() for n, p in model.named_parameters()}

    seq = torch.randint(0, config.vocab_size, (B, T + 1))
    tokens, targets = seq[:, :-1].clone(), seq[:, 1:].clone()
    ignored = torch.randperm(B * T)[:4]                   # a few positions the loss must skip
    targets.view(-1)[ignored] = -1
    tensors["tokens"] = tokens.to(torch.int32)
    tensors["targets"] = targets.to(torch.int32)

    lm_params = model.lm_parameters()
    h = model.hidden(tokens)
    logits = model.logits(h)
    loss = lm_loss(logits, targets)
    loss.backward()
    check_against_transformers(config, model, tokens, logits)
    tensors["logits"] = logits.detach().clone()
    tensors["loss"] = loss.detach().reshape(1).clone()
    tensors["values"] = model.values(h).detach().clone()
    for n, p in lm_params:
        tensors[f"grad.{n}"] = p.grad.detach().clone()

    optimizer = make_optimizer(lm_params, lr=OPTIMIZER["learning_rate"],
                               betas=(OPTIMIZER["adam_beta1"], OPTIMIZER["adam_beta2"]),
                               eps=OPTIMIZER["adam_epsilon"], weight_decay=OPTIMIZER["weight_decay"])
    params = [p for _, p in lm_params]
    losses = [train_step(model, optimizer, params, tokens, targets, OPTIMIZER["max_grad_norm"])
              for _ in range(OPTIMIZER["steps"])]
    tensors["losses"] = torch.stack(losses).clone()
    for n, p in model.named_parameters():
        tensors[f"after10.{n}"] = p.detach().clone()

    cfg = {**hf_config(config), **OPTIMIZER, "B": B, "T": T, "seed": seed, "torch_version": torch.__version__,
           "generator": "scripts/make_parity_fixtures.py"}
    json_path = os.path.join(OUT, f"parity_{name}.json")
    with open(json_path, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    st_path = os.path.join(OUT, f"parity_{name}.safetensors")
    save_file({k: v.contiguous() for k, v in tensors.items()}, st_path,
              metadata={"config": json.dumps(cfg)})  # one key: the library orders keys randomly
    os.chmod(st_path, 0o644)  # the library creates 0600 files; fixtures are ordinary repository files

    back = load_file(st_path)  # round-trip check through the library
    assert all(torch.equal(back[k], v) for k, v in tensors.items())
    print(f"{name}: loss {loss.item():.6f} -> {losses[-1].item():.6f} after {OPTIMIZER['steps']} steps, "
          f"{sum(p.numel() for p in model.parameters())} parameters, "
          f"{os.path.getsize(st_path) / 1024:.0f} KB")


def main():
    torch.set_num_threads(1)  # deterministic reductions
    os.makedirs(OUT, exist_ok=True)
    names = sys.argv[1:] or list(CASES)   # e.g. `make_parity_fixtures.py qwen2`
    for name in names:
        make_case(name, **CASES[name])


if __name__ == "__main__":
    main()
