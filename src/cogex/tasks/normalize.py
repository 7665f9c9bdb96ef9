"""Answer normalisation: turn whatever a model wrote under ``answer`` into a canonical string.

Every public function here is total: it accepts any Python object (``None``, nested
containers, huge ints, dicts, objects with a broken ``__str__`` ...) and returns a string.
It never raises. Scoring is exact match of the normalised prediction against the
normalised gold target (see :meth:`cogex.tasks.Task.is_correct`).
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

__all__ = [
    "clean_text",
    "to_text",
    "format_number",
    "normalize_text",
    "normalize_number",
    "normalize_digits",
    "normalize_label",
    "normalize_letter",
    "normalize_word_list",
    "choices_from_example",
]

_MAX_DEPTH = 8  # nesting depth followed inside containers / dicts
_MAX_LITERAL_CHARS = 20_000  # longest string we try to parse as a Python literal
_MAX_INT_DIGITS = 200_000  # ints longer than this are not written out in full
_DECIMALS = 6  # non-integral numbers are rounded to this many decimals

_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "*": "*", "«": "»"}
_TRAILING_PUNCT = ".!?,;:"
_NEGATIONS = ("not", "isn't", "isnt", "is not", "never", "no longer", "wasn't", "isn’t")


# --------------------------------------------------------------------------------------
# generic helpers
# --------------------------------------------------------------------------------------


def _int_to_str(n: int) -> str:
    """``str(n)`` that survives Python's int-to-str digit limit (and caps absurd sizes)."""
    try:
        return str(n)
    except ValueError:
        pass
    if n.bit_length() > _MAX_INT_DIGITS * 3.33:
        return ("-" if n < 0 else "") + f"<int with ~{int(n.bit_length() * 0.30103)} digits>"
    sign, n = ("-", -n) if n < 0 else ("", n)
    chunk = 10**4000
    parts: list[str] = []
    while n:
        n, r = divmod(n, chunk)
        parts.append(str(r).zfill(4000))
    text = "".join(reversed(parts)).lstrip("0") or "0"
    return sign + text


def _safe_str(obj: Any) -> str:
    try:
        return str(obj)
    except Exception:  # noqa: BLE001 - objects with a broken __str__
        try:
            return repr(obj)
        except Exception:  # noqa: BLE001
            return ""


def clean_text(text: str) -> str:
    """Collapse whitespace, strip surrounding quotes/markdown and trailing punctuation."""
    s = unicodedata.normalize("NFKC", text)
    s = " ".join(s.split())
    while True:
        before = s
        s = s.strip()
        s = s.rstrip(_TRAILING_PUNCT).strip()
        if len(s) >= 2 and s[0] in _QUOTE_PAIRS and s[-1] == _QUOTE_PAIRS[s[0]]:
            s = s[1:-1]
        if s == before:
            return s


def _maybe_literal(text: str) -> Any:
    """Parse ``"['a', 'b']"``-like strings; return the text unchanged when it is not a literal."""
    s = text.strip()
    if 2 <= len(s) <= _MAX_LITERAL_CHARS and s[0] in "[({" and s[-1] in "])}":
        try:
            return ast.literal_eval(s)
        except Exception:  # noqa: BLE001 - SyntaxError, ValueError, RecursionError, MemoryError...
            return text
    return text


def format_number(x: Any) -> str | None:
    """Canonical string for a number: integral values without decimals, others rounded.

    ``51.0 -> "51"``, ``2.50 -> "2.5"``, ``1/3 -> "0.333333"``; ``None`` when *x* is not
    a finite real number.
    """
    try:
        if isinstance(x, bool):
            return None
        if isinstance(x, int):
            return _int_to_str(x)
        if isinstance(x, float):
            if not math.isfinite(x):
                return None
            d = Decimal(repr(x))
        elif isinstance(x, Fraction):
            d = Decimal(x.numerator) / Decimal(x.denominator)
        elif isinstance(x, Decimal):
            if not x.is_finite():
                return None
            d = x
        else:
            return None
        if d.adjusted() > _MAX_INT_DIGITS:
            return _safe_str(d.normalize())
        if d == d.to_integral_value():
            return _int_to_str(int(d))
        q = d.quantize(Decimal(1).scaleb(-_DECIMALS), rounding=ROUND_HALF_EVEN)
        if q == q.to_integral_value():
            return _int_to_str(int(q))
        text = format(q, "f").rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    except Exception:  # noqa: BLE001 - InvalidOperation, OverflowError...
        return None


def to_text(answer: Any, *, bool_words: tuple[str, str] = ("true", "false"), _depth: int = 0) -> str:
    """Render any answer as text (not yet cleaned or lower-cased).

    Containers of one element are unwrapped, longer ones are joined with spaces; a dict with
    an ``answer`` key (or a single key) is unwrapped; sets are rendered in sorted order.
    """
    try:
        if _depth > _MAX_DEPTH or answer is None or answer is Ellipsis:
            return ""
        if isinstance(answer, bool):
            return bool_words[0] if answer else bool_words[1]
        if isinstance(answer, (int, float, Fraction, Decimal)):
            num = format_number(answer)
            return num if num is not None else _safe_str(answer).lower()
        if isinstance(answer, str):
            parsed = _maybe_literal(answer) if _depth < _MAX_DEPTH else answer
            if parsed is not answer and not isinstance(parsed, str):
                return to_text(parsed, bool_words=bool_words, _depth=_depth + 1)
            return answer
        if isinstance(answer, (bytes, bytearray)):
            return bytes(answer[:_MAX_LITERAL_CHARS]).decode("utf-8", errors="replace")
        if isinstance(answer, Mapping):
            for key in ("answer", "Answer", "ANSWER"):
                if key in answer:
                    return to_text(answer[key], bool_words=bool_words, _depth=_depth + 1)
            values = list(answer.values())
            if len(values) == 1:
                return to_text(values[0], bool_words=bool_words, _depth=_depth + 1)
            return " ".join(
                t for t in (to_text(v, bool_words=bool_words, _depth=_depth + 1) for v in values[:50]) if t
            )
        if isinstance(answer, (set, frozenset)):
            items = sorted((to_text(v, bool_words=bool_words, _depth=_depth + 1) for v in list(answer)[:1000]))
            return " ".join(t for t in items if t)
        if isinstance(answer, (list, tuple)):
            if len(answer) == 1:
                return to_text(answer[0], bool_words=bool_words, _depth=_depth + 1)
            parts = (to_text(v, bool_words=bool_words, _depth=_depth + 1) for v in answer[:1000])
            return " ".join(t for t in parts if t)
        if isinstance(answer, complex):
            return _safe_str(answer)
        return _safe_str(answer)
    except Exception:  # noqa: BLE001
        return ""


# --------------------------------------------------------------------------------------
# free text
# --------------------------------------------------------------------------------------


def normalize_text(answer: Any) -> str:
    """Free-text answers: render, clean, lower-case, collapse whitespace."""
    return clean_text(to_text(answer)).lower()


# --------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:usd|eur|dollars?|cents?|rs\.?|rupees?)\b", re.IGNORECASE)
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3})+|(?:_\d{3})+|(?:[ \u00a0\u202f]\d{3})+)(?:\.\d+)?$")
_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.])[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:/\d+)?|\.\d+)(?![\w])"
)
_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "hundred": 100, "thousand": 1000, "a hundred": 100, "one hundred": 100, "a thousand": 1000}


def _parse_number_token(token: str) -> str | None:
    tok = token.replace(",", "").replace("_", "")
    tok = re.sub(r"[ \u00a0\u202f]", "", tok)
    try:
        if "/" in tok:
            num, den = tok.split("/", 1)
            if int(den) == 0:
                return None
            return format_number(Fraction(int(num), int(den)))
        return format_number(Decimal(tok))
    except (InvalidOperation, ValueError, ZeroDivisionError, OverflowError):
        return None


def normalize_number(answer: Any, *, loose_digits: bool = False) -> str:
    """Numeric answers -> canonical number string.

    ``51``, ``51.0``, ``"51.0"``, ``"$51"``, ``"51 dollars"``, ``"The answer is 51."`` ->
    ``"51"``; ``"1,234"`` -> ``"1234"``; ``2.5`` -> ``"2.5"``. In free text the *last* number
    wins. ``loose_digits`` additionally accepts any digit string broken up by spaces, commas
    or underscores (``"1 38 385"`` -> ``"138385"``). Falls back to the cleaned, lower-cased
    text when no number can be found.
    """
    try:
        if isinstance(answer, bool):  # a truth value is not a number
            return "true" if answer else "false"
        direct = format_number(answer)
        if direct is not None:
            return direct
        text = to_text(answer)
        s = clean_text(text)
        if not s:
            return ""
        stripped = _CURRENCY.sub(" ", s)
        stripped = stripped.replace("%", " ")
        stripped = " ".join(stripped.split()).strip().rstrip(_TRAILING_PUNCT)
        if loose_digits and re.fullmatch(r"[+-]?\d[\d ,_\u00a0\u202f]*", stripped):
            return _parse_number_token(re.sub(r"[ ,_\u00a0\u202f]", "", stripped)) or s.lower()
        if _GROUPED.fullmatch(stripped):
            got = _parse_number_token(stripped)
            if got is not None:
                return got
        if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", stripped):
            got = _parse_number_token(stripped)
            if got is not None:
                return got
        matches = _NUMBER_IN_TEXT.findall(stripped[:_MAX_LITERAL_CHARS])
        if matches:
            got = _parse_number_token(matches[-1])
            if got is not None:
                return got
        low = stripped.lower()
        if low in _WORD_NUMBERS:
            return str(_WORD_NUMBERS[low])
        return s.lower()
    except Exception:  # noqa: BLE001
        return ""


def normalize_digits(answer: Any) -> str:
    """Sum answers: an int or a digit string; spaces, commas and underscores are separators."""
    return normalize_number(answer, loose_digits=True)


# --------------------------------------------------------------------------------------
# closed label sets
# --------------------------------------------------------------------------------------


def _boundary_pattern(keys: Sequence[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w'&-])(?:{alternation})(?![\w'&-])")


def _negated(before: str, window: int = 3) -> bool:
    """Is a mention negated: a negation among the last ``window`` words of its clause
    ("not acceptable", "is not grammatically acceptable", "isn't positive")?"""
    clause = re.split(r"[.,;:!?]", before)[-1]
    words = clause.split()[-window:]
    return any(w in _NEGATIONS or w.endswith("n't") for w in words)


def normalize_label(
    answer: Any,
    labels: Sequence[str],
    synonyms: Mapping[str, str] | None = None,
    complements: Mapping[str, str] | None = None,
    *,
    max_words: int = 40,
) -> str:
    """Map an answer onto one of *labels* (returned lower-cased).

    Tried in order: exact label (any case); a synonym (``"pos" -> "positive"``); otherwise, in a
    short free-text answer (<= *max_words* words), the labels/synonyms it mentions. A mention
    preceded by a negation (``"not acceptable"``) counts as its complement when *complements*
    defines one, and is ignored otherwise. If exactly one label is mentioned it is returned.
    Anything else returns the cleaned, lower-cased text (which matches no label).
    Booleans map to yes/no (or true/false) when those are labels.
    """
    try:
        canon = {str(lab).strip().lower(): str(lab).strip().lower() for lab in labels}
        syn = {k.strip().lower(): v.strip().lower() for k, v in (synonyms or {}).items()}
        comp = {k.strip().lower(): v.strip().lower() for k, v in (complements or {}).items()}
        if {"yes", "no"} <= set(canon):
            syn.setdefault("true", "yes")
            syn.setdefault("false", "no")
            comp.setdefault("yes", "no")
            comp.setdefault("no", "yes")
        text = clean_text(to_text(answer)).lower()
        if not text:
            return ""
        if text in canon:
            return canon[text]
        if text in syn and syn[text] in canon:
            return syn[text]
        if len(text.split()) > max_words:
            return text
        # digits and one-letter synonyms ("1", "y") only count as the whole answer, never in free text
        mentionable = {k: v for k, v in syn.items() if v in canon and len(k) > 1 and not k.isdigit()}
        table = {**mentionable, **canon}
        found: set[str] = set()
        for m in _boundary_pattern(list(table)).finditer(text):
            label = table[m.group(0)]
            negated = _negated(text[: m.start()])
            if negated:
                if label in comp:
                    found.add(comp[label])
                continue
            found.add(label)
        if len(found) == 1:
            return found.pop()
        return text
    except Exception:  # noqa: BLE001
        return ""


# --------------------------------------------------------------------------------------
# multiple choice letters
# --------------------------------------------------------------------------------------

_CHOICES_IN_INPUT = re.compile(r"\(([A-Z])\)\s*(.*?)(?=\s*\([A-Z]\)\s|\s*$)", re.DOTALL)


def choices_from_example(example: Any) -> dict[str, str]:
    """Letter -> option text, from ``meta`` (CSQA ``choices``, SIQA ``answerA..``) or the input."""
    try:
        if example is None:
            return {}
        meta = getattr(example, "meta", None) or {}
        choices = meta.get("choices") if isinstance(meta, Mapping) else None
        out: dict[str, str] = {}
        if isinstance(choices, list):
            for c in choices:
                if isinstance(c, Mapping) and "label" in c and "text" in c:
                    out[str(c["label"]).upper()] = str(c["text"])
        elif isinstance(choices, Mapping) and isinstance(choices.get("label"), list):
            out = {str(lab).upper(): str(t) for lab, t in zip(choices["label"], choices.get("text", []))}
        if not out and isinstance(meta, Mapping):
            for letter in "ABCDEFGH":
                if f"answer{letter}" in meta:
                    out[letter] = str(meta[f"answer{letter}"])
        if not out:
            text = getattr(example, "input", "") or ""
            idx = text.rfind("Answer Choices:")
            segment = text[idx:] if idx >= 0 else text
            out = {m.group(1): m.group(2).strip() for m in _CHOICES_IN_INPUT.finditer(segment)}
        return out
    except Exception:  # noqa: BLE001
        return {}


def _key(text: str) -> str:
    return clean_text(text).lower()


def _letter_by_text(text: str, choices: Mapping[str, str], letters: set[str]) -> str | None:
    """Exact match of the whole answer against an option text (first letter on duplicates)."""
    k = _key(text)
    for letter in sorted(choices):
        if letter in letters and _key(choices[letter]) == k and k:
            return letter
    return None


def _letter_by_containment(text: str, choices: Mapping[str, str], letters: set[str]) -> str | None:
    """The single option text mentioned in a free-text answer (longest wins over its substrings)."""
    k = _key(text)
    hits = {}
    for letter in sorted(choices):
        opt = _key(choices[letter])
        if letter in letters and opt and re.search(rf"(?<![\w]){re.escape(opt)}(?![\w])", k):
            hits.setdefault(opt, letter)
    texts = [t for t in hits if not any(t != o and t in o for o in hits)]
    if len(texts) == 1:
        return hits[texts[0]]
    return None


_ANSWER_IS = re.compile(
    r"(?:answer|option|choice)\s*(?:is|:|=|-)?\s*(?:option|choice)?\s*[\(\[]?([A-Za-z])[\)\]]?(?![\w'])",
    re.IGNORECASE,
)


def normalize_letter(
    answer: Any, letters: Sequence[str] = ("A", "B", "C", "D", "E"), choices: Mapping[str, str] | None = None
) -> str:
    """Multiple-choice answers -> option letter (upper case).

    Accepts ``"B"``, ``"b"``, ``"(B)"``, ``"B) populated areas"``, ``"Answer: B"``,
    ``"The answer is (B)."``, ``{"letter": "B", ...}``, or the option text itself
    (``"populated areas"``, matched against *choices*; on duplicated option texts the first
    letter wins). Returns the cleaned, lower-cased text when no letter can be identified.
    """
    try:
        allowed = {str(x).strip().upper() for x in letters}
        choices = dict(choices or {})
        raw = to_text(answer)
        t = clean_text(raw)
        if not t:
            return ""
        if len(t) == 1 and t.upper() in allowed:
            return t.upper()
        by_text = _letter_by_text(t, choices, allowed)
        if by_text:
            return by_text
        m = re.match(r"^[\(\[]?([A-Za-z])(?:\s*([\)\]\.:])|\s+|$)(.*)$", t, re.DOTALL)
        lead = m.group(1).upper() if m and m.group(1).upper() in allowed else None
        if m and lead:
            bracketed = t[0] in "([" or m.group(2) is not None
            if bracketed or not m.group(3).strip():
                return lead
        for m2 in _ANSWER_IS.finditer(t):
            letter, after = m2.group(1), t[m2.end():]
            if letter.upper() in allowed and (letter.isupper() or not re.match(r"\s+\w", after)):
                return letter.upper()
        if m and lead and m.group(1).isupper():
            # "B populated areas": trust the letter unless the text clearly names another option
            rest = m.group(3).strip()
            if not choices or _key(rest) == _key(choices.get(lead, "")):
                return lead
            return _letter_by_containment(t, choices, allowed) or lead
        if choices:
            by_contained = _letter_by_containment(t, choices, allowed)
            if by_contained:
                return by_contained
        paren = {x for x in re.findall(r"\(([A-Z])\)", t) if x in allowed}
        if len(paren) == 1:
            return paren.pop()
        return t.lower()
    except Exception:  # noqa: BLE001
        return ""


# --------------------------------------------------------------------------------------
# word lists (word sorting)
# --------------------------------------------------------------------------------------


def _flatten(obj: Any, out: list[Any], depth: int = 0) -> None:
    if depth > _MAX_DEPTH or len(out) > 10_000:
        return
    if isinstance(obj, (list, tuple)):
        for item in obj:
            _flatten(item, out, depth + 1)
    elif isinstance(obj, Mapping):
        for key in ("answer", "sorted", "words"):
            if key in obj:
                _flatten(obj[key], out, depth + 1)
                return
        for v in obj.values():
            _flatten(v, out, depth + 1)
    else:
        out.append(obj)


def _strip_token(tok: str) -> str:
    tok = tok.strip()
    while len(tok) >= 2 and tok[0] in _QUOTE_PAIRS and tok[-1] == _QUOTE_PAIRS[tok[0]]:
        tok = tok[1:-1].strip()
    tok = tok.strip("[](){}").rstrip(_TRAILING_PUNCT)
    if tok[:1] in "\"`" or (tok[:1] == "'" and tok.count("'") == 1):
        tok = tok[1:]
    return tok


def normalize_word_list(answer: Any) -> str:
    """Word-sorting answers -> lower-case words joined by single spaces.

    Lists/tuples (also nested, or written as a string literal) are flattened and joined;
    strings are split on whitespace and commas, per-word quotes are stripped, and a
    ``"Sorted words:"``-style prefix (anything up to the last colon) is dropped. Sets carry no
    order, so a set normalises to ``""`` (never correct).
    """
    try:
        obj = answer
        if isinstance(obj, str):
            obj = _maybe_literal(obj)
        if isinstance(obj, Mapping):
            flat: list[Any] = []
            _flatten(obj, flat)
            obj = flat if len(flat) != 1 else flat[0]
            if isinstance(obj, str):
                obj = _maybe_literal(obj)
        if isinstance(obj, (set, frozenset)):
            return ""
        if isinstance(obj, (list, tuple)):
            flat = []
            _flatten(obj, flat)
            words: list[str] = []
            for item in flat:
                words.extend(normalize_word_list(item).split())
            return " ".join(words)
        text = to_text(obj)
        text = unicodedata.normalize("NFKC", text)
        if ":" in text:
            text = text.rsplit(":", 1)[1]
        tokens = [_strip_token(t) for t in re.split(r"[\s,]+", text)]
        return " ".join(t for t in tokens if t).lower()
    except Exception:  # noqa: BLE001
        return ""
