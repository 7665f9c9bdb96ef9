"""The three teacher prompts: values, plan, program (each shows one worked example)."""

from __future__ import annotations

from typing import Any, Sequence

from cogex.data.alpaca import AlpacaItem
from cogex.data.convert.limits import MAX_PLAN_STEPS

_PREAMBLE = "You are helping to turn a task into a short Python program that solves it."

_VALUES_PROMPT = """{preamble} First, write the task's input and output as clean Python values.

Rules:
- Use a list for several items, a dict for named parts, a number for a number, and a clean string for text (no labels such as "Input:", no bullets, no extra quotes).
- If the task has no input, use what the instruction is about (for example a topic string), or None when there is nothing.
- Keep the content of the output; change only its form.
- Reply with exactly two lines and nothing else:
INPUT = <Python literal>
OUTPUT = <Python literal>

Example
Instruction: Sort the numbers from smallest to largest.
Input: 5, 2, 9
Output: 2, 5, 9
Reply:
INPUT = [5, 2, 9]
OUTPUT = [2, 5, 9]

Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Reply:
"""

_PLAN_PROMPT = """{preamble} Write a high-level plan for solving tasks like the one below.

Rules:
- At most {max_steps} numbered steps, one short sentence each.
- The steps must be general: they must work for any new input of the same kind, so do not mention the values of this example.
- Reply with the numbered list only.

Example
{example}Reply:
{example_plan}
Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Reply:
"""

_PROGRAM_PROMPT = """{preamble} Write one Python function that carries out the plan, then a call of it and the dict it returns.

Rules:
- Give the function a descriptive name and a one-line docstring; its parameters take the input values.
- Before the code of each plan step, write the comment "# Step N: <the step>".
- You may call helper functions that are not defined when their names say what they do (for example extract_keywords(text)); do not define them.
- Do not hard-code this example's input or output in the function: it must work for new inputs of the same kind.
- Return a dict with the intermediate values and the final result under the key 'answer'.
- After the function, write one line ">>> function_name(<the input values>)" and on the next line the dict the call returns, as a Python literal. Its 'answer' must be the output given below.

Example
{example}Plan:
{example_plan}Reply:
def classify_sentiment(review):
    \"\"\"Classify the sentiment of a review as positive or negative.\"\"\"
    # Step 1: Find the words in the review that express an opinion.
    opinion_words = extract_opinion_words(review)
    # Step 2: Decide whether each opinion word is positive or negative.
    polarities = [word_polarity(word) for word in opinion_words]
    # Step 3: Choose the label that most opinion words agree with.
    positive = polarities.count('positive')
    answer = 'positive' if positive > len(polarities) - positive else 'negative'
    return {{'opinion_words': opinion_words, 'polarities': polarities, 'answer': answer}}
>>> classify_sentiment('The food was cold and the staff were rude.')
{{'opinion_words': ['cold', 'rude'], 'polarities': ['negative', 'negative'], 'answer': 'negative'}}

Now the task
Instruction: {instruction}
Input: {input}
Output: {output}
Plan:
{plan}
Reply:
"""


#: The worked example the plan and program prompts share (the same task, so the program
#: prompt's reply carries out the plan prompt's reply).
_SHARED = {
    "preamble": _PREAMBLE,
    "example": """Instruction: Classify the sentiment of the review as positive or negative.
Input: 'The food was cold and the staff were rude.'
Output: 'negative'
""",
    "example_plan": """1. Find the words in the review that express an opinion.
2. Decide whether each opinion word is positive or negative.
3. Choose the label that most opinion words agree with.
""",
}


def _show_text(text: str) -> str:
    return text.strip() or "(none)"


def _show_value(value: Any) -> str:
    return "(none)" if value is None else repr(value)


def values_prompt(item: AlpacaItem) -> str:
    """Stage 1: ask for the input and output as Python literals."""
    return _VALUES_PROMPT.format(
        preamble=_PREAMBLE, instruction=item.instruction.strip(), input=_show_text(item.input), output=_show_text(item.output)
    )


def plan_prompt(item: AlpacaItem, input_value: Any, output_value: Any) -> str:
    """Stage 2: ask for a general plan of at most 3 steps."""
    return _PLAN_PROMPT.format(
        **_SHARED,
        max_steps=MAX_PLAN_STEPS,
        instruction=item.instruction.strip(),
        input=_show_value(input_value),
        output=_show_value(output_value),
    )


def program_prompt(item: AlpacaItem, input_value: Any, output_value: Any, steps: Sequence[str]) -> str:
    """Stage 3: ask for the program, the call and the output dict."""
    return _PROGRAM_PROMPT.format(
        **_SHARED,
        instruction=item.instruction.strip(),
        input=_show_value(input_value),
        output=_show_value(output_value),
        plan="\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)),
    )
