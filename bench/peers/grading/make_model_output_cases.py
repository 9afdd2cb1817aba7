#!/usr/bin/env python3
"""Writes Tests/GradingTests/Fixtures/model_output_cases.jsonl: gold/pred/expected cases of the kinds that real
model output shows (session 10, read from SmolLM2-135M-Instruct's answers to GSM8K and MATH500 problems, sampled
with `e2h sample` and llama.cpp's server: bench/peers/grading/sample_llama_server.py). Every text is written here
in our own words; no model output is copied.

Kinds: outputs cut at the token limit (mid-sentence, mid-formula, an open bracket, "The answer is:" with nothing
after it), a reasoning block that never closes, dollar amounts written with `$` (not math delimiters), the answer
on the line after "The final answer is:", `<answer>` tags, number words in prose, step lists and markdown
headers, chat end markers, multiple choice in prose, and set intersections (`\\cap`).

The negatives are what a sloppy rule accepts: the last number of a truncated text that happens to be the gold
answer, a number inside an unfinished reasoning block, the amount inside a currency "span".

Usage: python3 bench/peers/grading/make_model_output_cases.py > Tests/GradingTests/Fixtures/model_output_cases.jsonl
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


# Outputs cut at the token limit: the last number of the text is not an answer the model gave.
c = "truncated"
lead = ("To solve this problem, we first work out how many apples are left after the market, and then we find "
        "how much money the farmer makes from selling them.\n\n")
neg(c, "18",
    lead + "Step 1: She collects 16 eggs and uses 3 + 4 = 7 of them, so 16 - 7 = 9 eggs are left.\n"
           "Step 2: Each egg sells for $2, so 9 * 2 = 18 dollars, and then we need to check whether she",
    lead + "Step 1: 16 - 3 - 4 = 9 eggs remain.\nStep 2: She earns 9 x 2 = 18 dollars per day.\nStep 3: Now we",
    lead + "First, 16 - 3 - 4 = 9. Then the money is 9 * 2 = 18, which we compare with the price of the (18",
    lead + "The eggs left are 9, and the price is 2 per egg, so she makes 9 * 2 = 18 dollars. The answer is:",
    lead + "The eggs left are 9, and the price is 2 per egg, so she makes 9 * 2 = 18 dollars.\n\n**Final Answer:**",
    lead + "The eggs left are 9, and 9 * 2 = 18. So the total is 18 +",
    lead + "The eggs left are 9, and $9 \\times 2 = 18$. Then we add the cost of the feed, $18 + 4 =",
    lead + "She sells 9 eggs for 2 dollars each: 9 * 2 = 18 dollars of income, which is less than the 18 bolts of",
    lead + "1. 16 - 3 = 13\n2. 13 - 4 = 9\n3. 9 * 2 = 18\n4. The total daily earnings are computed by multiplying",
    lead + "We compute $9 \\cdot 2 = 18$ and write the result as $\\frac{18}{1} = \\")
pos(c, "18",
    lead + "Step 1: She collects 16 eggs and uses 3 + 4 = 7 of them, so 16 - 7 = 9 eggs are left.\n"
           "Step 2: Each egg sells for $2, so she makes 9 * 2 = 18 dollars.",
    lead + "Step 1: 16 - 3 - 4 = 9 eggs remain.\nStep 2: She earns 9 x 2 = 18 dollars per day.",
    lead + "The eggs left are 9, and the price is 2 per egg, so she makes 9 * 2 = 18 dollars. The answer is:\n\n18",
    lead + "The eggs left are 9, and the price is 2 per egg, so she makes 9 * 2 = 18 dollars.\n\n**Final Answer:**\n18",
    lead + "The eggs left are 9, and 9 * 2 = 18. So the total is 18",
    lead + "The eggs left are 9 and she makes 18 dollars",
    lead + "1. 16 - 3 = 13\n2. 13 - 4 = 9\n3. 9 * 2 = 18",
    lead + "We compute $9 \\cdot 2 = 18$.",
    lead + "She makes $\\boxed{18}$ dollars every day. To double-check, we can count the eggs again: 16 - 3 - 4")
long_math = ("We use the formula for the sum of an arithmetic series. The first term is 3, the common difference is 4 "
             "and there are 10 terms, so the last term is 3 + 9 \\cdot 4 = 39.\n\n")
neg(c, "210",
    long_math + "The sum is $\\frac{10(3 + 39)}{2} = 210$. To verify, we can also add the terms in pairs: (3 + 39) + (7 + 35",
    long_math + "The sum is $\\frac{10(3 + 39)}{2} = 210$, and we check it with the formula $S = \\frac{n}{2}(2a + (n-1)d) =",
    long_math + "So the sum is 210, which we can also get by writing $S = 5 \\cdot 42 = 210$ and then the")
pos(c, "210",
    long_math + "The sum is $\\frac{10(3 + 39)}{2} = 210$. To verify, we can also add the terms in pairs: (3 + 39) + (7 + 35) = 84.\n\n"
                "The answer is $210$.",
    long_math + "So the sum is 210, which we can also get by writing $S = 5 \\cdot 42 = 210$.")

# A reasoning block that never closes: the model stopped while thinking.
c = "think_unclosed"
neg(c, "5",
    "<think>\nThe equation is 2x + 3 = 13, so 2x = 10 and x = 5. Let me double check: 2 * 5 + 3 = 13. Yes, x = 5. "
    "So the answer is \\boxed{5}. Wait, I should also check",
    "<think>Let me compute. 3 + 2 = 5. The answer is 5.",
    "<think>\nFirst, 10 / 2 = 5.\nSo x = 5.\n")
pos(c, "5",
    "<think>\nThe equation is 2x + 3 = 13, so 2x = 10 and x = 5.\n</think>\n\nSolving $2x + 3 = 13$ gives $x = \\boxed{5}$.",
    "<think>Let me compute. 3 + 2 = 5.</think>The answer is 5.",
    "<think>\nFirst, 10 / 2 = 5. Hmm, maybe 6? No, 5.\n</think>\n5")
neg(c, "6", "<think>\nFirst, 10 / 2 = 5. Hmm, maybe 6? No, 5.\n</think>\n5")

# Dollar amounts written with `$`: not math delimiters.
c = "currency_dollars"
pos(c, "2280",
    "The subscription costs $140 per month for the first half of the year, so she pays $140 * 6 = $840. "
    "For the second half the price is $240 per month, so she pays $240 * 6 = $1440. In total she pays "
    "$840 + $1440 = $2280.",
    "She pays $140 * 6 = $840 and then $240 * 6 = $1440, so the total is $2280 for the year.",
    "First half: $140 \\times 6 = 840$. Second half: $240 \\times 6 = 1440$. Total: $840 + 1440 = 2280$ dollars.",
    "She pays $840 + $1,440 = $2,280 in total.")
neg(c, "2280",
    "She pays $140 * 6 = $840 and then $240 * 6 = $1440, so the total is $2380 for the year.",
    "The subscription costs $140 per month for the first half of the year, so she pays $140 * 6 = $840. "
    "In total she pays $840 + $1440 = $2280 minus the refund of $100, which leaves $2180.",
    "She pays $840 + $1,440 = $2,208 in total.")
pos(c, "18", "Janet has 9 eggs left. She sells each for $2, so she makes 9 x $2 = $18 every day.",
    "She makes $18 every day at the farmers' market.")
neg(c, "18", "Janet has 9 eggs left. She sells each for $2, so she makes 9 x $2 = $16 every day.",
    "She makes $2 per egg, so she makes $9 every day.")

# The answer on the line after the phrase, and in answer tags.
c = "answer_line"
pos(c, "\\frac{3}{4}", "We simplify the fraction by dividing by 3.\n\nThe final answer is:\n\n$\\frac{3}{4}$",
    "Dividing numerator and denominator by 3 gives the result.\n\n**Answer:**\n\\(\\frac34\\)",
    "Simplify: 9/12 = 3/4.\n\nFinal Answer:\n0.75")
neg(c, "\\frac{3}{4}", "We simplify the fraction by dividing by 3.\n\nThe final answer is:\n\n$\\frac{4}{3}$",
    "Simplify: 9/12 = 3/4 is wrong, it is 9/12 = 1/2.\n\nFinal Answer:\n1/2")
c = "answer_tag"
pos(c, "42", "<think>6 times 7 is 42.</think>\n<answer>42</answer>", "<answer>\n42\n</answer>",
    "Reasoning: 6 * 7 = 42, minus 0.\n<answer>The answer is 42.</answer>", "<answer> $\\boxed{42}$ </answer>",
    "6 * 7 = 40 + 2.\n<answer>42")
neg(c, "42", "<think>6 times 7 is 42.</think>\n<answer>48</answer>", "We have 6 * 7 = 42.\n<answer>41</answer>",
    "<answer>\n24\n</answer> 42")

# Number words in prose.
c = "number_words_prose"
pos(c, "25", "She has twenty-five apples left.", "After the trade, the class owns twenty five books in all.",
    "There are twenty-five.")
neg(c, "25", "She has twenty-four apples left.", "She has twenty apples and five pears.")
pos(c, "300", "The school bought three hundred chairs.", "In total there are three hundred tickets sold.")
neg(c, "300", "The school bought three hundred and five chairs.", "The school bought thirty chairs.")
pos(c, "105", "The answer is one hundred and five.", "There were one hundred five visitors.")
pos(c, "7", "Seven of the marbles are blue.", "So the number of blue marbles is seven.")
neg(c, "1", "Only one of them is blue, and it is the largest.")
pos(c, "12", "Each box has 3 rows of 4, so it holds 12 eggs; one box is enough.")

# Step lists and markdown headers, as chat models format solutions.
c = "markdown_steps"
pos(c, "9",
    "## Step 1: Find the eggs used\nShe uses 3 + 4 = 7 eggs.\n\n## Step 2: Find the eggs left\n16 - 7 = 9\n\n"
    "The final answer is: $\\boxed{9}$",
    "### Solution\n\n1. Eggs laid: 16\n2. Eggs used: 7\n3. Eggs left: **9**\n\n### Final Answer\n**9**",
    "**Step 1:** 16 - 3 = 13\n**Step 2:** 13 - 4 = 9\n\n**Answer:** 9 eggs",
    "- Eggs laid: 16\n- Eggs used: 3 + 4 = 7\n- Eggs left: 16 - 7 = **9**")
neg(c, "9",
    "## Step 1: Find the eggs used\nShe uses 3 + 4 = 7 eggs.\n\n## Step 2: Find the eggs left\n16 - 7 = 9\n\n"
    "## Step 3: Find the money\n9 * 2 = 18\n\nThe final answer is: $\\boxed{18}$",
    "### Solution\n\n1. Eggs laid: 16\n2. Eggs used: 7\n3. Eggs left: **9**\n\n### Final Answer\n**7**",
    "**Step 1:** 16 - 3 = 13\n**Step 2:** 13 - 4 = 9\n**Step 3:** 9 * 2 = 18")

# End-of-turn markers of chat templates after the answer.
c = "chat_markers"
pos(c, "18", "So she makes 18 dollars a day.<|im_end|>", "The answer is 18.</s>", "#### 18<|eot_id|>",
    "Therefore the total is $\\boxed{18}$.<|endoftext|>", "So the answer is 18.\n<|im_end|>\n")
neg(c, "18", "So she makes 16 dollars a day.<|im_end|>", "#### 81<|eot_id|>")

# Multiple choice in prose.
c = "choice_prose"
pos(c, "C", "Comparing the options, only (C) satisfies both conditions, so the answer is (C).",
    "The correct option is C.", "Answer: (C) 12", "The answer is $\\textbf{(C)}$.", "**Answer: C**")
neg(c, "C", "Comparing the options, (C) fails the second condition, so the answer is (B).",
    "The correct option is D.", "Answer: (A) 12")

# Set intersections.
c = "intersection"
pos(c, "[2,3)", "[0,3) \\cap [2,5]", "(-\\infty, 3) \\cap [2, \\infty)", "x \\in [2,5] \\cap [0,3)")
neg(c, "[2,3)", "[0,3) \\cap (2,5]", "[0,3) \\cup [2,5]", "[0,3] \\cap [2,5]")
pos(c, "\\{2,3\\}", "\\{1,2,3\\} \\cap \\{2,3,4\\}")
neg(c, "\\{2,3\\}", "\\{1,2,3\\} \\cap \\{3,4\\}")
pos(c, "\\emptyset", "(0,1) \\cap (2,3)", "[0,1) \\cap [1,2]")
neg(c, "\\emptyset", "[0,1] \\cap [1,2]")
pos(c, "(0,1) \\cup (2,3)", "(0,3) \\cap ((-1,1) \\cup (2,4))", "(0,1) \\cup (0,3) \\cap (2,4)")

if __name__ == "__main__":
    for case in cases:
        print(json.dumps(case, ensure_ascii=False))
