"""What the sandbox allows and how it reports: the modules a program may import, the names and
attributes it may not touch, the error kinds, and the per-call resource limits.

Shared by the parent (:mod:`.client`) and the child process (:mod:`.child`); it imports nothing
outside the standard library, because the child loads it before it confines itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

#: Every way a call can fail (``SandboxResult.error``).
ErrorKind = Literal[
    "syntax_error", "bad_call", "forbidden_import", "forbidden_operation", "undefined_name",
    "runtime_error", "timeout", "memory", "output_too_large", "not_literal", "crashed",
    "budget_exceeded",
]
ERROR_KINDS: frozenset[str] = frozenset(get_args(ErrorKind))

#: Modules a program may import. Each is pure computation (no I/O, no processes).
ALLOWED_MODULES: frozenset[str] = frozenset({
    "__future__", "abc", "array", "base64", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "copy", "dataclasses", "datetime", "decimal", "difflib", "enum",
    "fractions", "functools", "hashlib", "heapq", "itertools", "json", "keyword", "math",
    "numbers", "operator", "pprint", "random", "re", "statistics", "string", "struct",
    "textwrap", "typing", "unicodedata",
})

#: Imported before the seccomp filter because allowed modules import them lazily at call time
#: (after the filter, importing anything not already in sys.modules fails: no open()).
PRELOAD_EXTRA: tuple[str, ...] = (
    "_strptime", "locale", "encodings.latin_1", "encodings.ascii", "encodings.utf_16",
    "encodings.utf_32", "encodings.cp1252", "encodings.unicode_escape",
    "encodings.raw_unicode_escape", "encodings.utf_8_sig", "encodings.idna",
)

#: Public names hidden from module proxies (they evaluate strings as code or walk attributes).
HIDDEN_MODULE_NAMES: dict[str, frozenset[str]] = {
    "string": frozenset({"Formatter"}),
    "typing": frozenset({"get_type_hints", "ForwardRef"}),
}

#: Dunder attributes a program may touch; every other ``__x__`` attribute is forbidden.
SAFE_DUNDERS: frozenset[str] = frozenset({
    "__init__", "__new__", "__post_init__", "__name__", "__qualname__", "__doc__",
    "__class__", "__annotations__", "__slots__", "__dataclass_fields__", "__members__",
    "__match_args__", "__len__", "__iter__", "__next__", "__reversed__", "__contains__",
    "__getitem__", "__setitem__", "__delitem__", "__missing__", "__eq__", "__ne__",
    "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__", "__repr__", "__str__",
    "__format__", "__call__", "__enter__", "__exit__", "__add__", "__radd__", "__iadd__",
    "__sub__", "__rsub__", "__isub__", "__mul__", "__rmul__", "__imul__", "__truediv__",
    "__rtruediv__", "__itruediv__", "__floordiv__", "__rfloordiv__", "__ifloordiv__",
    "__mod__", "__rmod__", "__imod__", "__pow__", "__rpow__", "__ipow__", "__neg__",
    "__pos__", "__abs__", "__invert__", "__and__", "__rand__", "__iand__", "__or__",
    "__ror__", "__ior__", "__xor__", "__rxor__", "__ixor__", "__lshift__", "__rshift__",
    "__int__", "__float__", "__complex__", "__index__", "__round__", "__trunc__",
    "__floor__", "__ceil__", "__divmod__", "__rdivmod__", "__matmul__", "__copy__",
    "__deepcopy__", "__sizeof__", "__module__", "__version__", "__all__", "__length_hint__",
})

#: Safe dunders that a program may read but never define or assign (stdlib helpers trust them).
READ_ONLY_DUNDERS: frozenset[str] = frozenset({"__dataclass_fields__"})

#: Protocol hooks a program may not define: through them the interpreter hands program code
#: foreign objects or attribute names (a metaclass ``__instancecheck__`` made any object match
#: a class pattern), or they take over attribute access.
HOOK_DUNDERS: frozenset[str] = frozenset({
    "__instancecheck__", "__subclasscheck__", "__subclasshook__", "__prepare__",
    "__mro_entries__", "__set_name__", "__getattribute__", "__setattr__", "__delattr__",
})

#: Non-dunder attributes that expose frames, code objects or the type hierarchy.
FORBIDDEN_ATTRS: frozenset[str] = frozenset({
    "mro", "gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await",
    "cr_origin", "ag_frame", "ag_code", "ag_await", "f_back", "f_globals", "f_locals",
    "f_builtins", "f_code", "f_trace", "tb_frame", "tb_next", "co_code", "co_consts",
    "co_names",
})

#: Dunder names that may not even appear as string constants (obvious escape attempts).
ESCAPE_DUNDERS: frozenset[str] = frozenset({
    "__globals__", "__subclasses__", "__bases__", "__base__", "__mro__", "__code__",
    "__closure__", "__builtins__", "__import__", "__loader__", "__spec__", "__getattribute__",
    "__dict__", "__traceback__", "__func__", "__self__", "__reduce__", "__reduce_ex__",
    "__objclass__", "__wrapped__", "__kwdefaults__", "__defaults__",
})

#: Builtins replaced by a function that raises ForbiddenOperation.
FORBIDDEN_BUILTINS: frozenset[str] = frozenset({
    "open", "eval", "exec", "compile", "input", "breakpoint", "help", "exit", "quit",
    "copyright", "credits", "license",
})

#: Kinds a worker reports the moment they happen ("sticky": the first one is the call's outcome).
STICKY_KINDS: frozenset[str] = frozenset({
    "forbidden_import", "forbidden_operation", "undefined_name", "output_too_large",
    "not_literal", "budget_exceeded",
})

#: Types that match themselves in a class pattern (``case int(x)``) and cannot be modified.
SELF_MATCHING = (bool, bytearray, bytes, dict, float, frozenset, int, list, set, str, tuple)
MATCH_SELF_FLAG = 1 << 22  # _Py_TPFLAGS_MATCH_SELF

#: Prefix of the names the sandbox adds to a program (the program may not use it).
RESERVED_PREFIX = "__cogex"
MATCH_GUARD = "__cogex_match__"

PROGRAM_FILENAME = "<program>"
PROGRAM_MODULE = "__cogex_program__"
MAX_DETAIL = 500

#: fds of a worker's pipes (to the server: results; from the server: oracle replies).
WORKER_FD_IN, WORKER_FD_OUT = 3, 4
#: Seconds a worker may take to exit after sending its result (it exits at once when honest).
RESULT_GRACE_SECONDS = 1.0
#: Exit status of a worker that could not confine itself (it never ran program code; the
#: server knows a worker is confined from the frame it sends before the program starts).
WORKER_SETUP_FAILED = 70


def truncate(text: str, n: int = MAX_DETAIL) -> str:
    """``text`` cut to ``n`` characters (with an ellipsis) for error details."""
    return text if len(text) <= n else text[: n - 3] + "..."


@dataclass(frozen=True)
class SandboxLimits:
    """Per-call resource limits of the sandbox child.

    The last three bound a call's *helper calls* (undefined functions answered by an oracle,
    in hybrid mode by the model); exceeding one is a ``budget_exceeded`` error.
    """

    cpu_seconds: float = 2.0          # per call
    wall_seconds: float = 5.0         # per call, time spent waiting for the parent's oracle excluded
    memory_bytes: int = 512 * 2**20   # address space of the child
    max_result_chars: int = 100_000   # repr of a returned value larger than this -> "output_too_large"
    max_helper_calls: int = 32        # distinct helper calls (oracle keys) per call
    max_helper_arg_chars: int = 2_000  # repr of one helper call's arguments (what a prompt shows)
    item_seconds: float = 300.0       # per call *including* the time spent answering helper calls

    def __post_init__(self) -> None:
        if not (self.cpu_seconds > 0 and self.wall_seconds > 0 and self.item_seconds > 0):
            raise ValueError("cpu_seconds, wall_seconds and item_seconds must be positive")
        if self.memory_bytes < 64 * 2**20:
            raise ValueError("memory_bytes below 64 MiB cannot run the interpreter")
        if self.max_result_chars < 16:
            raise ValueError("max_result_chars too small")
        if self.max_helper_calls < 1:
            raise ValueError("max_helper_calls must be at least 1")
        if not 16 <= self.max_helper_arg_chars <= self.max_result_chars:
            raise ValueError("max_helper_arg_chars must be between 16 and max_result_chars")
