#!/usr/bin/env python3
"""Writes Tests/GradingTests/Fixtures/prose_cases.jsonl: gold/pred/expected cases of the kinds of issue 17
(answers as real models write them). Deterministic: templates times a fixed list of values.

Each kind has positives and negatives; the negatives are ones a sloppy rule would accept (a number in the
prose that is not the answer, the wrong one of several spans, a swapped labelled pair, ...).

Usage: python3 bench/peers/grading/make_prose_cases.py > Tests/GradingTests/Fixtures/prose_cases.jsonl
"""
import json

cases = []


def add(gold, pred, expected, category):
    cases.append({"gold": gold, "pred": pred, "expected": expected, "category": category})


# 1. Answers inside long free-form solutions.
for n, other in [(34, 12), (7, 3), (120, 24), (2, 9), (-5, 4)]:
    add(str(n), f"We test each case in turn. For n = {other} the bound fails, so the largest n is {n}.", True, "prose")
    add(str(other), f"We test each case in turn. For n = {other} the bound fails, so the largest n is {n}.", False, "prose")
    add(str(n), f"Step 1: compute {other} + 1. Step 2: simplify.\nFinal Answer: The final answer is ${n}$. I hope it is correct.",
        True, "prose")
    add(str(other), f"Step 1: compute {other} + 1. Step 2: simplify.\nFinal Answer: The final answer is ${n}$. I hope it is correct.",
        False, "prose")
    add(str(n), f"First $a = {other}$, then the sum is ${n}$. Checking: $a + 1 = {other + 1}$. So the answer is ${n}$.", True,
        "prose")
    add(str(other + 1), f"First $a = {other}$, then the sum is ${n}$. Checking: $a + 1 = {other + 1}$. So the answer is ${n}$.",
        False, "prose")
    add(str(n), f"The final answer is ${n}$. We can verify: ${n} - {other} = {n - other}$.", True, "prose")
    add(str(n - other), f"The final answer is ${n}$. We can verify: ${n} - {other} = {n - other}$.", False, "prose")
    add(str(n), f"<think>Maybe it is {other}? Let me check: \\boxed{{{other}}} is wrong.</think>\n\nThe answer is \\boxed{{{n}}}.",
        True, "think")
    add(str(other), f"<think>Maybe it is {other}? Let me check: \\boxed{{{other}}} is wrong.</think>\n\nThe answer is \\boxed{{{n}}}.",
        False, "think")
    add(str(n), f"<think>\nLet x = {other}. Then we double it and so on.\n</think>\nSo the result is {n}.", True, "think")
    add(str(other), f"<think>\nLet x = {other}. Then we double it and so on.\n</think>\nSo the result is {n}.", False, "think")
for price, hours in [("12.50", 3), ("7.25", 2), ("1200", 4), ("45", 6)]:
    add(price, f"She works {hours} hours at the given rate, so in total she earns \\${price}.", True, "units")
    add(str(hours), f"She works {hours} hours at the given rate, so in total she earns \\${price}.", False, "units")
    add(price, f"After {hours} weeks the total is {price} dollars.", True, "units")
    add(str(hours), f"After {hours} weeks the total is {price} dollars.", False, "units")
    add(price, f"Therefore the answer is ${price}$ dollars.", True, "units")
    add(price, f"The total cost is $\\${price}$ for {hours} items.", True, "units")
for area, side in [(24, 4), (81, 9), (50, 5)]:
    add(str(area), f"Each side is {side} cm, so the area is {area} square centimeters.", True, "units")
    add(str(side), f"Each side is {side} cm, so the area is {area} square centimeters.", False, "units")
    add(str(area), f"Thus the area of the region is ${area}\\text{{ cm}}^2$.", True, "units")

# 2. Other languages; decimal commas.
for n, other in [(5, 3), (12, 4), (36, 6), (100, 10)]:
    add(str(n), f"首先计算 {other} 的平方，然后求和。所以答案是 {n}。", True, "languages")
    add(str(other), f"首先计算 {other} 的平方，然后求和。所以答案是 {n}。", False, "languages")
    add(str(n), f"Nous calculons d'abord {other} fois deux. La réponse est {n}.", True, "languages")
    add(str(other), f"Nous calculons d'abord {other} fois deux. La réponse est {n}.", False, "languages")
    add(str(n), f"نحسب أولا {other} ثم نجمع. إذن الإجابة هي {n}.", True, "languages")
    add(str(other), f"نحسب أولا {other} ثم نجمع. إذن الإجابة هي {n}.", False, "languages")
    add(str(n), f"पहले {other} का वर्ग निकालें। अतः उत्तर {n} है।", True, "languages")
    add(str(other), f"पहले {other} का वर्ग निकालें। अतः उत्तर {n} है।", False, "languages")
    add(str(n), f"Zuerst rechnen wir {other} mal zwei. Die Antwort ist {n}.", True, "languages")
    add(str(n), f"Сначала возьмём {other}. Ответ: {n}.", True, "languages")
    add(str(n), f"Primero calculamos {other}. La respuesta es {n}.", True, "languages")
for text, value, wrong in [("2,74", "2.74", "274"), ("0,111", "0.111", "111"), ("3,5", "3.5", "35"),
                           ("12,25", "12.25", "1225")]:
    add(value, f"Le prix total est donc de {text} $", True, "decimal_comma")
    add(wrong, f"Le prix total est donc de {text} $", False, "decimal_comma")
    add(value, f"La réponse est {text}.", True, "decimal_comma")
    add(wrong, f"La réponse est {text}.", False, "decimal_comma")
    add(value, f"所以答案是 {text}", True, "decimal_comma")
add("0.111", "0,111", True, "decimal_comma")
add("111", "0,111", False, "decimal_comma")
add("1000", "1,000", True, "decimal_comma")
add("1", "1,000", False, "decimal_comma")
add("1000", "The total is 1,000 dollars.", True, "decimal_comma")
add("1.0", "The total is 1,000 dollars.", False, "decimal_comma")
add("(1,2)", "(1, 2)", True, "decimal_comma")
add("1.2", "(1, 2)", False, "decimal_comma")
add("(1,2)", "The point is $(1, 2)$.", True, "decimal_comma")
add("1.2", "The point is $(1, 2)$.", False, "decimal_comma")
add("1,2", "1, 2", True, "decimal_comma")
add("12345", "So there are 12,345 ways.", True, "decimal_comma")

# 3. Several boxed answers.
for a, b in [(1, 2), (-3, 3), (4, 7), (0, 5)]:
    add(f"\\boxed{{{a},{b}}}", f"\\boxed{{{a}}}, \\boxed{{{b}}}", True, "multi_boxed")
    add(f"\\{{{a},{b}\\}}", f"The solutions are \\boxed{{{a}}} and \\boxed{{{b}}}.", True, "multi_boxed")
    add(f"{a}, {b}", f"$x = \\boxed{{{b}}}$ or $x = \\boxed{{{a}}}$", True, "multi_boxed")
    add(f"{a},{b}", f"\\boxed{{{a}}}, \\boxed{{{b}}}", True, "multi_boxed")
    add(str(b), f"\\boxed{{{a}}}, \\boxed{{{b}}}", False, "multi_boxed")
    add(f"{a},{b + 1}", f"\\boxed{{{a}}} and \\boxed{{{b}}}", False, "multi_boxed")
    add(str(b), f"A first attempt gives \\boxed{{{a}}}. That misses a case; redoing the count, the answer is \\boxed{{{b}}}.",
        True, "multi_boxed")
    add(f"{a},{b}", f"A first attempt gives \\boxed{{{a}}}. That misses a case; redoing the count, the answer is \\boxed{{{b}}}.",
        False, "multi_boxed")

# 4. Named or labelled answers.
for p, q in [(3, 2), (5, 7), (-1, 4), (10, 3)]:
    add(f"({p},{q})", f"$(p,q)=({p},{q})$", True, "labelled")
    add(f"({q},{p})", f"$(p,q)=({p},{q})$", False, "labelled")
    add(f"{p}, {q}", f"$AB={p}, CD={q}$", True, "labelled")
    add(f"{p}, {q + 1}", f"$AB={p}, CD={q}$", False, "labelled")
    add(f"\\boxed{{{p}, {q}}}", f"So $k = {p}, n = {q}$.", True, "labelled")
    add(f"{p}:{q}", f"$V_1:V_2 = {p}:{q}$", True, "labelled")
    add(f"{q}:{p}", f"$V_1:V_2 = {p}:{q}$", False, "labelled")
    add(f"{p}", f"$\\angle ABC = {p}^\\circ$", True, "labelled")
    add(f"{q}", f"$\\angle ABC = {p}^\\circ$", False, "labelled")
    add(f"{p}", f"$a_{{10}} = {p}$", True, "labelled")
    add(f"{p}", f"$x^2 + y^2 = {p}$", False, "labelled")
    add(f"{p}", f"$x + {q} = {p}$", False, "labelled")

# 5. Chains and approximations.
for parts, total, wrong in [("5+5+1", 11, 5), ("2 \\cdot 3 \\cdot 4", 24, 4), ("\\frac{10}{2}", 5, 10), ("3^2 + 4^2", 25, 16)]:
    add(str(total), f"$x = {parts} = {total}$", True, "chains")
    add(str(wrong), f"$x = {parts} = {total}$", False, "chains")
    add(str(total), f"The answer is ${parts} = {total}$.", True, "chains")
    add(str(total + 1), f"The answer is ${parts} = {total}$.", False, "chains")
for exact, approx, coarse in [("\\frac{1}{3}", "0.33", "0.3"), ("\\sqrt{2}", "1.41", "1.4"), ("\\frac{2}{3}", "0.67", "0.7"),
                              ("\\pi", "3.14", "3.1")]:
    add(exact, f"$x = {exact} \\approx {approx}$", True, "approx")
    add(approx, f"$x = {exact} \\approx {approx}$", True, "approx")
    add(coarse, f"$x = {exact} \\approx {approx}$", False, "approx")
    add(exact, f"The probability is ${exact} \\approx {approx}$.", True, "approx")
add("\\frac{1}{2}", "$x = \\frac{1}{3} \\approx 0.33$", False, "approx")

# 6. Inequalities against intervals.
for lo, hi in [(-2, 7), (0, 3), (1, 5), (-4, -1)]:
    add(f"x \\in [{lo}, {hi}]", f"${lo} \\le x \\le {hi}$", True, "inequalities_intervals")
    add(f"[{lo}, {hi}]", f"${lo} \\leq x \\leq {hi}$", True, "inequalities_intervals")
    add(f"({lo}, {hi})", f"${lo} \\le x \\le {hi}$", False, "inequalities_intervals")
    add(f"[{lo}, {hi})", f"${lo} \\le x < {hi}$", True, "inequalities_intervals")
    add(f"[{lo}, {hi}]", f"${lo} \\le x < {hi}$", False, "inequalities_intervals")
for lo, hi in [(1, 3), (2, 5), (0.5, 4)]:
    add(f"(-{hi},-{lo}) \\cup ({lo},{hi})", f"${lo} < |x| < {hi}$", True, "inequalities_intervals")
    add(f"({lo},{hi})", f"${lo} < |x| < {hi}$", False, "inequalities_intervals")
    add(f"[-{hi},-{lo}] \\cup [{lo},{hi}]", f"${lo} \\le |z| \\le {hi}$", True, "inequalities_intervals")
    add(f"(-{hi},-{lo}) \\cup ({lo},{hi})", f"${lo} \\le |z| \\le {hi}$", False, "inequalities_intervals")
    add(f"[-{hi},{hi}]", f"$|x| \\le {hi}$", True, "inequalities_intervals")
    add(f"(-\\infty,-{lo}) \\cup ({lo},\\infty)", f"$|x| > {lo}$", True, "inequalities_intervals")
    add(f"({lo},\\infty)", f"$|x| > {lo}$", False, "inequalities_intervals")

# 7. Matrices and vectors inside sentences; gold answers that are sentences.
for a, b, c, d in [(1, 2, 3, 4), (0, -1, 1, 0), (2, 0, 0, 2)]:
    m = f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d} \\end{{pmatrix}}"
    add(m, f"Multiplying out, the matrix is ${m}$.", True, "matrices_prose")
    add(m, f"Multiplying out, the matrix is {m}.", True, "matrices_prose")
    add(f"\\begin{{pmatrix}} {a} & {b} \\\\ {c} & {d + 1} \\end{{pmatrix}}", f"Multiplying out, the matrix is {m}.", False,
        "matrices_prose")
    v = f"\\begin{{pmatrix}} {a} \\\\ {b} \\\\ {c} \\end{{pmatrix}}"
    add(v, f"So the vector is {v}.", True, "matrices_prose")
    add(f"({a},{b},{c})", f"Hence the direction vector is {v}.", True, "matrices_prose")
    add(f"({a},{b},{c + 1})", f"Hence the direction vector is {v}.", False, "matrices_prose")
    add(f"({a}, {b}, {c})", f"The vector is ({a}, {b}, {c}).", True, "matrices_prose")
    add(str(c), f"The vector is ({a}, {b}, {c}).", False, "matrices_prose")
for n, other in [(5, 2), (12, 3), (30, 6)]:
    add(f"There are {n} apples.", str(n), True, "gold_sentence")
    add(f"There are {n} apples.", str(other), False, "gold_sentence")
    add(f"The answer is {n} apples.", f"\\boxed{{{n}}}", True, "gold_sentence")
    add(f"She needs {n} more boxes.", f"$${n}$$", True, "gold_sentence")
    add(f"She needs {n} more boxes.", f"$${n + 1}$$", False, "gold_sentence")
    add(f"After {other} days, {n} remain.", f"{n}", True, "gold_sentence")
    add(f"After {other} days, {n} remain.", f"{other}", False, "gold_sentence")

# 8. Invisible characters.
for s, v, wrong in [("2", "2", "3"), ("\\frac{1}{2}", "0.5", "2"), ("(1,2)", "(1, 2)", "(2,1)"), ("-7", "-7", "7")]:
    add(v, "\ufeff" + s, True, "invisible")
    add(v, s + "\u200b", True, "invisible")
    add(v, "\u200b" + s + "\u2060", True, "invisible")
    add(wrong, "\ufeff" + s, False, "invisible")
add("25", "2\u200b5", True, "invisible")
add("\\boxed{3}", "\\boxed{\ufeff3}", True, "invisible")
add("3", "\\boxed{\ufeff4}", False, "invisible")

for c in cases:
    print(json.dumps(c, ensure_ascii=False))
