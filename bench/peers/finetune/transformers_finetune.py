#!/usr/bin/env python3
"""PyTorch (transformers) peer of `e2h bench --model M --finetune`: fine-tuning tokens/s.

The model is loaded by transformers from the same GGUF file e2h fine-tunes
(AutoModelForCausalLM.from_pretrained(folder, gguf_file=name): transformers dequantises every
tensor to float32 and undoes llama.cpp's Q/K row permutation, as e2h's loader does), so both sides
train the same f32 weights. The step is e2h's SFT step (Trainer.swift, LanguageModelObjective):
every parameter trains (the tied embedding / LM head included), next-token cross-entropy (token
mean over the targets that are not -1), backward, global grad-norm clip 1.0, AdamW (betas (0.9,
0.95), eps 1e-8, weight decay 0.1 on tensors with >= 2 dims, as e2h; the learning rate does not
change the time). The batch is --batch sequences of --context random token ids (seeded), no
padding: e2h's `configs/smollm2.json` trains batch 8, context 128.

Each step is timed after --warmup steps; tokens/s is batch*context over the median step time.
Prints one JSON line:
  {"peer": "transformers", "torch_version", "transformers_version", "threads", "batch", "context",
   "parameters", "steps", "step_s_median", "finetune_tokens_per_s", "attention", "last_loss"}

Run (1 and 2 threads: torch's threads spin on a loaded machine):
  OMP_PROC_BIND=true python3 bench/peers/finetune/transformers_finetune.py \
      --model ~/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --threads 2
"""

import argparse
import json
import os
import statistics
import time
import warnings

os.environ.setdefault("TQDM_DISABLE", "1")  # transformers' GGUF conversion bar on stderr

import torch

warnings.filterwarnings("ignore")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/e2h-models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--steps", type=int, default=5, help="timed steps (median)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--attention", default="sdpa", help="transformers attn_implementation (sdpa, eager)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--autocast", default="none", choices=["none", "bf16"],
                        help="bf16: forward and loss under torch.autocast (bfloat16 matmuls, float32 weights)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import transformers
    from transformers import AutoModelForCausalLM

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    path = os.path.abspath(os.path.expanduser(args.model))
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path),
                                                 torch_dtype=torch.float32, attn_implementation=args.attention)
    model.train()
    config = model.config
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=1e-5, betas=(0.9, 0.95), eps=1e-8, foreach=True)

    generator = torch.Generator().manual_seed(args.seed)
    tokens = torch.randint(0, config.vocab_size, (args.batch, args.context), generator=generator)
    targets = torch.cat([tokens[:, 1:], torch.full((args.batch, 1), -1)], dim=1)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast == "bf16"):
            logits = model(input_ids=tokens, use_cache=False).logits
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(),
                                                     targets.reshape(-1), ignore_index=-1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times, loss = [], 0.0
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    # Distinct tensors (the tied head counted once).
    parameters = sum(p.numel() for p in {id(p): p for p in params}.values())
    print(json.dumps({
        "peer": "transformers", "torch_version": torch.__version__, "transformers_version": transformers.__version__,
        "threads": args.threads, "batch": args.batch, "context": args.context, "parameters": parameters,
        "tied_embeddings": bool(config.tie_word_embeddings), "attention": args.attention, "autocast": args.autocast, "steps": args.steps,
        "step_s": times, "step_s_median": median, "finetune_tokens_per_s": args.batch * args.context / median,
        "last_loss": loss,
    }))


if __name__ == "__main__":
    main()
