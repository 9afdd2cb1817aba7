#!/usr/bin/env python3
"""Where a reward model's step scores come from: pooled vs within-problem step AUC.

Reads a run's test problems and checker-labelled scored samples (`e2h label --levels 1-5` on a
`test/scored-<model>.jsonl`: the checker's labels are for evaluation only) and prints, for easy and
hard problems:
  pooled step AUC   right vs wrong steps over all problems (can be high when the model only learns
                    which problems and positions are error-prone),
  within step AUC   right vs wrong steps of the same problem at the same step index (what
                    re-ranking a problem's samples needs),
  within sample AUC sound (every step right) vs unsound samples of the same problem, by the min
                    aggregation,
  score sd          spread of the step logits.
Usage: scripts/prm_step_auc.py RUN/data/test.jsonl NAME=labelled.jsonl [NAME=labelled.jsonl ...] [--easy-levels 1-3]
"""
import bisect, collections, json, statistics, sys


def auc(pos, neg):
    if not pos or not neg:
        return float("nan")
    neg = sorted(neg)
    s = 0.0
    for p in pos:
        lo, hi = bisect.bisect_left(neg, p), bisect.bisect_right(neg, p)
        s += lo + (hi - lo) / 2
    return s / (len(pos) * len(neg))


def pair_counts(pos, neg, tally):
    for p in pos:
        for n in neg:
            tally[0] += 1
            tally[1] += 1 if p > n else (0.5 if p == n else 0)


def main(argv):
    easy_max = 3
    if "--easy-levels" in argv:
        i = argv.index("--easy-levels")
        easy_max = int(argv[i + 1].split("-")[-1])
        del argv[i:i + 2]
    levels = {}
    with open(argv[0]) as f:
        for line in f:
            r = json.loads(line)
            levels[r["id"]] = r["level"]
    print(f"{'model':10s} {'group':5s} {'pooled step AUC':>16s} {'within step AUC':>16s} {'within sample AUC':>18s} {'score sd':>9s}")
    for spec in argv[1:]:
        name, path = spec.split("=", 1)
        groups = collections.defaultdict(list)
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                groups[r["problem_id"]].append(r)
        pooled = collections.defaultdict(lambda: ([], []))
        within, sample = collections.defaultdict(lambda: [0, 0.0]), collections.defaultdict(lambda: [0, 0.0])
        scores = collections.defaultdict(list)
        for pid, rs in groups.items():
            g = "easy" if levels[pid] <= easy_max else "hard"
            for r in rs:
                scores[g] += r["step_scores"]
                for s, y in zip(r["step_scores"], r.get("step_labels") or []):
                    (pooled[g][0] if y >= 0.5 else pooled[g][1]).append(s)
            for k in range(max(len(r["step_scores"]) for r in rs)):
                at = [(r["step_scores"][k], r["step_labels"][k]) for r in rs
                      if k < len(r["step_scores"]) and k < len(r.get("step_labels") or [])]
                pair_counts([s for s, y in at if y >= 0.5], [s for s, y in at if y < 0.5], within[g])
            sound = [min(r["step_scores"]) for r in rs if r["step_scores"] and all(y >= 0.5 for y in r["step_labels"])]
            unsound = [min(r["step_scores"]) for r in rs if r["step_scores"] and not all(y >= 0.5 for y in r["step_labels"])]
            pair_counts(sound, unsound, sample[g])
        for g in ("easy", "hard"):
            w, s = within[g], sample[g]
            print(f"{name:10s} {g:5s} {auc(*pooled[g]):16.3f} {w[1] / max(1, w[0]):16.3f} {s[1] / max(1, s[0]):18.3f} "
                  f"{statistics.pstdev(scores[g]):9.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
