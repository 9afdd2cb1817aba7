#!/usr/bin/env python3
"""Writes Tests/GradingTests/Fixtures/kinds_cases.jsonl: session 11's cases for the held-out kinds of issue 17
(prose answers in the last sentence, other languages and decimal commas, several boxed answers, named and
labelled answers, chains and `\\approx`, inequalities against intervals, matrices in sentences, invisible
characters), written in our own words for this file; none is copied from another grader's tests or from the
other fixture files. A third are negatives that a sloppy rule would accept: a number of the prose that is not
the answer, the earlier of two boxes, a swapped pair, an open bracket where a closed one is meant.

Usage: python3 bench/peers/grading/make_kinds_cases.py > Tests/GradingTests/Fixtures/kinds_cases.jsonl
"""
import json

cases = []


def pos(category, gold, *preds):
    for p in preds:
        cases.append({"gold": gold, "pred": p, "expected": True, "category": category})


def neg(category, gold, *preds):
    for p in preds:
        cases.append({"gold": gold, "pred": p, "expected": False, "category": category})


c = "prose"
pos(c, "27", "Each row holds 9 seats and there are 3 rows, so the hall seats 27 people in total.",
    "Adding the 15 red marbles to the 12 blue ones, the jar ends up with 27 marbles.")
pos(c, "\\frac{5}{8}", "Out of the 8 equally likely outcomes, 5 are favourable, so the probability is 5/8.")
pos(c, "144", "The side is 12 cm, hence its area comes to 144 square centimetres.")
neg(c, "12", "The side is 12 cm, hence its area comes to 144 square centimetres.")
neg(c, "9", "Each row holds 9 seats and there are 3 rows, so the hall seats 27 people in total.")
pos(c, "6", "Let's reason step by step.\nThe train needs 360 km / 60 km/h = 6 hours.\nTherefore, the trip lasts 6 hours.")
neg(c, "60", "Let's reason step by step.\nThe train needs 360 km / 60 km/h = 6 hours.\nTherefore, the trip lasts 6 hours.")

c = "languages"
pos(c, "42", "Il y a 6 boîtes de 7 crayons, donc on obtient 42 crayons au total.",
    "Es gibt 6 Kisten mit je 7 Stiften, also sind es insgesamt 42 Stifte.",
    "每盒有7支笔，共有6盒，所以一共有42支笔。",
    "Hay 6 cajas con 7 lápices cada una, por lo tanto hay 42 lápices.")
neg(c, "7", "Il y a 6 boîtes de 7 crayons, donc on obtient 42 crayons au total.",
    "每盒有7支笔，共有6盒，所以一共有42支笔。")
pos(c, "3.75", "Le prix d'un cahier est de 3,75 € après la remise.",
    "Der Durchschnitt beträgt 3,75.")
pos(c, "2500", "The company sold 2,500 units in March.")
neg(c, "2.5", "The company sold 2,500 units in March.")
neg(c, "3.75", "Le prix est de 3,57 € après la remise.")
pos(c, "(3, 4)", "Le point cherché est donc (3, 4).")
neg(c, "3.4", "Le point cherché est donc (3, 4).")

c = "multi_boxed"
pos(c, "\\{-3, 5\\}", "The roots are $x = \\boxed{-3}$ and $x = \\boxed{5}$.",
    "So the equation holds for \\boxed{5} or \\boxed{-3}.")
pos(c, "-3, 5", "Both values work: \\boxed{-3}, \\boxed{5}.")
neg(c, "\\{-3, 5\\}", "At first I thought the answer was \\boxed{-3}. Checking again, only positive values are allowed, so the answer is \\boxed{5}.")
pos(c, "5", "At first I thought the answer was \\boxed{-3}. Checking again, only positive values are allowed, so the answer is \\boxed{5}.")
neg(c, "-3", "At first I thought the answer was \\boxed{-3}. Checking again, only positive values are allowed, so the answer is \\boxed{5}.")

c = "labelled"
pos(c, "(5, 7)", "Solving the system gives $(a, b) = (5, 7)$.")
neg(c, "(7, 5)", "Solving the system gives $(a, b) = (5, 7)$.")
pos(c, "8, 15", "The legs are $PQ = 8$ and $QR = 15$.", "$u = 8$, $v = 15$")
neg(c, "15, 8", "$u = 8$, $v = 15$")
pos(c, "3:5", "The ratio of the areas is $S_1 : S_2 = 3:5$.")
neg(c, "5:3", "The ratio of the areas is $S_1 : S_2 = 3:5$.")
pos(c, "19", "Hence $p + q = 19$.")
neg(c, "19", "Hence $p^2 + q = 19$.")

c = "chains"
pos(c, "24", "$N = 4 \\cdot 3 \\cdot 2 = 24$", "The count is $2 \\times 12 = 24$.")
neg(c, "12", "The count is $2 \\times 12 = 24$.")
pos(c, "\\frac{2}{7}", "$p = \\frac{2}{7} \\approx 0.29$", "The chance is $\\frac{2}{7} \\approx 0.2857$.")
neg(c, "\\frac{2}{7}", "$p = \\frac{3}{7} \\approx 0.29$")
pos(c, "\\sqrt{2}", "$d = \\sqrt{2} \\approx 1.414$")
neg(c, "1.41", "$d = \\sqrt{3} \\approx 1.73$")

c = "inequalities_intervals"
pos(c, "[-4, 1]", "$-4 \\le t \\le 1$", "The solution set is $\\{t : -4 \\le t \\le 1\\}$.")
neg(c, "(-4, 1)", "$-4 \\le t \\le 1$")
neg(c, "[-4, 1]", "$-4 < t \\le 1$")
pos(c, "(2, \\infty)", "$y > 2$", "The inequality holds exactly when $y > 2$.")
neg(c, "[2, \\infty)", "$y > 2$")
pos(c, "(-\\infty, -2) \\cup (2, \\infty)", "$|x| > 2$")
neg(c, "(-2, 2)", "$|x| > 2$")
pos(c, "[-5,-1] \\cup [1,5]", "$1 \\le |z| \\le 5$")

c = "matrices_prose"
pos(c, "\\begin{pmatrix} 2 & 0 \\\\ 1 & 3 \\end{pmatrix}", "Multiplying out, the product matrix is $\\begin{pmatrix} 2 & 0 \\\\ 1 & 3 \\end{pmatrix}$.")
neg(c, "\\begin{pmatrix} 2 & 1 \\\\ 0 & 3 \\end{pmatrix}", "Multiplying out, the product matrix is $\\begin{pmatrix} 2 & 0 \\\\ 1 & 3 \\end{pmatrix}$.")
pos(c, "\\begin{pmatrix} 1 \\\\ -2 \\\\ 4 \\end{pmatrix}", "So the direction vector is (1, -2, 4).")
neg(c, "\\begin{pmatrix} 1 \\\\ 2 \\\\ 4 \\end{pmatrix}", "So the direction vector is (1, -2, 4).")

c = "gold_sentence"
pos(c, "The tank holds 350 liters.", "350", "$350$ liters")
neg(c, "The tank holds 350 liters.", "35")

c = "invisible"
pos(c, "17", "\ufeff17", "1\u200b7", "\u200d17\u2060", "The answer is 1\u200c7.")
neg(c, "17", "\ufeff71", "1\u200b8")
pos(c, "-\\frac{1}{4}", "\u2212\\frac{1}{4}", "$-\\frac{1}{4}\u200b$")

for case in cases:
    print(json.dumps(case, ensure_ascii=False))
