#!/usr/bin/env python3
"""TRL peer of e2h's RL update steps: time per GRPO and per DPO optimizer step, same model and shapes.

The model is e2h's default policy as a Hugging Face LlamaForCausalLM (4 layers, hidden 128, 4 heads,
intermediate 384, vocabulary 1160, tied embeddings, f32), randomly initialised: the time of a step
does not depend on the weights. The batches have e2h's shapes on the default benchmark: prompts of
--prompt-len tokens (48: the mean of the paper-format prompt in e2h's numbers vocabulary) and
completions of --completion-len tokens (45: the mean rollout length of `e2h rl --algo grpo`).

  GRPO step: TRL's GRPOTrainer.compute_loss (loss_type "dapo" = token-mean, as e2h; beta 0.04 with k3
             against precomputed reference log-probs; clipped ratio against precomputed old log-probs)
             on --grpo-batch sequences, backward, global grad-norm clip 1.0, AdamW step.
             e2h: minibatch 16 of `e2h rl --algo grpo` (the default).
  DPO step:  TRL's DPOTrainer.compute_loss (sigmoid, beta 0.1, summed log-probs, precomputed
             reference log-probs, as e2h computes them once per iteration) on --dpo-pairs pairs
             (2x sequences), backward, clip, AdamW step. e2h: minibatch 8 pairs of `e2h rl --algo dpo`.

Each step is timed after --warmup steps; the median of --steps is printed as one JSON line:
  {"peer": "trl", "trl_version", "torch_version", "threads", "grpo_step_s", "dpo_step_s",
   "plain_torch_step_s" (the GRPO batch through the model with a next-token loss, no TRL), ...}

Run (2 threads, as e2h on this machine):
  OMP_PROC_BIND=true python3 bench/peers/trl/trl_rl_step.py --threads 2
e2h's figures come from the same shapes' `update_s` in metrics.jsonl (docs/rl.md, "Speed").
"""

import argparse
import json
import statistics
import time
import warnings

import torch

warnings.filterwarnings("ignore")


def tokenizer_for(vocab: int):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = {f"t{i}": i for i in range(vocab)}
    tok = Tokenizer(models.WordLevel(vocab=words, unk_token="t0"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="t0", eos_token="t1", unk_token="t0")


def model_for(args, tokenizer):
    """The model saved to a folder: TRL builds its reference model from the policy's path."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=args.intermediate,
                         num_hidden_layers=args.layers, num_attention_heads=args.heads, num_key_value_heads=args.heads,
                         max_position_embeddings=256, tie_word_embeddings=True, rms_norm_eps=1e-5)
    torch.manual_seed(0)
    path = args.out + "/model"
    LlamaForCausalLM(config).float().save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def timed(step, warmup: int, steps: int) -> list[float]:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def optimizer_step(model, optimizer, loss):
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def grpo(args, tokenizer, out_dir):
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    model = model_for(args, tokenizer)
    config = GRPOConfig(output_dir=out_dir, per_device_train_batch_size=args.grpo_batch, num_generations=8,
                        beta=0.04, loss_type="dapo", learning_rate=2e-5, max_completion_length=args.completion_len,
                        report_to=[], use_cpu=True, model_init_kwargs={"dtype": torch.float32}, logging_steps=1000, save_strategy="no", bf16=False)
    data = Dataset.from_dict({"prompt": ["t5 t6 t7"] * args.grpo_batch})
    trainer = GRPOTrainer(model=model, reward_funcs=lambda completions, **kw: [0.0] * len(completions), args=config,
                          train_dataset=data, processing_class=tokenizer)
    model = trainer.model
    model.train()
    trainer.current_gradient_accumulation_steps = 1  # set by Trainer.train's loop, which is not run here
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    B, P, C = args.grpo_batch, args.prompt_len, args.completion_len
    inputs = {
        "prompt_ids": torch.randint(2, args.vocab, (B, P), generator=g),
        "prompt_mask": torch.ones(B, P, dtype=torch.long),
        "completion_ids": torch.randint(2, args.vocab, (B, C), generator=g),
        "completion_mask": torch.ones(B, C, dtype=torch.long),
        "advantages": torch.randn(B, generator=g),
        "old_per_token_logps": -torch.rand(B, C, generator=g) * 7,
        "ref_per_token_logps": -torch.rand(B, C, generator=g) * 7,
        "num_items_in_batch": torch.tensor(B * C),
    }

    def step():
        optimizer_step(model, optimizer, trainer.compute_loss(model, inputs))

    return timed(step, args.warmup, args.steps)


def dpo(args, tokenizer, out_dir):
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    model = model_for(args, tokenizer)
    config = DPOConfig(output_dir=out_dir, per_device_train_batch_size=args.dpo_pairs, beta=0.1, loss_type="sigmoid",
                       learning_rate=1e-5, report_to=[], use_cpu=True, model_init_kwargs={"dtype": torch.float32}, logging_steps=1000, save_strategy="no",
                       precompute_ref_log_probs=True, bf16=False)
    data = Dataset.from_dict({"prompt": ["t5 t6"] * 4, "chosen": ["t7 t1"] * 4, "rejected": ["t8 t1"] * 4})
    trainer = DPOTrainer(model=model, args=config, train_dataset=data, processing_class=tokenizer)
    model = trainer.model
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
    g = torch.Generator().manual_seed(2)
    B2, P, C = 2 * args.dpo_pairs, args.prompt_len, args.completion_len
    # Rows [chosen..., rejected...], each the prompt and its completion; loss on the completion tokens.
    completion_mask = torch.cat([torch.zeros(B2, P, dtype=torch.long), torch.ones(B2, C, dtype=torch.long)], dim=1)
    inputs = {
        "input_ids": torch.randint(2, args.vocab, (B2, P + C), generator=g),
        "attention_mask": torch.ones(B2, P + C, dtype=torch.long),
        "completion_mask": completion_mask,
        "ref_chosen_logps": -torch.rand(args.dpo_pairs, generator=g) * 100,
        "ref_rejected_logps": -torch.rand(args.dpo_pairs, generator=g) * 100,
    }

    def step():
        optimizer_step(model, optimizer, trainer.compute_loss(model, inputs))

    return timed(step, args.warmup, args.steps)


def plain(args, tokenizer):
    """Reference without TRL: next-token loss on the same GRPO-shaped batch, backward, clip, AdamW."""
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(model_for(args, tokenizer), dtype=torch.float32)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
    ids = torch.randint(2, args.vocab, (args.grpo_batch, args.prompt_len + args.completion_len), generator=torch.Generator().manual_seed(3))

    def step():
        optimizer_step(model, optimizer, model(input_ids=ids, labels=ids).loss)

    return timed(step, args.warmup, args.steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=1160)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--intermediate", type=int, default=384)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--prompt-len", type=int, default=48)
    parser.add_argument("--completion-len", type=int, default=45)
    parser.add_argument("--grpo-batch", type=int, default=16)
    parser.add_argument("--dpo-pairs", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--out", default="/tmp/trl-peer")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import trl

    tokenizer = tokenizer_for(args.vocab)
    g = grpo(args, tokenizer, args.out + "/grpo")
    d = dpo(args, tokenizer, args.out + "/dpo")
    p = plain(args, tokenizer)
    print(json.dumps({
        "peer": "trl", "trl_version": trl.__version__, "torch_version": torch.__version__, "threads": args.threads,
        "prompt_len": args.prompt_len, "completion_len": args.completion_len,
        "grpo_batch": args.grpo_batch, "dpo_pairs": args.dpo_pairs,
        "grpo_step_s": round(statistics.median(g), 4), "grpo_step_s_min": round(min(g), 4),
        "dpo_step_s": round(statistics.median(d), 4), "dpo_step_s_min": round(min(d), 4),
        "plain_torch_step_s": round(statistics.median(p), 4),
    }))


if __name__ == "__main__":
    main()
