#!/usr/bin/env python3
"""Writes the PyTorch reference values of the Objectives losses to Tests/ObjectivesTests/Fixtures/.

Each loss is computed the way OpenRLHF (`openrlhf/models/loss.py`, `experience_maker.py`), TRL and
the papers write it, in float64 from float32 inputs, and the gradients come from autograd. Run from
the repository root: `python3 scripts/make_objective_fixtures.py` (torch only; the tests do not need it).

File format: {"cases": [{"name", "settings": {str: number}, "options": {str: str},
"tensors": {str: [number | "nan"]}}]}.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ObjectivesTests", "Fixtures")
gen = torch.Generator().manual_seed(20241202)


def randn(*shape, scale=1.0, shift=0.0):
    return (torch.randn(*shape, generator=gen) * scale + shift).float().double()


def f32(x):
    return torch.tensor(x, dtype=torch.float32).double()


def flat(t):
    return [("nan" if math.isnan(v) else v) for v in t.detach().double().reshape(-1).tolist()]


def case(name, settings=None, options=None, **tensors):
    return {"name": name, "settings": settings or {}, "options": options or {},
            "tensors": {k: flat(v) if torch.is_tensor(v) else [v] for k, v in tensors.items()}}


def write(name, cases):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")


def trailing_mask(lengths, T):
    return torch.tensor([[1.0 if t < n else 0.0 for t in range(T)] for n in lengths], dtype=torch.float64)


def masked_mean(x, mask, dim=None):
    if dim is None:
        return (x * mask).sum() / mask.sum()
    return (x * mask).sum(dim) / mask.sum(dim)


def aggregate(loss, mask, aggregation):
    """OpenRLHF token-level / sequence-level reduction; Dr. GRPO's constant normaliser."""
    if aggregation == "tokenMean":
        total = mask.sum()
        return (loss * mask).sum() / total if total > 0 else (loss * mask).sum() * 0
    if aggregation == "sequenceMean":
        rows = mask.sum(-1)
        keep = rows > 0
        if not keep.any():
            return (loss * mask).sum() * 0
        per = (loss * mask).sum(-1)[keep] / rows[keep]
        return per.mean()
    if aggregation == "constantNormalizer":
        return (loss * mask).sum() / mask.numel()
    raise ValueError(aggregation)


# --- LM cross-entropy over per-token log-probs ------------------------------------------------
def lm_cases():
    cases = []
    for name, weights in [
        ("mask", torch.tensor([1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1], dtype=torch.float64)),
        ("weights", torch.rand(12, generator=gen).float().double() * torch.tensor([1, 0] * 6, dtype=torch.float64)),
        ("all masked", torch.zeros(12, dtype=torch.float64)),
    ]:
        logp = (-F.softplus(randn(12, scale=2))).float().double().requires_grad_()
        total = weights.sum()
        loss = (weights * -logp).sum() / total if total > 0 else (logp * 0).sum()
        loss.backward()
        cases.append(case(name, logProbs=logp, weights=weights, loss=loss.item(), logProbsGrad=logp.grad))
    return cases


# --- step BCE with logits ------------------------------------------------------------------------
def bce_cases():
    cases = []
    nan = float("nan")
    for name, labels, weights in [
        ("labels and weights", [1, 0, 0.3, nan, 1, 0, 1, nan, 0.7, 0], [1, 1, 0.5, 1, 0, 2, 1, 1, 0.25, 1]),
        ("all ignored", [nan, 1, nan, 0], [1, 0, 1, 0]),
    ]:
        labels = torch.tensor(labels, dtype=torch.float64)
        weights = f32(weights)
        x = randn(len(labels), scale=3).requires_grad_()
        valid = (~torch.isnan(labels)) & (weights > 0)
        if valid.any():
            loss = F.binary_cross_entropy_with_logits(x[valid], labels[valid], weight=weights[valid],
                                                      reduction="sum") / weights[valid].sum()
        else:
            loss = (x * 0).sum()
        loss.backward()
        cases.append(case(name, logits=x, labels=labels, weights=weights, loss=loss.item(), gradient=x.grad))
    return cases


# --- PPO clipped policy loss ---------------------------------------------------------------------
def policy_cases():
    cases = []
    B, T = 3, 6
    configs = [
        ("token mean", 0.2, 0.2, "tokenMean", [6, 4, 2]),
        ("sequence mean", 0.2, 0.2, "sequenceMean", [6, 4, 2]),
        ("constant normalizer", 0.2, 0.2, "constantNormalizer", [6, 4, 2]),
        ("clip higher", 0.2, 0.28, "tokenMean", [5, 6, 3]),
        ("empty sequence", 0.2, 0.2, "sequenceMean", [6, 0, 3]),
        ("all masked", 0.2, 0.2, "tokenMean", [0, 0, 0]),
    ]
    for name, low, high, aggregation, lengths in configs:
        logp = randn(B, T, scale=0.5, shift=-1.0).requires_grad_()
        old = (logp.detach() + randn(B, T, scale=0.3)).float().double()  # many ratios outside [0.8, 1.2]
        adv = randn(B, T)
        mask = trailing_mask(lengths, T)
        log_ratio = logp - old
        ratio = log_ratio.exp()
        surr1 = ratio * adv
        surr2 = ratio.clamp(1 - low, 1 + high) * adv
        per_token = -torch.min(surr1, surr2)
        loss = aggregate(per_token, mask, aggregation)
        loss.backward()
        tokens = mask.sum()
        with torch.no_grad():
            clip_fraction = masked_mean((surr2 < surr1).double(), mask).item() if tokens > 0 else 0.0
            approx_kl = masked_mean((ratio - 1) - log_ratio, mask).item() if tokens > 0 else 0.0
            mean_ratio = masked_mean(ratio, mask).item() if tokens > 0 else 0.0
        cases.append(case(name, {"clipLow": low, "clipHigh": high, "sequences": B, "length": T},
                          {"aggregation": aggregation}, logProbs=logp, oldLogProbs=old, advantages=adv, mask=mask,
                          loss=loss.item(), logProbsGrad=logp.grad, clipFraction=clip_fraction,
                          approxKL=approx_kl, meanRatio=mean_ratio))
    return cases


# --- clipped value loss --------------------------------------------------------------------------
def value_cases():
    cases = []
    B, T = 3, 5
    for name, clip, aggregation, lengths in [
        ("clip 0.2 token mean", 0.2, "tokenMean", [5, 3, 4]),
        ("clip 0.2 sequence mean", 0.2, "sequenceMean", [5, 3, 0]),
        ("no clip", None, "tokenMean", [5, 5, 2]),
    ]:
        old = randn(B, T)
        values = (old + randn(B, T, scale=0.3)).float().double().requires_grad_()
        returns = randn(B, T)
        mask = trailing_mask(lengths, T)
        if clip is not None:
            clipped = old + (values - old).clamp(-clip, clip)
            surr1 = (clipped - returns) ** 2
            surr2 = (values - returns) ** 2
            per_token = torch.max(surr1, surr2)
            clip_fraction = masked_mean((surr1 > surr2).double(), mask).item()
        else:
            per_token = (values - returns) ** 2
            clip_fraction = 0.0
        loss = 0.5 * aggregate(per_token, mask, aggregation)
        loss.backward()
        settings = {"sequences": B, "length": T}
        if clip is not None:
            settings["clip"] = clip
        cases.append(case(name, settings, {"aggregation": aggregation}, values=values, oldValues=old,
                          returns=returns, mask=mask, loss=loss.item(), valuesGrad=values.grad,
                          clipFraction=clip_fraction))
    return cases


# --- KL estimators -------------------------------------------------------------------------------
def kl_cases():
    cases = []
    B, T = 2, 5
    for name, estimator, clamp, aggregation in [
        ("k1", "k1", False, "tokenMean"), ("k1 clamped", "k1", True, "tokenMean"),
        ("k2", "k2", False, "sequenceMean"), ("k3", "k3", False, "tokenMean"),
    ]:
        logp = randn(B, T, scale=0.7, shift=-1.5).requires_grad_()
        ref = (logp.detach() + randn(B, T, scale=0.5)).float().double()
        mask = trailing_mask([5, 3], T)
        log_ratio = logp - ref
        if estimator == "k1":
            kl = log_ratio
        elif estimator == "k2":
            kl = 0.5 * log_ratio ** 2
        else:  # OpenRLHF compute_approx_kl "k3"
            nlr = -log_ratio
            kl = nlr.exp() - 1 - nlr
        if clamp:
            kl = kl.clamp(min=0)
        values = kl * mask
        (per_token_grad,) = torch.autograd.grad(values.sum(), logp, retain_graph=True)
        loss = aggregate(kl, mask, aggregation)
        loss.backward()
        cases.append(case(name, {"sequences": B, "length": T}, {"estimator": estimator, "clamp": str(clamp).lower(),
                                                               "aggregation": aggregation},
                          logProbs=logp, referenceLogProbs=ref, mask=mask, values=values.detach(),
                          valuesGrad=per_token_grad, loss=loss.item(), logProbsGrad=logp.grad,
                          meanKL=masked_mean(kl, mask).item()))
    return cases


# --- GAE and whitening ---------------------------------------------------------------------------
def gae_openrlhf(values, rewards, mask, gamma, lambd):
    """OpenRLHF get_advantages_and_returns, verbatim."""
    values = mask * values
    rewards = mask * rewards
    T = rewards.size(1)
    lastgaelam = 0
    reversed_adv = []
    for t in reversed(range(T)):
        nextvalues = values[:, t + 1] if t < T - 1 else 0.0
        delta = rewards[:, t] + gamma * nextvalues - values[:, t]
        lastgaelam = delta + gamma * lambd * lastgaelam
        reversed_adv.append(lastgaelam)
    adv = torch.stack(reversed_adv[::-1], dim=1)
    return adv, adv + values


def gae_skipping(values, rewards, mask, gamma, lambd):
    """GAE where positions with mask 0 are not part of the trajectory (A = R = 0 there)."""
    B, T = rewards.shape
    adv = torch.zeros(B, T, dtype=torch.float64)
    ret = torch.zeros(B, T, dtype=torch.float64)
    for b in range(B):
        next_value, next_adv = 0.0, 0.0
        for t in reversed(range(T)):
            if mask[b, t] <= 0:
                continue
            delta = rewards[b, t] + gamma * next_value - values[b, t]
            a = delta + gamma * lambd * next_adv
            adv[b, t], ret[b, t] = a, a + values[b, t]
            next_value, next_adv = values[b, t].item(), a.item()
    return adv, ret


def gae_cases():
    cases = []
    B, T = 3, 6
    for name, gamma, lambd, mask in [
        ("gamma 1 lambda 1", 1.0, 1.0, trailing_mask([6, 4, 1], T)),
        ("gamma 0.99 lambda 0.95", 0.99, 0.95, trailing_mask([6, 3, 0], T)),
        ("hole in the mask", 0.9, 0.8, torch.tensor([[1, 1, 0, 1, 1, 0], [0, 1, 1, 1, 1, 1], [1] * 6],
                                                   dtype=torch.float64)),
    ]:
        rewards = randn(B, T, scale=0.5)
        values = randn(B, T)
        adv, ret = gae_skipping(values, rewards, mask, gamma, lambd)
        if name != "hole in the mask":  # trailing padding: identical to OpenRLHF
            ref_adv, ref_ret = gae_openrlhf(values, rewards, mask, gamma, lambd)
            assert torch.allclose(adv, ref_adv * mask) and torch.allclose(ret, ref_ret * mask)
        cases.append(case(name, {"gamma": gamma, "lambda": lambd, "sequences": B, "length": T},
                          rewards=rewards, values=values, mask=mask, advantages=adv, returns=ret))
    return cases


def whiten_cases():
    cases = []
    mask = torch.tensor([1, 1, 1, 0, 1, 1, 0, 1, 1, 1], dtype=torch.float64)
    for shift in (True, False):
        for unbiased in (True, False):
            x = randn(10, scale=2, shift=0.7)
            mean = masked_mean(x, mask)
            var = masked_mean((x - mean) ** 2, mask)
            if unbiased:
                var = var * mask.sum() / (mask.sum() - 1)
            out = (x - mean) * torch.rsqrt(var + 1e-8)
            if not shift:
                out = out + mean
            cases.append(case(f"shift {shift} unbiased {unbiased}", {"epsilon": 1e-8},
                              {"shiftMean": str(shift).lower(), "unbiased": str(unbiased).lower()},
                              values=x, mask=mask, whitened=out * mask, mean=mean.item(), std=var.sqrt().item()))
    return cases


# --- group advantages ----------------------------------------------------------------------------
def group_cases():
    cases = []
    G, n = 3, 4
    rewards = torch.tensor([[1, 0, 0, 1], [0.5, 0.5, 0.5, 0.5], [0.9, -0.3, 0.2, 0.0]], dtype=torch.float64)
    rewards = f32(rewards.tolist())
    eps = 1e-4
    mean = rewards.mean(-1, keepdim=True)
    std = rewards.std(-1, keepdim=True)
    for estimator, adv in [
        ("grpo", (rewards - mean) / (std + eps)),   # TRL / OpenRLHF group_norm (unbiased std)
        ("drGRPO", rewards - mean),
        ("rloo", rewards - (rewards.sum(-1, keepdim=True) - rewards) / (n - 1)),
    ]:
        cases.append(case(estimator, {"groups": G, "groupSize": n, "epsilon": eps}, {"estimator": estimator},
                          rewards=rewards, advantages=adv))
    return cases


def process_group_cases():
    """DeepSeekMath process supervision: normalise all step rewards of the group, suffix sums."""
    cases = []
    eps = 1e-4
    for name, steps in [
        ("three samples", [[0.9, 0.4, 0.7], [0.2], [0.8, 0.6]]),
        ("identical rewards", [[0.5, 0.5], [0.5], [0.5, 0.5, 0.5]]),
    ]:
        flat_rewards = f32([r for s in steps for r in s])
        mean, std = flat_rewards.mean(), flat_rewards.std()
        normalised = (flat_rewards - mean) / (std + eps)
        adv, start = [], 0
        for s in steps:
            part = normalised[start:start + len(s)]
            adv.extend(torch.flip(torch.cumsum(torch.flip(part, [0]), 0), [0]).tolist())
            start += len(s)
        # Tokens of sample 0 (T = 10): its steps end at tokens 2, 5, 8; token 9 is after the last step.
        last_tokens = [2, 5, 8]
        token_adv = [next((adv[j] for j, e in enumerate(last_tokens) if e >= t), 0.0) for t in range(10)]
        cases.append(case(name, {"epsilon": eps}, stepRewards=flat_rewards,
                          stepCounts=torch.tensor([len(s) for s in steps], dtype=torch.float64),
                          stepAdvantages=torch.tensor(adv), stepLastTokens=torch.tensor(last_tokens, dtype=torch.float64),
                          tokenAdvantages=torch.tensor(token_adv)))
    return cases


# --- DPO -----------------------------------------------------------------------------------------
def dpo_loss(pc, pr, rc, rr, beta, smoothing, ipo):
    """OpenRLHF DPOLoss."""
    logits = (pc - pr) - (rc - rr)
    if ipo:
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        losses = -F.logsigmoid(beta * logits) * (1 - smoothing) - F.logsigmoid(-beta * logits) * smoothing
    chosen = beta * (pc - rc).detach()
    rejected = beta * (pr - rr).detach()
    return losses.mean(), chosen, rejected


def dpo_cases():
    cases = []
    P, T = 4, 6
    for name, loss_type, beta, smoothing, average in [
        ("sigmoid summed", "sigmoid", 0.1, 0.0, False),
        ("cdpo summed", "sigmoid", 0.1, 0.1, False),
        ("ipo summed", "ipo", 0.1, 0.0, False),
        ("ipo beta 0.5 averaged", "ipo", 0.5, 0.0, True),
        ("sigmoid averaged", "sigmoid", 0.1, 0.0, True),
    ]:
        chosen_tokens = randn(P, T, scale=0.5, shift=-1.0).requires_grad_()
        rejected_tokens = randn(P, T, scale=0.5, shift=-1.2).requires_grad_()
        ref_chosen_tokens = (chosen_tokens.detach() + randn(P, T, scale=0.4)).float().double()
        ref_rejected_tokens = (rejected_tokens.detach() + randn(P, T, scale=0.4)).float().double()
        chosen_mask = trailing_mask([6, 3, 5, 1], T)
        rejected_mask = trailing_mask([4, 6, 2, 6], T)

        def seq(x, m):
            s = (x * m).sum(-1)
            return s / m.sum(-1) if average else s

        pc, pr = seq(chosen_tokens, chosen_mask), seq(rejected_tokens, rejected_mask)
        rc, rr = seq(ref_chosen_tokens, chosen_mask), seq(ref_rejected_tokens, rejected_mask)
        loss, chosen_reward, rejected_reward = dpo_loss(pc, pr, rc, rr, beta, smoothing, loss_type == "ipo")
        seq_grads = torch.autograd.grad(loss, [pc, pr], retain_graph=True)
        loss.backward()
        cases.append(case(name, {"beta": beta, "labelSmoothing": smoothing, "pairs": P, "length": T},
                          {"loss": loss_type, "average": str(average).lower()},
                          chosenTokens=chosen_tokens, rejectedTokens=rejected_tokens,
                          referenceChosenTokens=ref_chosen_tokens, referenceRejectedTokens=ref_rejected_tokens,
                          chosenMask=chosen_mask, rejectedMask=rejected_mask,
                          policyChosen=pc, policyRejected=pr, referenceChosen=rc, referenceRejected=rr,
                          loss=loss.item(), chosenGrad=seq_grads[0], rejectedGrad=seq_grads[1],
                          chosenTokensGrad=chosen_tokens.grad, rejectedTokensGrad=rejected_tokens.grad,
                          chosenReward=chosen_reward.mean().item(), rejectedReward=rejected_reward.mean().item(),
                          margin=(chosen_reward - rejected_reward).mean().item(),
                          accuracy=(chosen_reward > rejected_reward).double().mean().item()))
    return cases


# --- the paper's "min" process reward ------------------------------------------------------------
def process_reward_cases():
    cases = []
    for name, probs, upper, bonus in [
        ("falling", [0.9, 0.45, 0.6, 0.3, 0.35], 0.5, 0.25),
        ("all above the bound", [0.7, 0.9, 0.55], 0.5, 0.25),
        ("no bonus, bound 0.8", [0.75, 0.2, 0.1, 0.9], 0.8, 0.0),
    ]:
        p = f32(probs)
        m = torch.tensor(upper, dtype=torch.float32).double()
        rewards = []
        for pk in p:
            r = 0.0
            if pk < m:
                r = (pk - m).item()
                m = pk
            rewards.append(r + bonus / len(probs))
        cases.append(case(name, {"upperBound": upper, "stepBonus": bonus}, stepProbabilities=p,
                          rewards=torch.tensor(rewards), total=sum(rewards)))
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    write("lm", lm_cases())
    write("bce", bce_cases())
    write("policy", policy_cases())
    write("value", value_cases())
    write("kl", kl_cases())
    write("gae", gae_cases())
    write("whiten", whiten_cases())
    write("group", group_cases())
    write("process_group", process_group_cases())
    write("dpo", dpo_cases())
    write("process_reward", process_reward_cases())
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
