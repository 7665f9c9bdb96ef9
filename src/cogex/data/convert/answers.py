"""Does a program's answer match the Alpaca output? Answers are rendered by the tasks' normaliser
(:mod:`cogex.tasks.normalize`), then compared with punctuation removed; numbers as numbers."""

from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from typing import Any, Mapping

from cogex.tasks.normalize import to_text

_EXTRA_PUNCT = set("`´")  # quote-like symbols; other symbols (+ = < > ^) stay


def normalise_answer(text: Any) -> str:
    """Lowercase, NFKC, punctuation and quotes replaced by spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _to_text(text)).lower()
    chars = [" " if unicodedata.category(c).startswith("P") or c in _EXTRA_PUNCT else c for c in text]
    return " ".join("".join(chars).split())


def _to_text(value: Any) -> str:
    """A value's plain text, rendered as the tasks render answers (:func:`cogex.tasks.normalize.to_text`:
    containers joined with spaces, numbers canonical, a dict's ``answer`` unwrapped)."""
    return to_text(value)


_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$", re.IGNORECASE)


def parse_number(value: Any) -> float | None:
    """A number from an int/float or a numeric string (``1,000``, ``$5``, ``12%``, ``3/4``, ``42.``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Fraction)):
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    if not isinstance(value, str) or len(value) > 100:
        return None
    text = value.strip().rstrip(".").strip()
    text = re.sub(r"^[$€£¥]\s*", "", text)
    text = re.sub(r"^([-+])\s*[$€£¥]\s*", r"\1", text)
    text = re.sub(r"\s*%$", "", text)
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        number = float(text)
        return number if math.isfinite(number) else None
    match = re.fullmatch(r"([-+]?\d+)\s*/\s*(\d+)", text)
    if match and int(match.group(2)) != 0:
        return int(match.group(1)) / int(match.group(2))
    return None


def _answer_forms(answer: Any) -> list[str]:
    """The string forms an answer may legitimately take in the Alpaca output."""
    forms = [_to_text(answer)]
    if isinstance(answer, bool):
        forms.append("yes" if answer else "no")
    if isinstance(answer, (list, tuple)) and len(answer) >= 2:
        items = [_to_text(v) for v in answer]
        forms.append(", ".join(items[:-1]) + " and " + items[-1])  # "6, 28, 496, and 8128"
    if isinstance(answer, Mapping):
        forms.append(" ".join(f"{_to_text(k)} = {_to_text(v)}" for k, v in answer.items()))  # "x = 3, y = 2"
    if not isinstance(answer, str):
        try:
            forms.append(str(answer))  # the answer's string form, e.g. "{'a': 1}" or "True"
        except Exception:  # noqa: BLE001
            pass
    return forms


def answer_matches(answer: Any, expected: str) -> bool:
    """Does the program's ``'answer'`` match the Alpaca output?

    Both sides are normalised (lowercase, whitespace collapsed, punctuation and quotes
    stripped); numbers are compared numerically; a list answer is joined (with spaces, or as
    an English list with "and"); the answer's string form is also accepted.
    """
    target = normalise_answer(expected)
    expected_number = parse_number(expected)
    if expected_number is not None:
        for candidate in (answer, *(answer if isinstance(answer, (list, tuple)) and len(answer) == 1 else ())):
            number = parse_number(candidate)
            if number is not None:
                return math.isclose(number, expected_number, rel_tol=1e-6, abs_tol=1e-9)
    return any(normalise_answer(form) == target for form in _answer_forms(answer))


def _same_value(a: Any, b: Any) -> bool:
    if a == b:
        return True
    na, nb = parse_number(a), parse_number(b)
    if na is not None and nb is not None:
        return math.isclose(na, nb, rel_tol=1e-6, abs_tol=1e-9)
    return normalise_answer(a) == normalise_answer(b) and normalise_answer(a) != ""
