#!/usr/bin/env python3
"""Writes Tests/GradingTests/Fixtures/harness_cases.jsonl: gold/pred/expected cases of the kinds that the
public test suites of other graders and evaluation harnesses exercise (Math-Verify, lm-evaluation-harness's
Minerva normalisation, Qwen2.5-Math's grader, PRM800K, simple-evals, DeepSeek-Math, OpenCompass), written
from what those harnesses intend (none of their cases is copied): LaTeX wrappers and spacing, percent,
units, mixed numbers, scientific notation, sets and intervals, plus-minus, choice letters, equations vs
values, matrices, complex numbers, radicals, logarithms, trigonometry in degrees, infinity and the empty
set, thousands separators and currency, ordered vs unordered answers, answer formats of model output
(GSM8K `####`, MetaMath, Minerva, think blocks, other languages), word answers in sentences, clauses that
justify an answer, decimal commas, and polynomial identities of high degree.

Each kind has positives and negatives; the negatives are what a sloppy rule accepts. Graded in both
directions by FixtureTests.

Usage: python3 bench/peers/grading/make_harness_cases.py > Tests/GradingTests/Fixtures/harness_cases.jsonl
"""
import json

cases = []


def add(gold, pred, expected, category):
    cases.append({"gold": gold, "pred": pred, "expected": expected, "category": category})


def pos(category, gold, *preds):
    for p in preds:
        add(gold, p, True, category)


def neg(category, gold, *preds):
    for p in preds:
        add(gold, p, False, category)


# LaTeX wrappers, spacing commands and fraction variants.
c = "latex"
pos(c, "\\frac{1}{2}", "$\\dfrac{1}{2}$", "\\(\\tfrac12\\)", "\\[\\frac{1}{2}\\]", "$0.5$", "\\boxed{\\dfrac{1}{2}}")
neg(c, "\\frac{1}{2}", "$\\dfrac{2}{1}$", "\\(\\tfrac13\\)", "$0.05$")
pos(c, "(1,2)", "\\left( 1, 2 \\right)", "\\left(1,\\,2\\right)", "$\\left(1 , 2\\right)$")
neg(c, "(1,2)", "\\left( 2, 1 \\right)", "\\left[ 1, 2 \\right]")
pos(c, "10", "1\\!0", "\\text{10}", "\\mathrm{10}", "\\textbf{10}", "\\; 10 \\;", "\\displaystyle 10")
neg(c, "10", "\\text{100}", "1\\!0\\!0")
pos(c, "\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", "\\frac{1}{2}\\sqrt{3}", "\\tfrac{\\sqrt{3}}{2}")
neg(c, "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}", "\\frac{3}{2}")

# Percent: p% equals p and p/100 (docs/grading.md), never another scale.
c = "percent"
pos(c, "50\\%", "0.5", "50", "\\frac{1}{2}", "50 \\%", "50%", "50 percent")
neg(c, "50\\%", "5", "0.05", "500")
pos(c, "12.5\\%", "0.125", "\\frac{1}{8}", "12.5")
neg(c, "12.5\\%", "1.25", "12")

# Units after a quantity.
c = "units"
pos(c, "10", "10 \\text{ cm}", "10\\text{ ways}", "10 \\mbox{ meters}", "10\\text{ students}", "10 \\text{ square units}",
    "10\\ \\text{cm}^2", "10 \\mathrm{~cm}")
neg(c, "10", "100 \\text{ cm}", "1 \\text{ cm}")
pos(c, "5.5", "5.5 \\text{ hours}", "5.5\\text{ mph}")
neg(c, "5.5", "55 \\text{ hours}")

# Degrees.
c = "degrees"
pos(c, "45", "45^\\circ", "45^{\\circ}", "45°", "45 \\text{ degrees}", "45\\,^\\circ")
neg(c, "45", "90^\\circ", "4.5^\\circ")
pos(c, "30^\\circ", "\\frac{\\pi}{6}", "30")
neg(c, "30^\\circ", "\\frac{\\pi}{3}", "60")

# Mixed numbers.
c = "mixed"
pos(c, "918\\frac{1}{2}", "918.5", "\\frac{1837}{2}", "918\\tfrac12", "918 \\frac{1}{2}")
neg(c, "918\\frac{1}{2}", "459", "918", "919")
pos(c, "2\\frac{3}{4}", "\\frac{11}{4}", "2.75")
neg(c, "2\\frac{3}{4}", "\\frac{3}{2}", "1.5")

# Scientific notation.
c = "scientific"
pos(c, "1500", "1.5 \\times 10^{3}", "1.5\\times10^3", "1.5 \\cdot 10^3", "1.5e3", "1.5E3", "15 \\times 10^2")
neg(c, "1500", "1.5 \\times 10^{4}", "1.5e4", "150")
pos(c, "0.0025", "2.5 \\times 10^{-3}", "2.5e-3", "2.5E-03")
neg(c, "0.0025", "2.5 \\times 10^{-2}", "2.5e-4")
pos(c, "6.02 \\times 10^{23}", "6.02e23", "602 \\times 10^{21}")
neg(c, "6.02 \\times 10^{23}", "6.02 \\times 10^{22}")

# Sets, intervals, unions, membership.
c = "sets_intervals"
pos(c, "(1,2]", "(1, 2]", "x \\in (1,2]", "\\left(1,2\\right]", "1 < x \\le 2")
neg(c, "(1,2]", "[1,2)", "(1,2)", "[1,2]", "1 \\le x < 2")
pos(c, "(-\\infty,3)\\cup(5,\\infty)", "(5,\\infty)\\cup(-\\infty,3)", "x<3 \\text{ or } x>5",
    "(-\\infty, 3) \\cup (5, +\\infty)")
neg(c, "(-\\infty,3)\\cup(5,\\infty)", "(-\\infty,3]\\cup[5,\\infty)", "(3,5)")
pos(c, "\\{1,2,3\\}", "\\{3,2,1\\}", "\\{1, 2, 3\\}", "1, 2, 3", "\\left\\{1,2,3\\right\\}")
neg(c, "\\{1,2,3\\}", "\\{1,2\\}", "\\{1,2,3,4\\}")
pos(c, "[0,1]", "x \\in [0, 1]", "0 \\le x \\le 1", "[0, 1]")
neg(c, "[0,1]", "x \\in (0, 1)", "0 < x \\le 1")

# Plus-minus.
c = "plus_minus"
pos(c, "\\pm 2", "2, -2", "-2, 2", "x = \\pm 2", "x=2 \\text{ or } x=-2")
neg(c, "\\pm 2", "2", "-2", "4")
pos(c, "1\\pm\\sqrt{3}", "1+\\sqrt3, 1-\\sqrt3", "1-\\sqrt{3}, 1+\\sqrt{3}")
neg(c, "1\\pm\\sqrt{3}", "1+\\sqrt3", "\\sqrt3 \\pm 1")

# Multiple-choice letters.
c = "choice"
pos(c, "B", "(B)", "\\textbf{(B)}", "\\text{(B)}", "\\textbf{(B) }5", "\\mathrm{(B)}", "B)")
neg(c, "B", "(C)", "\\textbf{(D)}", "\\textbf{(A) }5")
pos(c, "C", "The correct option is (C).", "Answer: C", "The answer is (C).", "The answer is C.")
neg(c, "C", "The correct option is (B).", "Answer: D", "The answer is (A).")

# Equations against values.
c = "equations"
pos(c, "2x+1", "y = 2x+1", "f(x) = 2x+1", "y=1+2x")
neg(c, "2x+1", "y = 2x+2", "y = 2x-1")
pos(c, "y = 2x+1", "y = 1 + 2x", "2x - y + 1 = 0", "y - 1 = 2x")
neg(c, "y = 2x+1", "y = 2x+3", "x = 2y+1")
pos(c, "5", "x = 5", "x=5", "n = 5")
neg(c, "5", "x = 6", "x + 5 = 10")

# Matrices and vectors.
c = "matrices"
pos(c, "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}",
    "\\left[\\begin{matrix}1&2\\\\3&4\\end{matrix}\\right]", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}")
neg(c, "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}",
    "\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}")
pos(c, "\\begin{pmatrix}1\\\\-2\\end{pmatrix}", "(1,-2)", "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}",
    "\\begin{bmatrix}1\\\\-2\\end{bmatrix}")
neg(c, "\\begin{pmatrix}1\\\\-2\\end{pmatrix}", "(-2,1)", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")
pos(c, "\\begin{pmatrix}\\frac12&0\\\\0&\\frac12\\end{pmatrix}", "\\begin{pmatrix}0.5&0\\\\0&0.5\\end{pmatrix}")

# Complex numbers.
c = "complex"
pos(c, "3+4i", "4i+3", "3 + 4 i", "(3+4i)", "3+4\\mathrm{i}", "i \\cdot 4 + 3")
neg(c, "3+4i", "3-4i", "4+3i", "7i")
pos(c, "\\frac{1+i}{2}", "0.5+0.5i", "\\frac12+\\frac{i}{2}", "\\frac{1}{2}+\\frac{1}{2}i")
neg(c, "\\frac{1+i}{2}", "\\frac{1-i}{2}", "1+i")
pos(c, "-1", "i^2", "e^{i\\pi}")
neg(c, "-1", "i^4", "i")

# Radicals.
c = "radicals"
pos(c, "2\\sqrt{3}", "\\sqrt{12}", "\\sqrt{3}\\cdot 2", "2 \\sqrt 3", "2\\sqrt3")
neg(c, "2\\sqrt{3}", "3\\sqrt{2}", "\\sqrt{6}", "2\\sqrt[3]{3}")
pos(c, "2\\sqrt[3]{2}", "\\sqrt[3]{16}", "16^{1/3}")
neg(c, "2\\sqrt[3]{2}", "\\sqrt{8}", "\\sqrt[3]{8}")
pos(c, "\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", "\\sqrt{2}/2", "\\frac{\\sqrt2}{2}", "0.7071")
neg(c, "\\frac{\\sqrt{2}}{2}", "\\frac{1}{2}", "\\sqrt{2}", "0.7")

# Logarithms.
c = "logs"
pos(c, "3", "\\log_2 8", "\\log_{2}{8}", "\\ln(e^3)", "\\log_{10} 1000", "\\log 1000")
neg(c, "3", "\\log_3 8", "\\ln 3")
pos(c, "\\log_3 5", "\\frac{\\ln 5}{\\ln 3}", "\\frac{\\log 5}{\\log 3}")
neg(c, "\\log_3 5", "\\log_5 3", "\\frac{5}{3}")

# Trigonometry in degrees and radians.
c = "trig"
pos(c, "\\frac{1}{2}", "\\sin 30^\\circ", "\\cos(60^{\\circ})", "\\sin\\frac{\\pi}{6}")
neg(c, "\\frac{1}{2}", "\\sin 30", "\\cos 30^\\circ")
pos(c, "1", "\\tan 45^\\circ", "\\sin^2 x + \\cos^2 x", "\\sec^2 x - \\tan^2 x")
neg(c, "1", "\\tan 45", "\\sin^2 x - \\cos^2 x")

# Infinity and the empty set.
c = "infinity_empty"
pos(c, "\\infty", "\\infty", "+\\infty", "\\text{infinity}")
neg(c, "\\infty", "-\\infty", "0")
pos(c, "(-\\infty,\\infty)", "\\mathbb{R}", "\\text{all real numbers}", "(-\\infty, +\\infty)")
neg(c, "(-\\infty,\\infty)", "(0,\\infty)", "\\emptyset")
pos(c, "\\emptyset", "\\varnothing", "\\{\\}", "\\text{no solution}", "\\text{no solutions}")
neg(c, "\\emptyset", "\\{0\\}", "0")

# Thousands separators and currency.
c = "thousands_currency"
pos(c, "1000000", "1,000,000", "1{,}000{,}000", "1\\,000\\,000", "\\$1,000,000")
neg(c, "1000000", "100,000", "1,000", "10,000,000")
pos(c, "1234", "1,234", "1{,}234", "\\$1,234", "\\$1,234.00", "1234.0")
neg(c, "1234", "1.234", "12,34", "\\$123.40")
pos(c, "5", "\\$5", "\\$5.00", "5 \\text{ dollars}")
neg(c, "5", "\\$50", "\\$0.50", "\\$5.50")

# Ordered vs unordered answers.
c = "order"
pos(c, "(1,2)", "(1, 2)", "(1.0, 2)")
neg(c, "(1,2)", "(2,1)", "(1,2,3)", "\\{1,2\\}")
pos(c, "1, 2", "2, 1", "x=1, x=2", "x = 2 \\text{ or } x = 1", "\\{2, 1\\}")
neg(c, "1, 2", "1", "1, 2, 3", "1, -2")
pos(c, "(2,3)", "(x,y) = (2,3)", "x=2, y=3")
neg(c, "(2,3)", "(x,y) = (3,2)", "x=3, y=2")

# Answer formats of model output.
c = "formats"
pos(c, "72", "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72",
    "She has 72 clips.\n#### 72\n", "#### 72", "The answer is: 72", "Final Answer: The final answer is $72$. I hope it is correct.",
    "Final Answer: The final answer is 72. I hope it is correct.")
neg(c, "72", "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 24",
    "#### 27", "The answer is: 48", "Final Answer: The final answer is $24$. I hope it is correct.")
pos(c, "1234", "After the sale there are 1,234 items.\n#### 1,234", "#### 1234.00")
neg(c, "1234", "#### 1,243")
pos(c, "\\frac{3}{4}", "Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "The answer is: \\frac{3}{4}",
    "Therefore, the final answer is: $\\boxed{\\frac{3}{4}}$. I hope it is correct.")
neg(c, "\\frac{3}{4}", "Final Answer: The final answer is $\\frac{4}{3}$. I hope it is correct.", "The answer is: \\frac{3}{8}")
pos(c, "7", "<think>\nIs it 12? We have 3 + 4 = 7, and 12 is wrong.\n</think>\nThe answer is $\\boxed{7}$.",
    "<think>Let me try 5 first. 5 fails.</think>\n\n**Answer:** 7", "<think>maybe 9</think>The result is 7.")
neg(c, "7", "<think>\nIs it 7? We have 3 + 4 = 7, but 12 is what they ask.\n</think>\nThe answer is $\\boxed{12}$.",
    "<think>7 is tempting</think>\n\n**Answer:** 9")
pos(c, "42", "\\(42\\)", "\\[42\\]", "$42$", "$$42$$", "**42**", "The answer is **42**.", "ANSWER: 42", "Answer: $42$")
neg(c, "42", "\\(24\\)", "**24**", "ANSWER: 4")

# Other languages: the final value of the text.
c = "languages"
pos(c, "12", "したがって、答えは 12 です。", "따라서 답은 12입니다.", "Ответ: 12.", "Die Antwort lautet 12.",
    "Por lo tanto, la respuesta es 12.", "ดังนั้นคำตอบคือ 12", "অতএব উত্তর ১২।", "Таким образом, получаем 12 яблок.",
    "Quindi la risposta è 12.", "Vậy đáp án là 12.", "Bu nedenle cevap 12'dir.")
neg(c, "12", "したがって、答えは 21 です。", "따라서 답은 2입니다.", "Ответ: 13.", "অতএব উত্তর ২১।",
    "Por lo tanto, la respuesta es 1,2.")
pos(c, "3.5", "La respuesta es 3,5.", "Die Antwort ist 3,5.", "Ответ: 3,5.", "La réponse est 3,50 €.")
neg(c, "3.5", "La respuesta es 3,05.", "Ответ: 35.")

# Word answers inside sentences.
c = "words"
pos(c, "\\text{Monday}", "It will be Monday.", "The day of the week is Monday.", "So the meeting falls on a Monday.",
    "Monday")
neg(c, "\\text{Monday}", "It will be Tuesday.", "The day of the week is Sunday.", "It is not Monday.")
pos(c, "\\text{yes}", "Yes", "yes.", "The answer is yes.", "Yes, it is possible.")
neg(c, "\\text{yes}", "No", "no.", "The answer is no.", "No, it is not possible.")
pos(c, "\\text{rhombus}", "Therefore, the quadrilateral is a rhombus.", "The shape is a rhombus.", "rhombus")
neg(c, "\\text{rhombus}", "Therefore, the quadrilateral is a square.", "The shape is a kite.")
pos(c, "\\text{odd}", "The function is odd.", "Hence $f$ is odd.", "odd")
neg(c, "\\text{odd}", "The function is even.", "Hence $f$ is neither.", "even")

# A clause that justifies the answer holds numbers that are not the answer.
c = "justification"
pos(c, "2", "x = 2 is the only solution, because 3 fails.", "So 2 is the only solution since 3 and 4 fail.",
    "The answer is 2, not 3.", "The remainder is 2 when 17 is divided by 5.", "She has 2 left after eating 3.",
    "Since 3 fails, x = 2 is the only solution.", "When 17 is divided by 5, the remainder is 2.")
neg(c, "3", "x = 2 is the only solution, because 3 fails.", "So 2 is the only solution since 3 and 4 fail.",
    "The answer is 2, not 3.", "She has 2 left after eating 3.", "Since 3 fails, x = 2 is the only solution.")
neg(c, "5", "The remainder is 2 when 17 is divided by 5.", "When 17 is divided by 5, the remainder is 2.")
pos(c, "18", "Thus 20 is too large, so the answer is 18.", "It takes 18 minutes, as each of the 6 laps takes 3 minutes.")
neg(c, "3", "It takes 18 minutes, as each of the 6 laps takes 3 minutes.")
neg(c, "20", "Thus 20 is too large, so the answer is 18.")

# Decimal commas in bare answers; lists keep their meaning.
c = "decimal_comma"
pos(c, "0.5", "0,5", "$0,5$")
neg(c, "0.5", "0,05", "5")
pos(c, "0, 5", "0,5", "5, 0", "x = 0 \\text{ or } x = 5")
neg(c, "0, 5", "0.5, 1", "0")
pos(c, "1, 2", "1,2")
neg(c, "1.2", "1, 2")

# Polynomial identities of high degree: exact, not a bound.
c = "polynomials"
pos(c, "x^{10000}+x", "x+x^{10000}")
pos(c, "x^{20000}-1", "x^{20000}-1+0")
pos(c, "x^{3000}-1", "(x^{1500}-1)(x^{1500}+1)")
pos(c, "\\frac{x^{5000}-1}{x-1}", "\\frac{x^{5000}-1}{x-1}+0")
pos(c, "(x+1)^{2500}", "(1+x)^{2500}")
neg(c, "x^{10000}+x", "x^{10001}+x")
neg(c, "x^{3000}-1", "x^{3000}+1")
neg(c, "x^{20000}-1", "x^{20000}-2")
neg(c, "(x+1)^{2500}", "(x+1)^{2501}")
neg(c, "x^{100000}", "x^{1120000}+x^{200}")

# Combinations of names that the question asks for: `m + n = 41` is 41 (AIME-style "find m + n").
c = "named_sums"
pos(c, "41", "m + n = 41", "Therefore, $m+n = 41$.", "So $a+b+c = 41$.", "$p - q = 41$")
neg(c, "41", "m + n = 14", "Therefore, $m+n = 40$.", "$m^2 + n^2 = 41$", "$m + 2 = 41$")

# Parenthesized matrices, arrays and trailing row breaks (Qwen2.5-Math's grader normalizes these).
c = "matrices"
pos(c, "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{pmatrix}",
    "(\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix})",
    "\\begin{array}{cc}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{array}",
    "\\begin{bmatrix}-1.75&-2\\\\4&0.25\\end{bmatrix}")
neg(c, "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{pmatrix}",
    "(\\begin{pmatrix}\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix})",
    "\\begin{array}{cc}-\\frac{7}{4}&-2\\\\4&\\frac{1}{5}\\end{array}")

# Symbolic forms (random points and identities).
c = "symbolic"
pos(c, "\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}", "\\frac{1}{7}(x+2)")
neg(c, "\\frac{x+2}{7}", "\\frac{x}{7}+2", "\\frac{x+2}{8}")
pos(c, "\\tan^2(y)+1", "\\sec^2(y)", "\\frac{1}{\\cos^2 y}")
neg(c, "\\tan^2(y)+1", "\\sec(y)", "\\csc^2(y)")
pos(c, "(x+1)^2", "x^2+2x+1", "x^2+1+2x")
neg(c, "(x+1)^2", "x^2+1", "x^2+2x-1")
pos(c, "2\\pi r", "2r\\pi", "\\pi r \\cdot 2")
neg(c, "2\\pi r", "\\pi r^2", "2r")
pos(c, "\\frac{1}{3x^{2/3}}", "\\frac{1}{3\\sqrt[3]{x}^2}", "\\frac{1}{3\\sqrt[3]{x^2}}")
neg(c, "\\frac{1}{3x^{2/3}}", "\\frac{1}{3x^{3/2}}")

# Long decimals and stated fractions (Qwen2.5-Math's `0.0833333333333333` vs `\frac{1}{12}`).
c = "decimals"
pos(c, "\\frac{1}{12}", "0.0833333333333333", "0.08333333333")
neg(c, "\\frac{1}{12}", "0.08", "0.0834", "0.084")
pos(c, "\\frac{1}{12}", "0.0833")
neg(c, "(1,4.5)", "(\\frac{1}{2},\\frac{9}{2})")
pos(c, "(0.5,4.5)", "(\\frac{1}{2},\\frac{9}{2})")
pos(c, "-0.5", "-\\frac{1}{2}", "\\frac{-1}{2}", "-.5", "-\\dfrac12")
neg(c, "-0.5", "\\frac{1}{2}", "-5")

# Answer prefixes of multilingual benchmarks (MGSM's "Answer:" in each language).
c = "languages"
pos(c, "18", "Respuesta: 18", "Réponse : 18", "Antwort: 18", "Ответ: 18", "答案：18", "答え：18", "উত্তর: ১৮",
    "జవాబు: 18", "คำตอบ: 18", "Jibu: 18", "Resposta: 18")
neg(c, "18", "Respuesta: 81", "Jibu: 8", "答案：19", "Antwort: 1,8")

# Choice letters in Chinese and English prose (OpenCompass-style option answers).
c = "choice"
pos(c, "B", "所以答案是B。", "故选B", "答案为 B", "The correct answer is option B.", "The answer is $\\boxed{B}$.",
    "Answer: (B)", "\\boxed{\\text{(B)}}")
neg(c, "B", "所以答案是C。", "故选D", "The correct answer is option A.", "The answer is $\\boxed{C}$.")

# Lists written with words.
c = "order"
pos(c, "5, 7", "5 \\text{ and } 7", "7 \\text{ and } 5", "5 and 7", "x = 5 \\text{ or } x = 7")
neg(c, "5, 7", "5 \\text{ and } 8", "5", "57")

# Number words and the engineers' imaginary unit.
c = "words_numbers"
pos(c, "22", "twenty-two", "twenty two", "Twenty-two.")
neg(c, "22", "twenty", "two", "twenty-three")
pos(c, "105", "one hundred five", "one hundred and five")
neg(c, "105", "one hundred fifty")
pos(c, "1-2i", "1-2j", "1 - 2 j")
neg(c, "1-2i", "1+2j", "1-2")
pos(c, "3", "Answer: 3 (since 2 fails)", "The answer is 3, because 2 fails.")
neg(c, "2", "Answer: 3 (since 2 fails)", "The answer is 3, because 2 fails.")

# Several math spans that state values of one name; repeated or restated boxes.
c = "multi_span"
pos(c, "-2, 2", "The solutions are $x=2$ and $x=-2$.", "The answer is $2$ or $-2$.", "So $x = -2$, $x = 2$.")
neg(c, "-2, 2", "The solutions are $x=2$ and $y=-2$.", "The answer is $2$. Check: $-2$.", "So $x = -2$.")
neg(c, "2", "The solutions are $x=2$ and $x=-2$.")
pos(c, "3", "\\boxed{3}\\boxed{3}", "\\boxed{3} \\text{ or } \\boxed{3.0}")
pos(c, "\\frac{1}{2}", "\\boxed{\\frac{1}{2}} \\text{ or } \\boxed{0.5}", "$\\frac12$ or $0.5$")
neg(c, "\\frac{1}{2}", "\\boxed{\\frac{1}{2}} \\text{ or } \\boxed{0.6}", "$\\frac12$ or $2$")

# Inverse functions and other named function values.
c = "equations"
pos(c, "\\frac{x-3}{2}", "f^{-1}(x) = \\frac{x-3}{2}", "g^{-1}(x)=\\frac{x}{2}-\\frac{3}{2}")
neg(c, "\\frac{x-3}{2}", "f^{-1}(x) = \\frac{x+3}{2}", "f^{-1}(x) = 2x+3")

# Currency signs other than the dollar; temperature scales after a degree sign.
c = "thousands_currency"
pos(c, "5", "€5", "5€", "£5", "₹5", "The price is €5.", "Le prix est de 5,00 €.")
neg(c, "5", "€50", "Le prix est de 5,50 €.")
c = "degrees"
pos(c, "25", "25^\\circ C", "25 °C", "25^{\\circ}F", "25°C")
neg(c, "25", "52^\\circ C", "2.5^\\circ C")

# Set-builder notation.
c = "sets_intervals"
pos(c, "(2,\\infty)", "\\{x \\mid x > 2\\}", "\\{x : x > 2\\}", "\\left\\{x \\mid x>2\\right\\}")
neg(c, "(2,\\infty)", "\\{x \\mid x \\ge 2\\}", "\\{x : x < 2\\}")

# Full-width letters and brackets; more answer prefixes.
c = "choice"
pos(c, "B", "答案：（Ｂ）", "答案：Ｂ", "Answer: $B$", "Jawaban: B")
neg(c, "B", "答案：（Ｃ）", "Jawaban: C")
c = "languages"
pos(c, "18", "जवाब: 18", "Jawaban: 18", "Відповідь: 18", "Odpowiedź: 18")
neg(c, "18", "जवाब: 17", "Jawaban: 8")

if __name__ == "__main__":
    for case in cases:
        print(json.dumps(case, ensure_ascii=False))
