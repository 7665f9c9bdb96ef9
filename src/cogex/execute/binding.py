"""Input bindings: how an item's input becomes the arguments of a program's call.

* ``model`` (the paper): the model writes the call line, restating the input as Python values.
* ``text``: the program's entry function gets the input text verbatim, ``f('...')``.
* ``words``: the entry function gets the input's whitespace-separated tokens, ``f(['...', ...])``.

A small model often cannot restate a long input faithfully (a 20-word list comes back with words
dropped, merged or repeated), while ``text`` and ``words`` are exact by construction. They need no
model call, and they apply only to a program whose entry function takes exactly one argument.
CoTACS ranks every (program, binding) pair on labelled items, so the data decides which binding a
program is kept with; the choice is stored in the program artifact.
"""

from __future__ import annotations

import ast
from typing import Sequence

BINDINGS: tuple[str, ...] = ("model", "text", "words")
MODEL_BINDING = "model"


def check_bindings(names: Sequence[str]) -> tuple[str, ...]:
    """The bindings, validated and de-duplicated in order; raises ValueError on an unknown one."""
    unknown = [n for n in names if n not in BINDINGS]
    if unknown:
        raise ValueError(f"unknown binding(s) {', '.join(map(repr, unknown))}; choose from {', '.join(BINDINGS)}")
    if not names:
        raise ValueError(f"at least one binding is needed; choose from {', '.join(BINDINGS)}")
    return tuple(dict.fromkeys(names))


def entry_function(program: str) -> ast.FunctionDef | None:
    """The function a program is called through: the first top-level function that no other
    top-level function calls (helpers defined before the main function are skipped)."""
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    called = {
        node.func.id
        for fn in functions
        for node in ast.walk(fn)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id != fn.name
    }
    roots = [fn for fn in functions if fn.name not in called]
    return (roots or functions or [None])[0]


def takes_one_argument(fn: ast.FunctionDef) -> bool:
    """Whether ``fn(x)`` is a valid call: one positional parameter without a default (others
    have defaults), or a ``*args`` parameter."""
    args = fn.args
    positional = args.posonlyargs + args.args
    required = len(positional) - len(args.defaults)
    kw_required = sum(1 for d in args.kw_defaults if d is None)
    if kw_required:
        return False
    return required == 1 or (required == 0 and (len(positional) >= 1 or args.vararg is not None))


def one_argument_entry(program: str) -> str | None:
    """The name of the program's entry function if ``name(x)`` can call it, else None."""
    fn = entry_function(program)
    return fn.name if fn is not None and takes_one_argument(fn) else None


def applies(program: str, binding: str) -> bool:
    """Whether ``binding`` can call ``program`` (``model`` always can)."""
    return binding == MODEL_BINDING or one_argument_entry(program) is not None


def bound_calls(program: str, inputs: Sequence[str], binding: str) -> list[str | None]:
    """The call line of a ``text`` or ``words`` binding for each input (the program is parsed
    once), or None for every input when the binding does not apply."""
    if binding == MODEL_BINDING:
        raise ValueError("the model binding's call is written by the model, not built")
    if binding not in BINDINGS:
        raise ValueError(f"unknown binding {binding!r}; choose from {', '.join(BINDINGS)}")
    name = one_argument_entry(program)
    if name is None:
        return [None] * len(inputs)
    if binding == "text":
        return [f"{name}({text!r})" for text in inputs]
    return [f"{name}({text.split()!r})" for text in inputs]
