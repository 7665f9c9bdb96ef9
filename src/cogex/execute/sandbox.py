"""Sandboxed execution of untrusted CoGEX programs.

A program (model output) is executed in a fresh Python child process -- never a fork of the
parent -- that is confined by OS mechanisms before the program is even compiled:

* its own network namespace (no interfaces but a downed loopback), root dropped to
  uid/gid 65534, and a seccomp-BPF allow-list that makes open/socket/clone/execve/kill/...
  fail with EPERM (see ``_seccomp.py``);
* rlimits on address space, CPU, file size (0), open files, core dumps; the parent enforces
  per-call CPU and wall-clock limits from the outside and kills the process group;
* in-interpreter defence in depth: restricted builtins, an allow-list importer, module
  proxies and a static check for frame/type-hierarchy attributes.

The parent talks to the child over pipes with length-prefixed JSON frames whose size it caps;
values cross as ``repr`` text rebuilt with ``ast.literal_eval`` (never pickle), and every read
has a deadline. See docs/sandbox.md for the threat model.

Undefined functions (called by the program, defined nowhere, not builtins) are answered by an
*oracle*: ``run_calls`` looks their canonical key up in a mapping and reports the first miss as
``pending`` so that callers can batch model queries and replay; ``run_call`` asks a callback.
"""

from __future__ import annotations

import ast
import builtins
import fcntl
import importlib
import json
import math
import os
import select
import signal
import struct
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import _sandbox_child as _policy

__all__ = [
    "INSECURE_ENV_VAR",
    "PendingCall",
    "SandboxLimits",
    "SandboxResult",
    "SandboxUnavailableError",
    "run_call",
    "run_calls",
    "undefined_functions",
]

#: Set to "1" to run even when seccomp / namespaces / privilege drop are unavailable (UNSAFE).
INSECURE_ENV_VAR = "COGEX_SANDBOX_INSECURE"

ErrorKind = Literal[
    "syntax_error", "bad_call", "forbidden_import", "forbidden_operation", "undefined_name",
    "runtime_error", "timeout", "memory", "output_too_large", "not_literal", "crashed",
]

_CHILD_SCRIPT = Path(__file__).with_name("_sandbox_child.py")
_CHILD_ENV = {"PYTHONHASHSEED": "0", "PYTHONUTF8": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"}
_STARTUP_SECONDS = 30.0
_WRITE_SECONDS = 5.0
_RECURSION_LIMIT = 1000
_MAX_UNDEFINED_PER_CALL = 10_000  # oracle round trips per call (bounds a request flood)
_HEADER = struct.Struct(">I")
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_BUILTIN_NAMES = frozenset(dir(builtins)) | {"exit", "quit", "help", "copyright", "credits", "license"}


# --------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxLimits:
    """Per-call resource limits of the sandbox child."""

    cpu_seconds: float = 2.0          # per call
    wall_seconds: float = 5.0         # per call, time spent waiting for the parent's oracle excluded
    memory_bytes: int = 512 * 2**20   # address space of the child
    max_result_chars: int = 100_000   # repr of a returned value larger than this -> "output_too_large"

    def __post_init__(self) -> None:
        if not (self.cpu_seconds > 0 and self.wall_seconds > 0):
            raise ValueError("cpu_seconds and wall_seconds must be positive")
        if self.memory_bytes < 64 * 2**20:
            raise ValueError("memory_bytes below 64 MiB cannot run the interpreter")
        if self.max_result_chars < 16:
            raise ValueError("max_result_chars too small")


@dataclass(frozen=True)
class PendingCall:
    """An undefined call the oracle could not answer (``key`` is its canonical oracle key)."""

    name: str
    args: tuple
    kwargs: dict
    key: str


@dataclass
class SandboxResult:
    """Outcome of one call: ``ok`` with ``value``, ``pending`` with ``pending``, or ``error``."""

    status: Literal["ok", "pending", "error"]
    value: Any = None
    error: str | None = None
    detail: str = ""
    pending: PendingCall | None = None
    undefined_calls: list[tuple[str, Any]] = field(default_factory=list)


class SandboxUnavailableError(RuntimeError):
    """The OS isolation layers could not be set up (raised instead of running insecurely)."""


def _error(kind: str, detail: str = "", **extra: Any) -> SandboxResult:
    return SandboxResult(status="error", error=kind, detail=_policy._truncate(detail), **extra)


# --------------------------------------------------------------------------------------
# Static analysis
# --------------------------------------------------------------------------------------


class _Scope:
    __slots__ = ("kind", "parent", "bound", "globals", "nonlocals")

    def __init__(self, kind: str, parent: _Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()


class _Analyzer(ast.NodeVisitor):
    """Scope-aware collection of bindings and of calls to plain names."""

    def __init__(self) -> None:
        self.module = _Scope("module", None)
        self.scope = self.module
        self.calls: list[tuple[_Scope, str]] = []

    # bindings
    def _bind(self, name: str, scope: _Scope | None = None) -> None:
        scope = scope or self.scope
        (self.module.bound if name in scope.globals else scope.bound).add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.partition(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name)
            elif node.module in _policy.ALLOWED_MODULES and not node.level:
                module = importlib.import_module(node.module)
                names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
                for name in names:
                    self._bind(name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        self._bind(node.target.id, scope)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name):
            self.calls.append((self.scope, node.func.id))
        self.generic_visit(node)

    # scopes
    def _enter(self, kind: str) -> _Scope:
        self.scope = _Scope(kind, self.scope)
        return self.scope

    def _leave(self, scope: _Scope) -> None:
        assert scope.parent is not None
        self.scope = scope.parent

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.visit(default)
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
            for param in params:
                if param.annotation is not None:
                    self.visit(param.annotation)
            if node.returns is not None:
                self.visit(node.returns)
            self._bind(node.name)
        scope = self._enter("function")
        for param in params:
            self._bind(param.arg)
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt)
        self._leave(scope)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *[k.value for k in node.keywords]]:
            self.visit(expr)
        self._bind(node.name)
        scope = self._enter("class")
        for stmt in node.body:
            self.visit(stmt)
        self._leave(scope)

    def _comprehension(self, node: ast.expr, results: list[ast.expr]) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self.visit(generators[0].iter)
        scope = self._enter("comprehension")
        for i, gen in enumerate(generators):
            if i:
                self.visit(gen.iter)
            self.visit(gen.target)
            for cond in gen.ifs:
                self.visit(cond)
        for expr in results:
            self.visit(expr)
        self._leave(scope)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    # resolution
    def resolves(self, scope: _Scope, name: str) -> bool:
        module = self.module
        if name in scope.globals:
            return name in module.bound
        if name in scope.bound or name in scope.nonlocals:
            return True
        current = scope.parent
        while current is not None and current is not module:
            if current.kind != "class":  # class bodies are invisible to nested scopes
                if name in current.globals:
                    return name in module.bound
                if name in current.bound or name in current.nonlocals:
                    return True
            current = current.parent
        return name in module.bound


def _undefined_in_tree(tree: ast.AST) -> set[str]:
    analyzer = _Analyzer()
    analyzer.visit(tree)
    return {name for scope, name in analyzer.calls
            if name not in _BUILTIN_NAMES and not analyzer.resolves(scope, name)}


def undefined_functions(program: str) -> set[str]:
    """Names called in ``program`` that it never binds (in a visible scope) and that are not builtins.

    Raises SyntaxError for unparsable programs.
    """
    return _undefined_in_tree(ast.parse(program, _policy.PROGRAM_FILENAME))


# --------------------------------------------------------------------------------------
# Keys and call parsing
# --------------------------------------------------------------------------------------


def _canonical_repr(value: Any) -> str:
    """repr() with set elements sorted, so that keys do not depend on hash seeds."""
    t = type(value)
    if t is list:
        return "[" + ", ".join(map(_canonical_repr, value)) + "]"
    if t is tuple:
        inner = ", ".join(map(_canonical_repr, value))
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if t is dict:
        return "{" + ", ".join(f"{_canonical_repr(k)}: {_canonical_repr(v)}" for k, v in value.items()) + "}"
    if t is set or t is frozenset:
        if not value:
            return "set()" if t is set else "frozenset()"
        inner = "{" + ", ".join(sorted(map(_canonical_repr, value))) + "}"
        return inner if t is set else f"frozenset({inner})"
    return repr(value)


def _call_key(name: str, args: tuple, kwargs: Mapping[str, Any]) -> str:
    parts = [_canonical_repr(a) for a in args]
    parts += [f"{k}={_canonical_repr(v)}" for k, v in sorted(kwargs.items())]
    return f"{name}({', '.join(parts)})"


def _parse_call(call: str) -> tuple[str, tuple, dict] | SandboxResult:
    """Parse ``name(literal, ..., key=literal)``; arguments go through ast.literal_eval only."""
    try:
        node = ast.parse(call.strip(), "<call>", mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return _error("bad_call", f"call is not valid Python: {exc}")
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return _error("bad_call", "call must look like name(literal, ..., key=literal)")
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    try:
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                return _error("bad_call", "*args are not supported in calls")
            args.append(_literal(arg, f"argument {i + 1}"))
        for kw in node.keywords:
            if kw.arg is None:
                return _error("bad_call", "**kwargs are not supported in calls")
            kwargs[kw.arg] = _literal(kw.value, f"argument {kw.arg!r}")
    except ValueError as exc:
        return _error("bad_call", str(exc))
    return node.func.id, tuple(args), kwargs


def _literal(node: ast.expr, what: str) -> Any:
    try:
        value = ast.literal_eval(node)
        ast.literal_eval(repr(value))  # must survive the trip to the child
        return value
    except Exception as exc:  # noqa: BLE001 - literal_eval raises many kinds
        raise ValueError(f"{what} is not a literal: {type(exc).__name__}: {exc}") from None


def _roundtrip_literal(value: Any) -> str | None:
    """repr(value) if it rebuilds with ast.literal_eval, else None."""
    try:
        text = repr(value)
        ast.literal_eval(text)
        return text
    except Exception:  # noqa: BLE001
        return None


# --------------------------------------------------------------------------------------
# Child process management
# --------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
        fields = data[data.rindex(b")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


class _Budget:
    """Wall-clock (accumulated while waiting on the child) and CPU budget of one call."""

    def __init__(self, pid: int, wall: float, cpu: float) -> None:
        self.pid = pid
        self.wall_left = wall
        self.cpu_limit = cpu
        start = _cpu_seconds(pid)
        self.cpu_start = start if start is not None else 0.0
        self.exceeded = ""

    def next_wait(self) -> float:
        """Seconds to wait before limits must be re-checked; 0 when a limit is exceeded."""
        if self.wall_left <= 0:
            self.exceeded = "wall-clock"
            return 0.0
        cpu_left = math.inf
        if math.isfinite(self.cpu_limit):
            now = _cpu_seconds(self.pid)
            if now is not None:
                cpu_left = self.cpu_limit - (now - self.cpu_start)
                if cpu_left <= 0:
                    self.exceeded = "CPU"
                    return 0.0
        # single-threaded child: CPU time grows at most as fast as wall time
        return max(0.01, min(self.wall_left, cpu_left))


class _Child:
    """One sandbox child process serving calls of one program."""

    def __init__(self, init: dict, *, insecure: bool) -> None:
        if not sys.executable:
            raise SandboxUnavailableError("sys.executable is unknown; cannot start a sandbox child")
        self.undefined = frozenset(init["undefined"])
        self._buf = bytearray()
        self._killed = False
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-S", "-P", "-B", str(_CHILD_SCRIPT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd="/", env=dict(_CHILD_ENV), start_new_session=True, close_fds=True, bufsize=0,
        )
        self.pid = self.proc.pid
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._fd_w = self.proc.stdin.fileno()
        self._fd_r = self.proc.stdout.fileno()
        for fd in (self._fd_w, self._fd_r):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.layers: dict = {}
        try:
            self._start(init, insecure)
        except BaseException:
            self.close()
            raise

    def _start(self, init: dict, insecure: bool) -> None:
        if not self._send(init, timeout=_STARTUP_SECONDS):
            raise SandboxUnavailableError("sandbox child died during start-up")
        budget = _Budget(self.pid, _STARTUP_SECONDS, math.inf)
        frame = self._read_frame(budget, 1 << 20)
        if isinstance(frame, dict) and frame.get("type") == "fatal":
            raise SandboxUnavailableError(f"sandbox child refused to start: {frame.get('detail')}")
        if not isinstance(frame, dict) or frame.get("type") != "ready":
            raise SandboxUnavailableError(f"sandbox child failed to start ({frame!r})")
        self.layers = dict(frame.get("layers") or {})
        verified = self._verify_layers()
        self.layers["verified"] = verified
        problems = [k for k, ok in verified.items() if not ok]
        if problems:
            if not insecure:
                raise SandboxUnavailableError(f"sandbox isolation not in effect: {problems}")
            warnings.warn(f"cogex sandbox running INSECURELY (missing: {problems})", RuntimeWarning,
                          stacklevel=4)

    def _verify_layers(self) -> dict[str, bool]:
        """Check from the outside (procfs) that the child is really confined."""
        checks = {"seccomp": False, "no_new_privs": False, "netns": False, "unprivileged": False}
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            checks["seccomp"] = fields.get("Seccomp", "").strip() == "2"
            checks["no_new_privs"] = fields.get("NoNewPrivs", "").strip() == "1"
            uids = fields.get("Uid", "0").split()
            if os.geteuid() == 0:
                checks["unprivileged"] = all(u != "0" for u in uids)
            else:
                checks["unprivileged"] = (os.readlink(f"/proc/{self.pid}/ns/user")
                                          != os.readlink("/proc/self/ns/user"))
            checks["netns"] = os.readlink(f"/proc/{self.pid}/ns/net") != os.readlink("/proc/self/ns/net")
        except OSError:
            pass
        return checks

    # ---- framing -------------------------------------------------------------------
    def _send(self, obj: dict, timeout: float = _WRITE_SECONDS) -> bool:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
        view = memoryview(_HEADER.pack(len(data)) + data)
        deadline = time.monotonic() + timeout
        poller = select.poll()
        poller.register(self._fd_w, select.POLLOUT)
        while view:
            try:
                n = os.write(self._fd_w, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except OSError:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            poller.poll(max(1, int(left * 1000)))
        return True

    def _read_frame(self, budget: _Budget, max_bytes: int) -> dict | str:
        """Next frame as a dict, or "timeout" / "eof" / "too_large" / "garbage"."""
        poller = select.poll()
        poller.register(self._fd_r, select.POLLIN)
        while True:
            if len(self._buf) >= _HEADER.size:
                (length,) = _HEADER.unpack_from(self._buf)
                if length > max_bytes:
                    return "too_large"
                if len(self._buf) >= _HEADER.size + length:
                    raw = bytes(self._buf[_HEADER.size:_HEADER.size + length])
                    del self._buf[:_HEADER.size + length]
                    try:
                        frame = json.loads(raw.decode("utf-8", "surrogatepass"))
                    except Exception:  # noqa: BLE001 - hostile bytes
                        return "garbage"
                    return frame if isinstance(frame, dict) else "garbage"
            wait = budget.next_wait()
            if wait <= 0:
                return "timeout"
            started = time.monotonic()
            events = poller.poll(int(math.ceil(wait * 1000)))
            if events:
                try:
                    data = os.read(self._fd_r, 1 << 20)
                except BlockingIOError:
                    data = None
                except OSError:
                    data = b""
                if data == b"":
                    budget.wall_left -= time.monotonic() - started
                    return "eof"
                if data:
                    self._buf += data
            budget.wall_left -= time.monotonic() - started

    # ---- calls -------------------------------------------------------------------------
    def call(self, name: str, args: tuple, kwargs: dict, resolver: _Resolver,
             limits: SandboxLimits) -> tuple[SandboxResult, bool]:
        """Run one call; returns (result, child still usable)."""
        request = {"op": "call", "fname": name, "args": repr(args), "kwargs": repr(kwargs)}
        if not self._send(request):
            return self._died(None), False
        budget = _Budget(self.pid, limits.wall_seconds, limits.cpu_seconds)
        max_bytes = 8 * limits.max_result_chars + 65536
        pending: PendingCall | None = None
        answered: list[tuple[str, Any]] = []
        requests = 0
        while True:
            frame = self._read_frame(budget, max_bytes)
            if isinstance(frame, str):
                if frame == "timeout":
                    self.kill()
                    res = _error("timeout", f"call exceeded its {budget.exceeded} limit "
                                 f"({limits.cpu_seconds if budget.exceeded == 'CPU' else limits.wall_seconds} s)")
                elif frame == "eof":
                    res = self._died(budget)
                elif frame == "too_large":
                    self.kill()
                    res = _error("output_too_large", "child sent an oversized message")
                else:
                    self.kill()
                    res = _error("crashed", "child broke the wire protocol")
                if pending is not None:
                    res = SandboxResult(status="pending", pending=pending)
                res.undefined_calls = answered
                return res, False
            kind = frame.get("type")
            if kind == "undefined":
                requests += 1
                if requests > _MAX_UNDEFINED_PER_CALL:
                    self.kill()
                    res = _error("runtime_error", f"more than {_MAX_UNDEFINED_PER_CALL} undefined calls")
                    if pending is not None:
                        res = SandboxResult(status="pending", pending=pending)
                    res.undefined_calls = answered
                    return res, False
                reply = self._answer(frame, resolver, answered, pending is not None)
                if reply is None:  # forged / malformed request
                    self.kill()
                    return _error("crashed", "child broke the wire protocol", undefined_calls=answered), False
                reply_msg, new_pending = reply
                if new_pending is not None and pending is None:
                    pending = new_pending
                if not self._send(reply_msg):
                    return self._died(budget), False
                continue
            if kind == "result":
                res = self._result(frame, limits)
                if pending is not None:
                    res = SandboxResult(status="pending", pending=pending)
                res.undefined_calls = answered
                return res, not frame.get("restart")
            self.kill()
            return _error("crashed", "child broke the wire protocol", undefined_calls=answered), False

    def _answer(self, frame: dict, resolver: _Resolver, answered: list[tuple[str, Any]],
                already_pending: bool) -> tuple[dict, PendingCall | None] | None:
        name, args_text, kwargs_text = frame.get("name"), frame.get("args"), frame.get("kwargs")
        if name not in self.undefined or not isinstance(args_text, str) or not isinstance(kwargs_text, str):
            return None
        try:
            args = ast.literal_eval(args_text)
            kwargs = ast.literal_eval(kwargs_text)
            if not isinstance(args, tuple) or not isinstance(kwargs, dict) or \
                    not all(isinstance(k, str) for k in kwargs):
                raise ValueError("bad argument structure")
            key = _call_key(name, args, kwargs)
        except Exception as exc:  # noqa: BLE001 - hostile text
            return {"op": "oracle", "error": "not_literal",
                    "detail": f"arguments of {name}() are not literal data: {exc}"}, None
        call = PendingCall(name=name, args=args, kwargs=kwargs, key=key)
        if already_pending:
            return {"op": "oracle", "found": False}, None
        found, value = resolver(call)
        if not found:
            return {"op": "oracle", "found": False}, call
        text = _roundtrip_literal(value)
        if text is None:
            return {"op": "oracle", "error": "not_literal",
                    "detail": f"oracle value for {key} is not literal data"}, None
        answered.append((key, value))
        return {"op": "oracle", "found": True, "value": text}, None

    def _result(self, frame: dict, limits: SandboxLimits) -> SandboxResult:
        status = frame.get("status")
        if status == "ok":
            text = frame.get("value")
            if not isinstance(text, str):
                return _error("crashed", "child broke the wire protocol")
            if len(text) > limits.max_result_chars:
                return _error("output_too_large", f"result repr has {len(text)} characters")
            try:
                value = ast.literal_eval(text)
            except Exception as exc:  # noqa: BLE001 - hostile text
                return _error("not_literal", f"returned value is not plain literal data "
                              f"({type(exc).__name__}): {text[:200]}")
            return SandboxResult(status="ok", value=value)
        if status == "error":
            kind = frame.get("error")
            detail = frame.get("detail")
            if kind not in _policy.ERROR_KINDS:
                return _error("crashed", f"child reported an unknown error kind {str(kind)[:50]!r}")
            return _error(kind, detail if isinstance(detail, str) else "")
        return _error("crashed", "child reported an unexpected status")

    def _died(self, budget: _Budget | None) -> SandboxResult:
        """The pipe closed: reap the child and classify how it ended."""
        try:
            rc = self.proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            self.kill()
            return _error("crashed", "child closed its pipe")
        self._killed = True
        if rc < 0:
            sig = -rc
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig == signal.SIGXCPU:
                return _error("timeout", "child exceeded its CPU rlimit (SIGXCPU)")
            if sig == getattr(signal, "SIGSYS", -1):
                return _error("forbidden_operation", "child killed by seccomp (SIGSYS)")
            return _error("crashed", f"child killed by {name}")
        return _error("crashed", f"child exited with status {rc}")

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        for kill in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: self.proc.kill()):
            try:
                kill()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


_Resolver = Callable[[PendingCall], tuple[bool, Any]]


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def _run_calls(program: str, calls: Sequence[str], *, resolver: _Resolver, allow_undefined: bool,
               limits: SandboxLimits, python_guard: bool = True) -> list[SandboxResult]:
    """Implementation of run_calls; ``python_guard=False`` (tests only) keeps just the OS layer."""
    if isinstance(calls, str):
        raise TypeError("calls must be a sequence of call strings, not a string")
    n = len(calls)
    try:
        tree = ast.parse(program, _policy.PROGRAM_FILENAME)
        undefined = _undefined_in_tree(tree)
    except SyntaxError as exc:
        return [_error("syntax_error", f"SyntaxError: {exc.msg} (line {exc.lineno})") for _ in range(n)]
    except (ValueError, MemoryError, RecursionError) as exc:
        return [_error("syntax_error", f"{type(exc).__name__}: {exc}") for _ in range(n)]
    if python_guard:
        violation = _policy.static_violation(tree)
        if violation:
            return [_error("forbidden_operation", violation) for _ in range(n)]
    parsed = [_parse_call(c) if isinstance(c, str) else _error("bad_call", "call must be a string")
              for c in calls]
    insecure = os.environ.get(INSECURE_ENV_VAR) == "1"
    results: list[SandboxResult] = []
    child: _Child | None = None
    try:
        for i, item in enumerate(parsed):
            if isinstance(item, SandboxResult):
                results.append(item)
                continue
            if child is None:
                remaining = sum(1 for p in parsed[i:] if not isinstance(p, SandboxResult))
                child = _Child({
                    "program": program, "undefined": sorted(undefined),
                    "allow_undefined": allow_undefined, "python_guard": python_guard,
                    "max_result_chars": limits.max_result_chars,
                    "memory_bytes": limits.memory_bytes,
                    "cpu_budget": int(math.ceil(limits.cpu_seconds * remaining + 10)),
                    "recursion_limit": _RECURSION_LIMIT, "insecure": insecure,
                }, insecure=insecure)
            result, alive = child.call(*item, resolver, limits)
            results.append(result)
            if not alive:
                child.close()
                child = None
    finally:
        if child is not None:
            child.close()
    return results


def run_calls(program: str, calls: Sequence[str], *, oracle: Mapping[str, Any] | None = None,
              allow_undefined: bool = True, limits: SandboxLimits = SandboxLimits()) -> list[SandboxResult]:
    """Run ``program`` in one sandboxed child and evaluate each call string (results in order).

    An undefined call whose key is in ``oracle`` returns ``oracle[key]``; the first one that is
    not makes that call ``pending``. With ``allow_undefined=False`` undefined calls are
    ``undefined_name`` errors. A call that times out / exhausts memory / crashes the child is
    reported as its error and the remaining calls continue in a fresh child. Each call starts
    from a fresh execution of the program's top level with ``random.seed(0)``.
    Raises SandboxUnavailableError if the OS isolation cannot be established.
    """
    table: Mapping[str, Any] = oracle if oracle is not None else {}

    def resolver(call: PendingCall) -> tuple[bool, Any]:
        if call.key in table:
            return True, table[call.key]
        return False, None

    return _run_calls(program, calls, resolver=resolver, allow_undefined=allow_undefined, limits=limits)


def run_call(program: str, call: str, *, on_undefined: Callable[[PendingCall], Any] | None = None,
             limits: SandboxLimits = SandboxLimits(), max_rounds: int = 32) -> SandboxResult:
    """Run one call, answering undefined calls with ``on_undefined`` (called in the parent).

    Equivalent to replaying run_calls with a growing oracle, but answers are fed to the live
    child, so the program runs once. At most ``max_rounds`` distinct undefined calls are asked;
    beyond that the call fails with ``runtime_error``. ``on_undefined=None``: undefined calls
    are ``undefined_name`` errors. Exceptions from ``on_undefined`` propagate.
    """
    answers: dict[str, Any] = {}

    def resolver(pending: PendingCall) -> tuple[bool, Any]:
        if pending.key in answers:
            return True, answers[pending.key]
        if on_undefined is None or len(answers) >= max_rounds:
            return False, None
        answers[pending.key] = value = on_undefined(pending)
        return True, value

    result = _run_calls(program, [call], resolver=resolver, allow_undefined=on_undefined is not None,
                        limits=limits)[0]
    if result.status == "pending":
        return _error("runtime_error", f"gave up after {max_rounds} undefined calls "
                      f"(next: {result.pending.key if result.pending else '?'})",
                      undefined_calls=result.undefined_calls)
    return result


def _probe_isolation(limits: SandboxLimits = SandboxLimits()) -> dict:
    """Start a child and return its isolation report (layers it set up + procfs verification)."""
    child = _Child({
        "program": "", "undefined": [], "allow_undefined": False, "python_guard": True,
        "max_result_chars": limits.max_result_chars, "memory_bytes": limits.memory_bytes,
        "cpu_budget": 10, "recursion_limit": _RECURSION_LIMIT,
        "insecure": os.environ.get(INSECURE_ENV_VAR) == "1",
    }, insecure=os.environ.get(INSECURE_ENV_VAR) == "1")
    try:
        return dict(child.layers)
    finally:
        child.close()
