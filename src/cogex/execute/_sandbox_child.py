"""Sandbox child process: executes untrusted CoGEX programs (run as a script by sandbox.py).

This file has two roles:

* imported by the parent (``cogex.execute.sandbox``) for the shared *policy* constants and
  the static program check -- importing it has no side effects;
* executed as ``python -s -S -P -B _sandbox_child.py`` for the child itself (``main()``).

Child start-up sequence (everything before step 7 runs before any untrusted code exists):

1. move the protocol pipes off fds 0/1, point 0/1/2 at /dev/null;
2. read the ``init`` frame (program, limits, flags) from the parent;
3. import the allow-listed modules (and what they lazily need), warm them up;
4. enter a new network namespace (plus a user namespace when not root);
5. when root: drop to uid/gid 65534 (nobody) with no supplementary groups;
   then set the parent-death signal, close every other fd, apply rlimits;
6. install the seccomp allow-list filter (``_seccomp.py``): from now on no file can be
   opened, no socket created, no process cloned/executed/signalled;
7. compile the program, answer ``ready``, then serve ``call`` frames one at a time.

Wire format (both directions): 4-byte big-endian length, then UTF-8 JSON. Values cross as
``repr`` text that the receiver rebuilds with ``ast.literal_eval`` -- never pickle.
"""

from __future__ import annotations

import ast
import json
import os
import struct
import sys

# --------------------------------------------------------------------------------------
# Policy shared with the parent
# --------------------------------------------------------------------------------------

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
_PRELOAD_EXTRA: tuple[str, ...] = (
    "_strptime", "locale", "encodings.latin_1", "encodings.ascii", "encodings.utf_16",
    "encodings.utf_32", "encodings.cp1252", "encodings.unicode_escape",
    "encodings.raw_unicode_escape", "encodings.utf_8_sig", "encodings.idna",
)

#: Public names hidden from module proxies (they evaluate strings as code or walk attributes).
_HIDDEN_MODULE_NAMES: dict[str, frozenset[str]] = {
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
    "__deepcopy__", "__sizeof__", "__module__", "__version__",
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

ERROR_KINDS: frozenset[str] = frozenset({
    "syntax_error", "bad_call", "forbidden_import", "forbidden_operation", "undefined_name",
    "runtime_error", "timeout", "memory", "output_too_large", "not_literal", "crashed",
})

PROGRAM_FILENAME = "<program>"
PROGRAM_MODULE = "__cogex_program__"
MAX_DETAIL = 500


def is_forbidden_attr(name: str) -> bool:
    """True for attribute names the program may not read or write (in-interpreter layer)."""
    if name in FORBIDDEN_ATTRS:
        return True
    return name.startswith("__") and name.endswith("__") and name not in SAFE_DUNDERS


def static_violation(tree: ast.AST) -> str | None:
    """Return a message for the first obviously hostile construct in ``tree``, else None.

    Best effort only (strings can be built at run time); the OS layer is the real boundary.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_forbidden_attr(node.attr):
            return f"line {node.lineno}: attribute {node.attr!r} is not allowed"
        if isinstance(node, ast.MatchClass):
            for attr in node.kwd_attrs:
                if is_forbidden_attr(attr):
                    return f"line {node.lineno}: match attribute {attr!r} is not allowed"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in ESCAPE_DUNDERS or node.value in FORBIDDEN_ATTRS - {"mro"}:
                return f"line {node.lineno}: string {node.value!r} names a forbidden attribute"
    return None


# --------------------------------------------------------------------------------------
# Framing
# --------------------------------------------------------------------------------------

_HEADER = struct.Struct(">I")


def _read_exact(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("parent closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _recv(fd: int) -> dict:
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    return json.loads(_read_exact(fd, length).decode("utf-8"))


def _send(fd: int, obj: dict) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = _HEADER.pack(len(data)) + data
    while data:
        n = os.write(fd, data)
        data = data[n:]


# --------------------------------------------------------------------------------------
# Child runtime (only used when run as a script)
# --------------------------------------------------------------------------------------


class ForbiddenImport(ImportError):
    """Raised for imports outside the allow-list."""


class ForbiddenOperation(Exception):
    """Raised for operations the sandbox refuses (open, eval, private attributes...)."""


class _Abort(BaseException):
    """Unwinds a call after a sticky event (pending oracle call, fatal error)."""


class _TooLarge(Exception):
    pass


class _NotLiteral(Exception):
    pass


def _truncate(text: str, n: int = MAX_DETAIL) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


class _CallState:
    """Sticky outcome of the current call: the first pending call or fatal error wins."""

    __slots__ = ("outcome",)

    def __init__(self) -> None:
        self.outcome: dict | None = None

    def fail(self, kind: str, detail: str) -> None:
        if self.outcome is None:
            self.outcome = {"status": "error", "error": kind, "detail": _truncate(detail)}

    def pend(self) -> None:
        if self.outcome is None:
            self.outcome = {"status": "pending"}


def bounded_repr(value: object, cap: int) -> str:
    """``repr(value)`` for plain data, raising _TooLarge as soon as it exceeds ``cap`` chars."""
    parts: list[str] = []
    budget = [cap]

    def emit(s: str) -> None:
        budget[0] -= len(s)
        if budget[0] < 0:
            raise _TooLarge(f"repr longer than {cap} characters")
        parts.append(s)

    def seq(items, opener: str, closer: str, one_tuple: bool = False) -> None:
        emit(opener)
        for i, item in enumerate(items):
            if i:
                emit(", ")
            rec(item)
        if one_tuple:
            emit(",")
        emit(closer)

    def rec(x: object) -> None:
        t = type(x)
        if t is str or t is bytes:
            if len(x) > cap:  # type: ignore[arg-type]
                raise _TooLarge(f"string of {len(x)} characters")  # type: ignore[arg-type]
            emit(repr(x))
        elif t is int:
            if x.bit_length() > 4 * cap:  # type: ignore[union-attr]
                raise _TooLarge("integer too large")
            try:
                emit(repr(x))
            except ValueError as exc:  # int->str digit limit
                raise _TooLarge(str(exc)) from None
        elif t is float or t is bool or t is complex or x is None or x is Ellipsis:
            emit(repr(x))
        elif t is list:
            seq(x, "[", "]")  # type: ignore[arg-type]
        elif t is tuple:
            seq(x, "(", ")", one_tuple=len(x) == 1)  # type: ignore[arg-type]
        elif t is set:
            if not x:
                emit("set()")
            else:
                seq(x, "{", "}")  # type: ignore[arg-type]
        elif t is dict:
            emit("{")
            for i, (k, v) in enumerate(x.items()):  # type: ignore[union-attr]
                if i:
                    emit(", ")
                rec(k)
                emit(": ")
                rec(v)
            emit("}")
        else:
            raise _NotLiteral(f"value of type {t.__name__} is not plain literal data")

    try:
        rec(value)
    except RecursionError:
        raise _NotLiteral("value is nested too deeply (or contains itself)") from None
    return "".join(parts)


class _Runtime:
    """Everything the child needs to run calls of one program."""

    def __init__(self, init: dict, fd_in: int, fd_out: int) -> None:
        import types

        self.fd_in = fd_in
        self.fd_out = fd_out
        self.program: str = init["program"]
        self.undefined: frozenset[str] = frozenset(init["undefined"])
        self.allow_undefined: bool = bool(init["allow_undefined"])
        self.guard: bool = bool(init.get("python_guard", True))
        self.cap: int = int(init["max_result_chars"])
        self.state: _CallState | None = None
        self.code = None
        self._types = types
        self._stubs = {name: self._make_stub(name) for name in self.undefined}

    # ---- undefined calls -------------------------------------------------------------
    def _make_stub(self, name: str):
        runtime = self

        def stub(*args, **kwargs):
            return runtime.undefined_call(name, args, kwargs)

        stub.__name__ = stub.__qualname__ = name
        return stub

    def undefined_call(self, name: str, args: tuple, kwargs: dict):
        st = self.state
        if st is None or st.outcome is not None:
            raise _Abort()
        if not self.allow_undefined:
            st.fail("undefined_name", f"call to undefined function {name}()")
            raise _Abort()
        try:
            args_text = bounded_repr(tuple(args), self.cap)
            kwargs_text = bounded_repr(dict(kwargs), self.cap)
        except _TooLarge as exc:
            st.fail("output_too_large", f"arguments of {name}(): {exc}")
            raise _Abort() from None
        except _NotLiteral as exc:
            st.fail("not_literal", f"arguments of {name}(): {exc}")
            raise _Abort() from None
        _send(self.fd_out, {"type": "undefined", "name": name, "args": args_text,
                            "kwargs": kwargs_text})
        reply = _recv(self.fd_in)
        if reply.get("found"):
            return ast.literal_eval(reply["value"])
        if reply.get("error"):
            st.fail(reply["error"], reply.get("detail", ""))
        else:
            st.pend()
        raise _Abort()

    # ---- restricted environment ------------------------------------------------------
    def _violation(self, kind: str, detail: str, exc_type: type[Exception]):
        if self.state is not None:
            self.state.fail(kind, detail)
        raise exc_type(detail)

    def _forbidden_builtin(self, name: str):
        runtime = self

        def refuse(*_args, **_kwargs):
            runtime._violation("forbidden_operation", f"{name}() is not allowed in the sandbox",
                               ForbiddenOperation)

        refuse.__name__ = name
        return refuse

    def _check_attr(self, name: object) -> None:
        if isinstance(name, str) and is_forbidden_attr(name):
            self._violation("forbidden_operation", f"attribute {name!r} is not allowed",
                            ForbiddenOperation)

    def _make_proxy(self, name: str, cache: dict):
        if name in cache:
            return cache[name]
        real = sys.modules[name]
        proxy = self._types.ModuleType(name)
        cache[name] = proxy
        hidden = _HIDDEN_MODULE_NAMES.get(name, frozenset())
        for key, value in list(vars(real).items()):
            if key.startswith("_") or key in hidden:
                continue
            if isinstance(value, self._types.ModuleType):
                sub = f"{name}.{key}"
                if sub not in ALLOWED_MODULES:
                    continue
                value = self._make_proxy(sub, cache)
            proxy.__dict__[key] = value
        if name == "operator":
            real_attrgetter, real_methodcaller = real.attrgetter, real.methodcaller
            check = self._check_attr

            def attrgetter(*names):
                for n in names:
                    for part in str(n).split("."):
                        check(part)
                return real_attrgetter(*names)

            def methodcaller(name, /, *args, **kwargs):
                check(name)
                return real_methodcaller(name, *args, **kwargs)

            proxy.__dict__.update(attrgetter=attrgetter, methodcaller=methodcaller)
        # Without __name__, "from mod import sub" cannot fall back to sys.modules["mod.sub"].
        del proxy.__dict__["__name__"]
        return proxy

    def _builtins(self) -> dict:
        import builtins as real_builtins

        runtime = self
        stubs = self._stubs

        class Builtins(dict):
            __slots__ = ()

            def __missing__(self, key):
                try:
                    return stubs[key]
                except KeyError:
                    raise KeyError(key) from None

        if not self.guard:  # test hook: OS layer only
            b = Builtins(real_builtins.__dict__)
            return b

        b = Builtins()
        for key, value in real_builtins.__dict__.items():
            if key.startswith("_") and key != "__build_class__":
                continue
            b[key] = value
        for name in FORBIDDEN_BUILTINS:
            b[name] = self._forbidden_builtin(name)
        proxies: dict = {}
        check = self._check_attr
        no_default = object()

        def __import__(name, globals=None, locals=None, fromlist=(), level=0):
            if type(fromlist) is list and not fromlist and not level:
                # C code (PyImport_Import, e.g. datetime.strftime -> "time") calls __import__
                # only for its side effect, then reads sys.modules itself; bytecode never
                # passes a list. Nothing is imported and nothing is returned to the caller.
                return None
            if level or name not in ALLOWED_MODULES:
                runtime._violation("forbidden_import",
                                   f"import of {name!r} is not allowed in the sandbox",
                                   ForbiddenImport)
            if fromlist:
                return runtime._make_proxy(name, proxies)
            return runtime._make_proxy(name.partition(".")[0], proxies)

        def getattr(obj, name, default=no_default):
            check(name)
            if default is no_default:
                return real_builtins.getattr(obj, name)
            return real_builtins.getattr(obj, name, default)

        def hasattr(obj, name):
            check(name)
            return real_builtins.hasattr(obj, name)

        def setattr(obj, name, value):
            check(name)
            return real_builtins.setattr(obj, name, value)

        def delattr(obj, name):
            check(name)
            return real_builtins.delattr(obj, name)

        def vars(*args):
            if not args:
                runtime._violation("forbidden_operation", "vars() without argument is not allowed",
                                   ForbiddenOperation)
            if isinstance(args[0], (type, runtime._types.ModuleType)):
                runtime._violation("forbidden_operation", "vars() of a class or module is not allowed",
                                   ForbiddenOperation)
            return real_builtins.vars(*args)

        def print(*_args, **_kwargs):
            return None

        b.update(__import__=__import__, getattr=getattr, hasattr=hasattr, setattr=setattr,
                 delattr=delattr, vars=vars, print=print)
        return b

    # ---- calls -------------------------------------------------------------------------
    def compile_program(self) -> None:
        self.code = compile(self.program, PROGRAM_FILENAME, "exec", dont_inherit=True)

    def run_call(self, msg: dict) -> dict:
        import gc
        import random

        self.state = st = _CallState()
        restart = False
        outcome: dict
        module = self._types.ModuleType(PROGRAM_MODULE)
        try:
            random.seed(0)
            args = ast.literal_eval(msg["args"])
            kwargs = ast.literal_eval(msg["kwargs"])
            module.__dict__["__builtins__"] = self._builtins()
            sys.modules[PROGRAM_MODULE] = module
            exec(self.code, module.__dict__)
            fn = module.__dict__.get(msg["fname"])
            if fn is None or not callable(fn):
                outcome = {"status": "error", "error": "bad_call",
                           "detail": f"the program defines no function {msg['fname']!r}"}
            else:
                value = fn(*args, **kwargs)
                fn = None
                text = bounded_repr(value, self.cap)
                value = None
                outcome = {"status": "ok", "value": text}
        except _Abort:
            outcome = {"status": "error", "error": "crashed", "detail": "call aborted"}
        except BaseException as exc:  # noqa: BLE001 - classify everything the program raises
            outcome = self._classify(exc)
            restart = outcome.get("error") == "memory"
            exc = None  # drop frames
        try:
            module.__dict__.clear()
            sys.modules.pop(PROGRAM_MODULE, None)
            module = None
            gc.collect()
        except BaseException:  # noqa: BLE001 - a hostile __del__
            pass
        if st.outcome is not None:
            outcome = st.outcome
        self.state = None
        if restart:
            outcome["restart"] = True
        return outcome

    @staticmethod
    def _where(exc: BaseException) -> str:
        tb = exc.__traceback__
        line = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == PROGRAM_FILENAME:
                line = tb.tb_lineno
            tb = tb.tb_next
        return f" (line {line})" if line else ""

    def _classify(self, exc: BaseException) -> dict:
        if isinstance(exc, _TooLarge):
            kind = "output_too_large"
        elif isinstance(exc, _NotLiteral):
            kind = "not_literal"
        elif isinstance(exc, ForbiddenImport):
            kind = "forbidden_import"
        elif isinstance(exc, (ForbiddenOperation, PermissionError)):
            kind = "forbidden_operation"
        elif isinstance(exc, MemoryError):
            kind = "memory"
        elif isinstance(exc, NameError):
            kind = "undefined_name"
        else:
            kind = "runtime_error"
        try:
            message = str(exc)
        except BaseException:  # noqa: BLE001
            message = "<unprintable>"
        try:
            where = self._where(exc)
        except BaseException:  # noqa: BLE001
            where = ""
        name = type(exc).__name__
        detail = f"{name}: {message[:MAX_DETAIL]}{where}" if message else f"{name}{where}"
        return {"status": "error", "error": kind, "detail": _truncate(detail)}


def _load_seccomp():
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_seccomp.py")
    spec = importlib.util.spec_from_file_location("_cogex_seccomp", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _setup(init: dict, fd_in: int, fd_out: int) -> tuple[_Runtime, dict]:
    """Steps 3-7 of the start-up sequence; returns the runtime and a report of active layers."""
    import ctypes
    import gc
    import importlib
    import resource
    import signal

    insecure = bool(init.get("insecure"))
    layers: dict = {"seccomp": False, "netns": False, "userns": False, "uid": os.getuid()}
    problems: list[str] = []

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for name in sorted(ALLOWED_MODULES) + list(_PRELOAD_EXTRA):
        importlib.import_module(name)
    seccomp = _load_seccomp()
    # Warm-ups: things that otherwise touch the filesystem on first use.
    import datetime
    import random
    import re
    import time

    time.localtime()
    datetime.datetime.now()
    datetime.datetime.strptime("2020-01-02", "%Y-%m-%d")
    random.seed(0)
    re.compile(r"(\w+)\s*=\s*\d+").findall("a = 1")
    "é".encode("latin-1")
    import decimal
    import hashlib
    import json as json_module
    import unicodedata

    hashlib.sha256(b"x").hexdigest()
    hashlib.md5(b"x").hexdigest()
    str(decimal.Decimal("1.1") + 1)
    json_module.loads(json_module.dumps({"a": [1.5, None]}))
    unicodedata.name("a")

    libc = ctypes.CDLL(None, use_errno=True)
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    is_root = os.geteuid() == 0
    flags = clone_newnet if is_root else clone_newnet | clone_newuser
    if libc.unshare(flags) == 0:
        layers["netns"] = True
        layers["userns"] = not is_root
    else:
        problems.append(f"unshare(CLONE_NEWNET) failed: errno {ctypes.get_errno()}")

    if is_root:
        try:
            os.setgroups([])
            os.setresgid(65534, 65534, 65534)
            os.setresuid(65534, 65534, 65534)
        except OSError as exc:
            problems.append(f"dropping root failed: {exc}")
    layers["uid"] = os.getuid()

    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:
        os._exit(0)  # parent already gone

    keep = {0, 1, 2, fd_in, fd_out}
    for fd in range(3, max(keep) + 64):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    os.closerange(max(keep) + 64, 4096)

    cpu = int(init["cpu_budget"])
    limits = [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_FSIZE, 0, 0),
        (resource.RLIMIT_NOFILE, 8, 8),
        (resource.RLIMIT_NPROC, 0, 0),
        (resource.RLIMIT_MEMLOCK, 0, 0),
        (resource.RLIMIT_MSGQUEUE, 0, 0),
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, int(init["memory_bytes"]), int(init["memory_bytes"])),
    ]
    for which, soft, hard in limits:
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError) as exc:
            problems.append(f"setrlimit({which}) failed: {exc}")
    sys.setrecursionlimit(int(init.get("recursion_limit", 1000)))

    runtime = _Runtime(init, fd_in, fd_out)
    gc.collect()
    gc.freeze()  # start-up objects are permanent: keeps the per-call gc.collect() cheap
    try:
        seccomp.install_filter()
        layers["seccomp"] = True
    except Exception as exc:  # noqa: BLE001
        problems.append(f"seccomp: {exc}")
    if problems and not insecure:
        raise RuntimeError("sandbox isolation unavailable: " + "; ".join(problems))
    layers["problems"] = problems
    runtime.compile_program()
    return runtime, layers


def main() -> None:
    fd_in = os.dup(0)
    fd_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    try:
        init = _recv(fd_in)
    except Exception:  # noqa: BLE001
        os._exit(3)
    try:
        runtime, layers = _setup(init, fd_in, fd_out)
    except BaseException as exc:  # noqa: BLE001
        _send(fd_out, {"type": "fatal", "detail": _truncate(f"{type(exc).__name__}: {exc}", 2000)})
        os._exit(4)
    _send(fd_out, {"type": "ready", "layers": layers})
    while True:
        try:
            msg = _recv(fd_in)
        except EOFError:
            os._exit(0)
        if msg.get("op") != "call":
            os._exit(0)
        result = runtime.run_call(msg)
        result["type"] = "result"
        _send(fd_out, result)
        if result.get("restart"):
            os._exit(0)


if __name__ == "__main__":
    main()
