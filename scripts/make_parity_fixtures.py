#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures the Swift transformer tests compare against.

    python3 scripts/make_parity_fixtures.py        # needs torch and safetensors (pip install)

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
}


def initialize(model: Llama):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "score.bias":
                p.copy_(0.1 * torch.randn_like(p))
            elif p.dim() >= 2:
                p.normal_(0.0, 0.02)
            else:  # RMSNorm weights
                p.copy_(1.0 + 0.1 * torch.randn_like(p))


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

    cfg = {"model_type": "llama", "hidden_act": "silu", **asdict(config), "head_dim": config.head_dim,
           **OPTIMIZER, "B": B, "T": T, "seed": seed, "torch_version": torch.__version__,
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
    for name, case in CASES.items():
        make_case(name, **case)


if __name__ == "__main__":
    main()
