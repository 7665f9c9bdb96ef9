"""Sandbox child process: executes untrusted CoGEX programs.

Executed by :mod:`.client` as ``python -s -S -P -B child.py`` (``main()``). It imports the
standard library and four small modules of its package (:mod:`.policy`, :mod:`.analysis`,
:mod:`.wire`, :mod:`.seccomp`); the folder that holds the ``cogex`` package is on ``sys.path``
only while they are imported. Importing this module has no side effects.

The child is a small *fork server*. Its long-lived process (the "server") never runs
program code. Start-up (everything here runs before any untrusted code exists):

1. move the protocol pipes off fds 0/1, point 0/1/2 at /dev/null;
2. read the ``init`` frame (program, limits, flags) from the parent;
3. import the allow-listed modules (and what they lazily need), warm them up;
4. enter a new network namespace (plus a user namespace when not root);
5. when root: drop to uid/gid 65534 (nobody) with no supplementary groups;
   then set the parent-death signal, close every other fd, apply rlimits;
6. install the ``server`` seccomp filter (:mod:`.seccomp`): from now on no file can be
   opened, no socket created, no program executed, and only plain forks are possible;
7. answer ``ready``, compile the program (a compile error is reported, not fatal), answer
   ``compiled``.

Then, for every ``call`` frame, the server forks a fresh *worker* connected to it by two new
pipes. Before running any program code the worker drops the parent's pipes, lowers its
rlimits (CPU per call, no processes) and stacks the ``call`` seccomp filter, under which
hostile syscalls kill it with SIGSYS. The program then runs in the worker; the server relays
the worker's frames (undefined calls, sticky violations, exactly one result) to the parent,
reaps the worker and reports how it ended. A worker serves exactly one call, so nothing a
program does can reach another call, and the parent's pipes are never writable by it.

Wire format (all pipes, both directions): 4-byte big-endian length, then UTF-8 JSON. Values
cross as ``repr`` text that the receiver rebuilds with ``ast.literal_eval`` -- never pickle.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys

if __name__ == "__main__":  # run as a script: make the package importable while it is imported
    _SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, _SRC)

from cogex.sandbox import seccomp  # noqa: E402
from cogex.sandbox.analysis import (  # noqa: E402
    generated_code_violation,
    is_forbidden_attr,
    rewrite_matches,
)
from cogex.sandbox.policy import (  # noqa: E402
    ALLOWED_MODULES,
    FORBIDDEN_BUILTINS,
    HIDDEN_MODULE_NAMES,
    MATCH_GUARD,
    MATCH_SELF_FLAG,
    MAX_DETAIL,
    PRELOAD_EXTRA,
    PROGRAM_FILENAME,
    PROGRAM_MODULE,
    READ_ONLY_DUNDERS,
    RESULT_GRACE_SECONDS,
    SELF_MATCHING,
    STICKY_KINDS,
    WORKER_FD_IN,
    WORKER_FD_OUT,
    WORKER_SETUP_FAILED,
    truncate,
)
from cogex.sandbox.wire import HEADER, recv, send  # noqa: E402

if __name__ == "__main__":
    sys.path.remove(_SRC)  # nothing else is ever imported from there


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


class _CallState:
    """Sticky outcome of the current call: the first pending call or fatal error wins.

    A failure is also sent to the parent the moment it happens (``report``), before the
    program regains control, so that nothing the program does afterwards can take it back.
    """

    __slots__ = ("outcome", "report")

    def __init__(self, report=None) -> None:
        self.outcome: dict | None = None
        self.report = report

    def fail(self, kind: str, detail: str) -> None:
        if self.outcome is None:
            self.outcome = {"status": "error", "error": kind, "detail": truncate(detail)}
            if self.report is not None:
                self.report(kind, self.outcome["detail"])

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


def _plain_name(name: object) -> object:
    """An attribute name as an exact ``str`` (a str subclass could lie through __eq__/__hash__)."""
    return str.__str__(name) if isinstance(name, str) else name


class _Runtime:
    """Everything a worker needs to run one call of the program."""

    def __init__(self, init: dict) -> None:
        import types

        self.fd_in = WORKER_FD_IN
        self.fd_out = WORKER_FD_OUT
        self.program: str = init["program"]
        self.undefined: frozenset[str] = frozenset(init["undefined"])
        self.allow_undefined: bool = bool(init["allow_undefined"])
        self.guard: bool = bool(init.get("python_guard", True))
        self.grant_sys: bool = bool(init.get("test_grant_sys", False))
        self.cap: int = int(init["max_result_chars"])
        self.helper_cap: int = int(init.get("max_helper_arg_chars", self.cap))
        self.state: _CallState | None = None
        self.code = None
        self.call_builtins: dict | None = None
        self._types = types
        self._stubs = {name: self._make_stub(name) for name in self.undefined}
        self._match_classes: dict[tuple[int, int], tuple[type, type]] = {}

    # ---- undefined calls -------------------------------------------------------------
    def _make_stub(self, name: str):
        runtime = self

        def stub(*args, **kwargs):
            return runtime.undefined_call(name, args, kwargs)

        stub.__name__ = stub.__qualname__ = name
        return stub

    def _report(self, kind: str, detail: str) -> None:
        try:
            send(self.fd_out, {"type": "sticky", "error": kind, "detail": detail})
        except OSError:
            pass  # the program closed the channel; the server sees it

    def undefined_call(self, name: str, args: tuple, kwargs: dict):
        st = self.state
        if st is None or st.outcome is not None:
            raise _Abort()
        if not self.allow_undefined:
            st.fail("undefined_name", f"undefined function {name!r}")
            raise _Abort()
        too_long = f"the arguments of helper {name}() are longer than {self.helper_cap} characters"
        try:
            args_text = bounded_repr(tuple(args), self.helper_cap)
            kwargs_text = bounded_repr(dict(kwargs), self.helper_cap)
        except _TooLarge:
            st.fail("budget_exceeded", too_long)
            raise _Abort() from None
        except _NotLiteral as exc:
            st.fail("not_literal", f"arguments of {name}(): {exc}")
            raise _Abort() from None
        if len(args_text) + len(kwargs_text) > self.helper_cap:  # what the parent checks, too
            st.fail("budget_exceeded", too_long)
            raise _Abort()
        send(self.fd_out, {"type": "undefined", "name": name, "args": args_text,
                            "kwargs": kwargs_text})
        reply = recv(self.fd_in)
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

    def _check_attr(self, name: object) -> object:
        """``name`` as a plain str, after refusing forbidden attribute names."""
        name = _plain_name(name)
        if isinstance(name, str) and is_forbidden_attr(name):
            self._violation("forbidden_operation", f"attribute {name!r} is not allowed",
                            ForbiddenOperation)
        return name

    def _check_names(self, names, allowed: frozenset[str] = frozenset()) -> tuple:
        """A tuple of checked attribute names (``allowed`` ones pass unchecked)."""
        out = []
        for name in names:
            name = _plain_name(name)
            if name not in allowed:
                self._check_attr(name)
            out.append(name)
        return tuple(out)

    def _match_args(self, cls: type, nargs: int) -> tuple:
        """``cls.__match_args__`` for a class pattern, every name checked like getattr's."""
        import builtins as real

        try:
            names = real.getattr(cls, "__match_args__")
        except AttributeError:
            if real.getattr(cls, "__flags__", 0) & MATCH_SELF_FLAG:
                raise  # the stand-in matches itself too (it derives from int)
            raise TypeError(f"{cls.__name__}() accepts 0 positional sub-patterns ({nargs} given)") from None
        if type(names) is not tuple:
            raise TypeError(f"{cls.__name__}.__match_args__ must be a tuple (got {type(names).__name__})")
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"__match_args__ elements must be strings (got {type(name).__name__})")
        return self._check_names(names)

    def _match_guard(self):
        """The builtin that rewritten class patterns call (see MatchRewriter)."""
        import builtins as real

        runtime = self
        targets: dict[int, tuple[type, int]] = {}

        class _Guarded(type):
            def __instancecheck__(cls, subject):
                return real.isinstance(subject, targets[id(cls)][0])

            @property
            def __match_args__(cls):
                target, nargs = targets[id(cls)]
                return runtime._match_args(target, nargs)

        def guard(cls, nargs):
            if not real.isinstance(cls, type) or any(cls is t for t in SELF_MATCHING):
                return cls  # Python's own check / an immutable builtin (identity: no __eq__ runs)
            key = (id(cls), nargs)
            if key not in runtime._match_classes:
                stand_in = _Guarded(str(cls.__name__), (int,), {"__slots__": ()})
                targets[id(stand_in)] = (cls, nargs)
                runtime._match_classes[key] = (cls, stand_in)
            return runtime._match_classes[key][1]

        return guard

    def _make_proxy(self, name: str, cache: dict):
        if name in cache:
            return cache[name]
        real = sys.modules[name]
        proxy = self._types.ModuleType(name)
        cache[name] = proxy
        hidden = HIDDEN_MODULE_NAMES.get(name, frozenset())
        for key, value in list(vars(real).items()):
            if key.startswith("_") or key in hidden:
                continue
            if isinstance(value, self._types.ModuleType):
                sub = f"{name}.{key}"
                if sub not in ALLOWED_MODULES:
                    continue
                value = self._make_proxy(sub, cache)
            proxy.__dict__[key] = value
        proxy.__dict__.update(self._checked_functions(name, real))
        # Without __name__, "from mod import sub" cannot fall back to sys.modules["mod.sub"].
        del proxy.__dict__["__name__"]
        return proxy

    def _checked_functions(self, name: str, real) -> dict:
        """Replacements for the module functions that read attributes named by the caller."""
        check, names = self._check_attr, self._check_names
        if name == "operator":
            real_attrgetter, real_methodcaller = real.attrgetter, real.methodcaller

            def attrgetter(*attrs):
                plain = names(attrs)
                for attr in plain:
                    if isinstance(attr, str):
                        names(attr.split("."))
                return real_attrgetter(*plain)

            def methodcaller(name, /, *args, **kwargs):
                return real_methodcaller(check(name), *args, **kwargs)

            return {"attrgetter": attrgetter, "methodcaller": methodcaller}
        if name == "functools":
            real_update_wrapper, real_partial = real.update_wrapper, real.partial
            assigned_default, updated_default = real.WRAPPER_ASSIGNMENTS, real.WRAPPER_UPDATES
            defaults = frozenset(assigned_default) | frozenset(updated_default)

            def update_wrapper(wrapper, wrapped, assigned=assigned_default, updated=updated_default):
                return real_update_wrapper(wrapper, wrapped, names(assigned, defaults), names(updated, defaults))

            def wraps(wrapped, assigned=assigned_default, updated=updated_default):
                return real_partial(update_wrapper, wrapped=wrapped, assigned=names(assigned, defaults),
                                    updated=names(updated, defaults))

            return {"update_wrapper": update_wrapper, "wraps": wraps}
        return {}

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
            name = _plain_name(name)
            if type(fromlist) is list and not fromlist and not level:
                # C code (PyImport_Import, e.g. datetime.strftime -> "time") calls __import__
                # only for its side effect, then reads sys.modules itself; bytecode never
                # passes a list. Nothing is imported and nothing is returned to the caller.
                return None
            if level or type(name) is not str or name not in ALLOWED_MODULES:
                runtime._violation("forbidden_import",
                                   f"import of {name!r} is not allowed in the sandbox",
                                   ForbiddenImport)
            if fromlist:
                return runtime._make_proxy(name, proxies)
            return runtime._make_proxy(name.partition(".")[0], proxies)

        def getattr(obj, name, default=no_default):
            name = check(name)
            if default is no_default:
                return real_builtins.getattr(obj, name)
            return real_builtins.getattr(obj, name, default)

        def hasattr(obj, name):
            return real_builtins.hasattr(obj, check(name))

        def setattr(obj, name, value):
            name = check(name)
            if name in READ_ONLY_DUNDERS:
                runtime._violation("forbidden_operation", f"assigning attribute {name!r} is not allowed",
                                   ForbiddenOperation)
            return real_builtins.setattr(obj, name, value)

        def delattr(obj, name):
            return real_builtins.delattr(obj, check(name))

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
        b[MATCH_GUARD] = self._match_guard()
        if self.grant_sys:  # test hook: "the program has escaped the Python layer"
            b["GRANTED_SYS"] = sys
        return b

    def _guard_code_builtins(self) -> None:
        """Vet the code that stdlib helpers compile at run time (worker only: it is discarded).

        ``dataclasses`` builds methods from field names with exec, ``typing`` compiles and
        evaluates forward references, ``functools.singledispatch`` evaluates annotations:
        program-supplied text reaches the compiler that way. The real builtins' compile/eval/
        exec check such text (generated_code_violation) and never run it with the real
        builtins: code whose globals lack them, or carry the real ones, gets the call's
        restricted builtins.
        """
        import builtins as real

        runtime = self
        real_compile, real_eval, real_exec = real.compile, real.eval, real.exec
        real_builtins = real.__dict__
        only_ast = ast.PyCF_ONLY_AST

        def vet(source, mode: str) -> None:
            if isinstance(source, (str, bytes, bytearray)):
                try:
                    tree = real_compile(source, "<generated>", mode, only_ast, dont_inherit=True)
                except (SyntaxError, ValueError):
                    return  # the real compile raises the same error
            elif isinstance(source, ast.AST):
                tree = source
            else:
                return  # a code object: compiled (and vetted) earlier
            problem = generated_code_violation(tree)
            if problem:
                runtime._violation("forbidden_operation", f"run-time generated code: {problem}",
                                   ForbiddenOperation)

        def namespace(globals, locals, depth: int = 2):
            if globals is None:
                frame = sys._getframe(depth)
                globals = frame.f_globals
                locals = frame.f_locals if locals is None else locals
            if not isinstance(globals, dict):
                raise TypeError("globals must be a dict")
            given = globals.get("__builtins__")
            if given is None or given is real or given is real_builtins:
                globals = {**globals, "__builtins__": runtime.call_builtins or {}}
            return globals, locals

        def compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **kwargs):
            if not flags & only_ast:
                vet(source, mode)
            return real_compile(source, filename, mode, flags, dont_inherit, optimize, **kwargs)

        def eval(source, globals=None, locals=None, /):
            vet(source.lstrip(" \t") if isinstance(source, str) else source, "eval")
            globals, locals = namespace(globals, locals)
            return real_eval(source, globals, locals)

        def exec(source, globals=None, locals=None, /, **kwargs):
            vet(source, "exec")
            globals, locals = namespace(globals, locals)
            return real_exec(source, globals, locals, **kwargs)

        real.compile, real.eval, real.exec = compile, eval, exec

    # ---- calls -------------------------------------------------------------------------
    def compile_program(self) -> str | None:
        """Compile the program; returns the error message of a program that does not compile."""
        try:
            tree = ast.parse(self.program, PROGRAM_FILENAME)
            if self.guard:
                tree = rewrite_matches(tree)
            self.code = compile(tree, PROGRAM_FILENAME, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"SyntaxError: {exc.msg} (line {exc.lineno})"
        except (ValueError, TypeError, MemoryError, RecursionError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def run_call(self, msg: dict) -> dict:
        import random

        self.state = st = _CallState(self._report)
        outcome: dict
        module = self._types.ModuleType(PROGRAM_MODULE)
        try:
            random.seed(0)
            args = ast.literal_eval(msg["args"])
            kwargs = ast.literal_eval(msg["kwargs"])
            self.call_builtins = module.__dict__["__builtins__"] = self._builtins()
            if self.guard:
                self._guard_code_builtins()
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
            exc = None  # drop frames
        if st.outcome is not None:
            outcome = st.outcome
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
        return {"status": "error", "error": kind, "detail": truncate(detail)}


class _Server:
    """The child's long-lived process: forks a confined worker per call and relays its pipe."""

    def __init__(self, init: dict, fd_in: int, fd_out: int, runtime: _Runtime, call_filter) -> None:
        import math

        self.fd_in = fd_in
        self.fd_out = fd_out
        self.runtime = runtime
        self.call_filter = call_filter
        self.cpu_seconds = int(math.ceil(float(init.get("cpu_seconds", 2.0)))) + 1
        self.max_bytes = 8 * runtime.cap + 65536

    def serve(self) -> None:
        while True:
            try:
                msg = recv(self.fd_in)
            except EOFError:
                os._exit(0)
            if msg.get("op") == "oracle":
                continue  # a late reply to a worker that has already ended
            if msg.get("op") != "call":
                os._exit(0)
            send(self.fd_out, {"type": "done", **self._call(msg)})

    def _call(self, msg: dict) -> dict:
        r_up, w_up = os.pipe()      # worker -> server
        r_down, w_down = os.pipe()  # server -> worker
        try:
            pid = os.fork()
        except OSError as exc:  # no worker, no call: the sandbox cannot serve this program
            for fd in (r_up, w_up, r_down, w_down):
                os.close(fd)
            return {"setup_failed": True, "detail": f"fork failed: {exc}"}
        if pid == 0:
            self._worker(msg, r_down, w_up, (r_up, w_down))
        os.close(w_up)
        os.close(r_down)
        try:
            send(self.fd_out, {"type": "started", "pid": pid})
            return self._relay(pid, r_up, w_down)
        finally:
            os.close(r_up)
            os.close(w_down)

    def _worker(self, msg: dict, r_down: int, w_up: int, server_ends: tuple[int, int]) -> None:
        """In the forked worker: confine, run the call, send its result, exit (never returns)."""
        import resource
        import signal

        try:
            for fd in (self.fd_in, self.fd_out, *server_ends):
                os.close(fd)
            os.dup2(r_down, WORKER_FD_IN)
            os.dup2(w_up, WORKER_FD_OUT)
            os.close(r_down)
            os.close(w_up)
            self.call_filter.set_death_signal(signal.SIGKILL)
            resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 1))
            resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
            self.call_filter.install()
            send(WORKER_FD_OUT, {"type": "confined"})
        except BaseException:  # noqa: BLE001 - never run a program unconfined
            os._exit(WORKER_SETUP_FAILED)
        try:
            outcome = self.runtime.run_call(msg)
            send(WORKER_FD_OUT, {"type": "result", **outcome})
        except BaseException:  # noqa: BLE001
            os._exit(1)
        os._exit(0)

    def _relay(self, pid: int, r_up: int, w_down: int) -> dict:
        """Forward the worker's frames until it ends; returns the ``done`` frame's content."""
        import select
        import signal
        import time

        buf = bytearray()
        result: dict | None = None
        verdict: dict | None = None
        confined = False
        grace_end: float | None = None
        eof = False
        poller = select.poll()
        poller.register(r_up, select.POLLIN)
        poller.register(self.fd_in, select.POLLIN)
        while verdict is None and not eof:
            timeout = -1 if grace_end is None else max(0, int((grace_end - time.monotonic()) * 1000))
            events = poller.poll(timeout)
            if not events:
                verdict = self._tampered("it kept running after sending its result")
                break
            for fd, _event in events:
                if fd == self.fd_in:
                    self._forward_reply(pid, w_down)
                    continue
                data = os.read(r_up, 1 << 16)
                if not data:
                    eof = True
                buf += data
            while verdict is None and len(buf) >= HEADER.size:
                (length,) = HEADER.unpack_from(buf)
                if length > self.max_bytes:
                    verdict = {"error": "output_too_large", "detail": "the program sent an oversized message"}
                    break
                if len(buf) < HEADER.size + length:
                    break
                raw = bytes(buf[HEADER.size:HEADER.size + length])
                del buf[:HEADER.size + length]
                if result is not None:
                    verdict = self._tampered("another message after its result")
                    break
                if not confined:  # the worker's own first frame, sent before the program runs
                    confined = raw == b'{"type": "confined"}'
                    if not confined:
                        verdict = {"setup_failed": True}
                    continue
                result, verdict = self._frame(raw)
                if result is not None:
                    grace_end = time.monotonic() + RESULT_GRACE_SECONDS
                    # Tell the parent now: if its own limit runs out during the grace, the worker
                    # kept running after its result (tampering), whichever clock fires first.
                    send(self.fd_out, {"type": "result_seen"})
            if eof and buf and verdict is None:
                verdict = self._tampered("an incomplete message")
        # The channel closed with no result: a worker that is exiting already has its final
        # status (a kill cannot change it); one still running closed the channel itself. Killing
        # at once (no grace) keeps the verdict independent of how fast the machine is.
        closed_early = eof and result is None and verdict is None
        status, lingered = self._reap(pid, kill=verdict is not None or closed_early)
        if verdict is not None:
            return verdict
        if not confined:
            return {"setup_failed": True}
        if closed_early and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            return {"error": "crashed", "detail": "the program closed its sandbox channel"}
        if lingered or (result is not None and os.WIFSIGNALED(status)):
            # An honest worker exits the moment its result is sent; one still there when its grace
            # or a limit ends kept running after it (the parent says the same if its clock fires first).
            return self._tampered("it kept running after sending its result")
        if os.WIFSIGNALED(status):
            return {"signal": os.WTERMSIG(status)}
        code = os.WEXITSTATUS(status)
        if result is None or code != 0:
            return {"error": "crashed", "detail": f"the program ended without a result (exit status {code})"}
        return {"outcome": result}

    def _frame(self, raw: bytes) -> tuple[dict | None, dict | None]:
        """One worker frame: relays it; returns (result frame, verdict) for the caller."""
        try:
            frame = json.loads(raw.decode("utf-8", "surrogatepass"))
        except Exception:  # noqa: BLE001 - hostile bytes
            return None, self._tampered("a malformed message")
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "result":
            return frame, None
        if kind == "undefined" and all(isinstance(frame.get(k), str) for k in ("name", "args", "kwargs")):
            send(self.fd_out, {"type": "undefined", "name": frame["name"], "args": frame["args"],
                                "kwargs": frame["kwargs"]})
            return None, None
        if kind == "sticky" and frame.get("error") in STICKY_KINDS and isinstance(frame.get("detail"), str):
            send(self.fd_out, {"type": "sticky", "error": frame["error"], "detail": truncate(frame["detail"])})
            return None, None
        return None, self._tampered("a message the sandbox does not send")

    def _forward_reply(self, pid: int, w_down: int) -> None:
        """Pass the parent's oracle reply to the worker (the parent sends nothing else mid-call)."""
        try:
            msg = recv(self.fd_in)
        except EOFError:
            self._kill(pid)
            os._exit(0)
        if msg.get("op") != "oracle":
            self._kill(pid)
            os._exit(0)
        try:
            send(w_down, msg)
        except OSError:
            pass  # the worker is gone; its end is reported by _relay

    @staticmethod
    def _tampered(what: str) -> dict:
        return {"error": "forbidden_operation", "detail": f"the program wrote on the sandbox channel ({what})"}

    @staticmethod
    def _kill(pid: int) -> None:
        import signal

        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass

    def _reap(self, pid: int, kill: bool) -> tuple[int, bool]:
        """Wait for the worker (killing it first if asked, or if it lingers); (status, lingered)."""
        import time

        lingered = False
        if kill:
            self._kill(pid)
        else:
            deadline = time.monotonic() + RESULT_GRACE_SECONDS
            pause = 0.0001  # an honest worker is already exiting: its pipe closes as it does
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    return status, False
                if time.monotonic() > deadline:
                    lingered = True
                    self._kill(pid)
                    break
                time.sleep(pause)
                pause = min(2 * pause, 0.01)
        return os.waitpid(pid, 0)[1], lingered


def _setup(init: dict, fd_in: int, fd_out: int) -> tuple[_Server, dict]:
    """Steps 3-6 of the start-up sequence; returns the server and a report of active layers."""
    import ctypes
    import gc
    import importlib
    import resource
    import select  # noqa: F401 - used by the server after the filter (no imports then)
    import signal
    import time

    insecure = bool(init.get("insecure"))
    layers: dict = {"seccomp": False, "netns": False, "userns": False, "uid": os.getuid()}
    problems: list[str] = []

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    for name in sorted(ALLOWED_MODULES) + list(PRELOAD_EXTRA):
        importlib.import_module(name)
    # Warm-ups: things that otherwise touch the filesystem on first use.
    import datetime
    import random

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
        (resource.RLIMIT_NOFILE, 16, 16),
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

    runtime = _Runtime(init)
    call_filter = server_filter = None
    try:
        call_filter, server_filter = seccomp.Filter("call"), seccomp.Filter("server")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"seccomp: {exc}")
    server = _Server(init, fd_in, fd_out, runtime, call_filter)
    gc.collect()
    gc.freeze()  # start-up objects are permanent: cheap forks (copy-on-write) and collections
    try:
        if server_filter is None:
            raise RuntimeError("no filter")
        server_filter.install()
        layers["seccomp"] = True
    except Exception as exc:  # noqa: BLE001
        problems.append(f"seccomp: {exc}")
    if problems and not insecure:
        raise RuntimeError("sandbox isolation unavailable: " + "; ".join(problems))
    if call_filter is None:  # insecure mode without seccomp: workers run unfiltered
        server.call_filter = _NoFilter()
    layers["problems"] = problems
    return server, layers


class _NoFilter:
    """Stand-in for the call filter when seccomp is unavailable (COGEX_SANDBOX_INSECURE=1)."""

    def install(self) -> None:
        pass

    def set_death_signal(self, sig: int) -> None:
        pass


def main() -> None:
    fd_in = os.dup(0)
    fd_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    try:
        init = recv(fd_in)
    except Exception:  # noqa: BLE001
        os._exit(3)
    try:
        server, layers = _setup(init, fd_in, fd_out)
    except BaseException as exc:  # noqa: BLE001
        send(fd_out, {"type": "fatal", "detail": truncate(f"{type(exc).__name__}: {exc}", 2000)})
        os._exit(4)
    send(fd_out, {"type": "ready", "layers": layers})
    # Compiling is the first thing done with the program text: under the filter, and a
    # program that does not compile is that program's error, not a sandbox failure.
    send(fd_out, {"type": "compiled", "error": server.runtime.compile_program()})
    server.serve()


if __name__ == "__main__":
    main()
