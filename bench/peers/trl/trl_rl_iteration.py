#!/usr/bin/env python3
"""TRL peer of a whole e2h GRPO iteration: rollouts, reward scoring, reference log-probs and update.

`trl_rl_step.py` times one update step; this script runs TRL's own `GRPOTrainer.train()` loop, so an
iteration includes TRL's generation (Hugging Face `generate`, one padded batch with a KV cache), its
reward model, its reference model and its two optimizer steps. Shapes match
`e2h rl --algo grpo --problems-per-iteration 4 --group-size 8` on the default run:

  model      e2h's default policy as LlamaForCausalLM (4 layers, hidden 128, 4 heads, intermediate 384,
             vocabulary 1160, tied embeddings, f32), random weights (helpers of trl_rl_step.py).
  prompts    4 per iteration of --prompt-len tokens (48: the mean paper-format prompt), 8 completions
             each: 32 completions per iteration (generation_batch_size 32).
  rollouts   e2h's GRPO defaults (RLConfig.paper(.grpo)): temperature 0.7, top-k 50. e2h stops at EOS or
             after the answer line (about 45 tokens on average) and at most at 256. The random model
             here almost never emits EOS, so TRL's completions are capped at --completion-len (45, e2h's
             mean): every TRL completion is as long as e2h's average one (the printed mean shows it).
  reward     a reward model of the same architecture (LlamaForSequenceClassification, one label) as
             TRL's `reward_funcs`: one forward per completion over prompt + completion, the work of
             e2h's PRM forward (e2h reads a score per step from the same pass).
  reference  beta 0.04 (e2h's GRPO default, k3 in the loss): TRL keeps a reference model and computes
             its log-probs over the 32 sequences once per iteration, as e2h does.
  update     per_device_train_batch_size 16, steps_per_generation 2: two optimizer steps of 16, as
             e2h's minibatch 16; loss_type "dapo" (token mean, as e2h), clip 0.2, grad clip 1.0, AdamW.
             Because the second step is off-policy TRL also runs the policy over the 32 sequences
             once for "old" log-probs (old_logps_s); e2h takes them from the sampler during rollout.

Timing: the wall time of each iteration (two `Trainer` steps, measured between the callback's
step ends) and, inside it, wrappers around GRPOTrainer._generate (rollout: tokenize, generate,
decode), _calculate_rewards (scoring), the reference and old-policy calls of
_get_per_token_logps_and_entropies made while preparing the batch; update_s is the rest of the
iteration outside _generate_and_score_completions (forward + backward + AdamW for two steps, TRL's
bookkeeping), prep_other_s what _generate_and_score_completions does besides the timed calls
(advantages, masks, logging). Median over --iterations after --warmup, one JSON line:
  {"peer": "trl-grpo-iteration", "trl_version", "torch_version", "transformers_version", "threads",
   "total_s", "rollout_s", "scoring_s", "reference_s", "old_logps_s", "prep_other_s", "update_s",
   "completion_len_mean", "per_iteration": [...], ...}

Run (pin the threads, 2 as e2h on this machine; also 1):
  OMP_PROC_BIND=true python3 bench/peers/trl/trl_rl_iteration.py --threads 2
e2h's figures: rollout_s, scoring_s, reference_s, update_s of each line of metrics.jsonl of
  e2h rl --algo grpo --run RUN --iterations 4 --problems-per-iteration 4 --group-size 8 --name speed-grpo-iter
(docs/rl-iteration.md).
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings

import torch

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trl_rl_step import model_for, tokenizer_for  # noqa: E402  (same model and tokenizer as the step peer)


def reward_model_for(args, tokenizer):
    """A one-label sequence classifier of the policy's architecture, saved for TRL to load by path."""
    from transformers import LlamaConfig, LlamaForSequenceClassification

    config = LlamaConfig(vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=args.intermediate,
                         num_hidden_layers=args.layers, num_attention_heads=args.heads, num_key_value_heads=args.heads,
                         max_position_embeddings=256, tie_word_embeddings=True, rms_norm_eps=1e-5, num_labels=1,
                         pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(1)
    path = args.out + "/reward"
    LlamaForSequenceClassification(config).float().save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def prompts_for(args, count: int) -> list[str]:
    """`count` distinct prompts of exactly --prompt-len tokens (t2..: never pad t0 or EOS t1).

    The trailing space keeps TRL's reward text (prompt + completion, concatenated as strings)
    splitting into the same tokens."""
    g = torch.Generator().manual_seed(4)
    rows = torch.randint(2, args.vocab, (count, args.prompt_len), generator=g)
    return [" ".join(f"t{int(t)}" for t in row) + " " for row in rows]


class PhaseClock:
    """Seconds spent in each wrapped GRPOTrainer method, reset per iteration."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.completion_lengths: list[int] = []

    def add(self, phase: str, seconds: float):
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def take(self) -> dict[str, float]:
        taken, self.seconds = self.seconds, {}
        return taken


def instrument(trainer, clock: PhaseClock):
    """Wraps the trainer's rollout, reward, reference/old log-prob and batch-preparation methods."""

    def timed(phase, method, after=None):
        def wrapper(*a, **kw):
            start = time.perf_counter()
            result = method(*a, **kw)
            clock.add(phase, time.perf_counter() - start)
            if after:
                after(result)
            return result
        return wrapper

    def record_lengths(result):
        completion_ids = result[1]
        clock.completion_lengths += [len(ids) for ids in completion_ids]

    trainer._generate = timed("rollout", trainer._generate, record_lengths)
    trainer._calculate_rewards = timed("scoring", trainer._calculate_rewards)
    trainer._generate_and_score_completions = timed("generate_and_score", trainer._generate_and_score_completions)
    logps = trainer._get_per_token_logps_and_entropies
    state = {"preparing": False}
    prepare = trainer._generate_and_score_completions

    def prepare_wrapper(*a, **kw):
        state["preparing"] = True
        try:
            return prepare(*a, **kw)
        finally:
            state["preparing"] = False

    def logps_wrapper(model, *a, **kw):
        if not state["preparing"]:  # the policy's forward inside compute_loss: part of the update
            return logps(model, *a, **kw)
        start = time.perf_counter()
        result = logps(model, *a, **kw)
        clock.add("reference" if model is trainer.ref_model else "old_logps", time.perf_counter() - start)
        return result

    trainer._generate_and_score_completions = prepare_wrapper
    trainer._get_per_token_logps_and_entropies = logps_wrapper


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--vocab", type=int, default=1160)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--intermediate", type=int, default=384)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--prompt-len", type=int, default=48)
    parser.add_argument("--completion-len", type=int, default=45, help="TRL's max_completion_length (e2h's mean rollout length)")
    parser.add_argument("--problems", type=int, default=4, help="prompts per iteration")
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--minibatch", type=int, default=16)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--top-k", type=int, default=50)
    parser.add_argument("--beta", type=float, default=0.04)
    parser.add_argument("--warmup", type=int, default=1, help="iterations left out of the median")
    parser.add_argument("--iterations", type=int, default=3, help="timed iterations")
    parser.add_argument("--out", default="/tmp/trl-peer-iteration")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import transformers
    import trl
    from datasets import Dataset
    from transformers import TrainerCallback
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOConfig, GRPOTrainer

    rollouts = args.problems * args.group_size
    assert rollouts % args.minibatch == 0, "rollouts per iteration must be a multiple of the minibatch"
    steps_per_iteration = rollouts // args.minibatch
    total_iterations = args.warmup + args.iterations

    tokenizer = tokenizer_for(args.vocab)
    policy = model_for(args, tokenizer)
    reward = reward_model_for(args, tokenizer)
    config = GRPOConfig(
        output_dir=args.out + "/grpo", per_device_train_batch_size=args.minibatch, gradient_accumulation_steps=1,
        steps_per_generation=steps_per_iteration, num_generations=args.group_size, num_iterations=1,
        max_completion_length=args.completion_len, temperature=args.temperature, top_k=args.top_k,
        beta=args.beta, loss_type="dapo", epsilon=0.2, max_grad_norm=1.0, learning_rate=2e-5,
        max_steps=steps_per_iteration * total_iterations, report_to=[], use_cpu=True, bf16=False,
        model_init_kwargs={"dtype": torch.float32}, logging_steps=10_000, save_strategy="no",
        dataloader_num_workers=0, seed=1, disable_tqdm=True)
    data = Dataset.from_dict({"prompt": prompts_for(args, args.problems * total_iterations)})
    trainer = GRPOTrainer(model=policy, reward_funcs=reward, args=config, train_dataset=data, processing_class=tokenizer)
    clock = PhaseClock()
    instrument(trainer, clock)

    iterations: list[dict] = []

    class IterationClock(TrainerCallback):
        def on_train_begin(self, *a, **kw):
            self.start = time.perf_counter()

        def on_step_end(self, cb_args, state, control, **kw):
            if state.global_step % steps_per_iteration:
                return
            now = time.perf_counter()
            phases = clock.take()
            prep = phases.get("generate_and_score", 0.0)
            named = ("rollout", "scoring", "reference", "old_logps")
            line = {"total_s": now - self.start, **{f"{p}_s": phases.get(p, 0.0) for p in named}}
            line["prep_other_s"] = prep - sum(phases.get(p, 0.0) for p in named)
            line["update_s"] = line["total_s"] - prep
            line["completion_len_mean"] = statistics.mean(clock.completion_lengths) if clock.completion_lengths else 0
            line["completions"] = len(clock.completion_lengths)
            clock.completion_lengths = []
            iterations.append({k: round(v, 4) for k, v in line.items()})
            self.start = time.perf_counter()

    trainer.add_callback(IterationClock())
    trainer.remove_callback(PrinterCallback)  # keeps stdout to the one JSON line
    trainer.train()

    timed = iterations[args.warmup:]
    keys = ("total_s", "rollout_s", "scoring_s", "reference_s", "old_logps_s", "prep_other_s", "update_s")
    print(json.dumps({
        "peer": "trl-grpo-iteration", "trl_version": trl.__version__, "torch_version": torch.__version__,
        "transformers_version": transformers.__version__, "threads": args.threads,
        "omp_proc_bind": os.environ.get("OMP_PROC_BIND"), "prompt_len": args.prompt_len,
        "max_completion_length": args.completion_len, "rollouts": rollouts, "minibatch": args.minibatch,
        "temperature": args.temperature, "top_k": args.top_k, "beta": args.beta,
        "completion_len_mean": round(statistics.mean(i["completion_len_mean"] for i in timed), 2),
        **{k: round(statistics.median(i[k] for i in timed), 4) for k in keys},
        "total_s_min": round(min(i["total_s"] for i in timed), 4),
        "iterations_timed": len(timed), "per_iteration": iterations,
    }))


if __name__ == "__main__":
    main()
