"""Sandboxed execution of untrusted CoGEX programs.

A program (model output) is executed in a fresh Python child process -- never a fork of the
parent -- that is confined by OS mechanisms before the program is even compiled:

* its own network namespace (no interfaces but a downed loopback), root dropped to
  uid/gid 65534, and a seccomp-BPF allow-list that makes open/stat/... fail with EPERM
  (see :mod:`.seccomp`);
* each call runs in its own *worker*, forked by the child before the program's code runs and
  discarded after the call, under a stricter stacked filter (sockets, clone, execve, kill,
  ptrace... kill it with SIGSYS) and its own CPU rlimit: a call cannot leave anything behind
  for another call, and cannot write on the parent's pipes;
* rlimits on address space, CPU, file size (0), open files, core dumps; the parent enforces
  per-call CPU and wall-clock limits from the outside and kills the process group;
* in-interpreter defence in depth: restricted builtins, an allow-list importer, module
  proxies, guarded class patterns and a static check for frame/type-hierarchy attributes.

The parent talks to the child over pipes with length-prefixed JSON frames whose size it caps;
values cross as ``repr`` text rebuilt with ``ast.literal_eval`` (never pickle), and every read
has a deadline. Violations are recorded by the parent as they are reported (or seen from the
outside: SIGSYS, channel tampering), and the first one is the call's outcome whatever the
program does afterwards. See docs/sandbox.md for the threat model and the integrity guarantee.

Undefined functions (called by the program, defined nowhere, not builtins) are answered by an
*oracle*: ``run_calls`` looks their canonical key up in a mapping and reports the first miss as
``pending`` so that callers can batch model queries and replay; ``run_call`` asks a callback.
"""

from __future__ import annotations

import ast
import fcntl
import json
import math
import os
import select
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from cogex.sandbox.analysis import static_violation, undefined_functions, undefined_in_tree
from cogex.sandbox.policy import ERROR_KINDS, PROGRAM_FILENAME, STICKY_KINDS, SandboxLimits, truncate
from cogex.sandbox.wire import HEADER

__all__ = [
    "INSECURE_ENV_VAR",
    "HelperBudgetExceeded",
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

_CHILD_SCRIPT = Path(__file__).with_name("child.py")
_CHILD_ENV = {"PYTHONHASHSEED": "0", "PYTHONUTF8": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"}
_STARTUP_SECONDS = 30.0
_WRITE_SECONDS = 5.0
_RECURSION_LIMIT = 1000
_MAX_UNDEFINED_PER_CALL = 10_000  # oracle round trips per call, repeats included (bounds a flood)
_FRAME_SLACK = 4096  # the child's own framing around a worker's (capped) message
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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
    seconds: float = 0.0  # wall time of the call in the parent, oracle / callback time included


class SandboxUnavailableError(RuntimeError):
    """The OS isolation layers could not be set up (raised instead of running insecurely)."""


class HelperBudgetExceeded(Exception):
    """Raised by an oracle resolver to refuse a helper call (the call ends ``budget_exceeded``)."""


def _error(kind: str, detail: str = "", **extra: Any) -> SandboxResult:
    return SandboxResult(status="error", error=kind, detail=truncate(detail), **extra)

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

    def track(self, pid: int) -> None:
        """Charge CPU to ``pid`` from now on (the worker that runs the call)."""
        self.pid = pid
        start = _cpu_seconds(pid)
        self.cpu_start = start if start is not None else 0.0

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
        self.program_error: SandboxResult | None = None  # the program does not compile
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
        if not self.send(init, timeout=_STARTUP_SECONDS):
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
        self.program_error = self._compiled()

    def _compiled(self) -> SandboxResult | None:
        """Read the child's compile report: None, or the error every call of the program gets.

        The child compiles only after it is confined, so whatever the program text does to
        the compiler is that program's failure, never a sandbox failure.
        """
        frame = self._read_frame(_Budget(self.pid, _STARTUP_SECONDS, math.inf), 1 << 20)
        if isinstance(frame, dict) and frame.get("type") == "compiled":
            error = frame.get("error")
            return None if error is None else _error("syntax_error", str(error))
        self.kill()
        if frame == "timeout":
            return _error("timeout", f"compiling the program took longer than {_STARTUP_SECONDS:.0f} s")
        return _error("crashed", "the sandbox child died while compiling the program")

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
    def send(self, obj: dict, timeout: float = _WRITE_SECONDS) -> bool:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
        view = memoryview(HEADER.pack(len(data)) + data)
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
            if len(self._buf) >= HEADER.size:
                (length,) = HEADER.unpack_from(self._buf)
                if length > max_bytes:
                    return "too_large"
                if len(self._buf) >= HEADER.size + length:
                    raw = bytes(self._buf[HEADER.size:HEADER.size + length])
                    del self._buf[:HEADER.size + length]
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
        """Run one call (in a fresh worker of the child); returns (result, child still usable)."""
        request = {"op": "call", "fname": name, "args": repr(args), "kwargs": repr(kwargs)}
        if not self.send(request):
            return self._died(None), False
        budget = _Budget(self.pid, limits.wall_seconds, limits.cpu_seconds)
        max_bytes = 8 * limits.max_result_chars + 65536 + _FRAME_SLACK
        track = _CallTrack()
        while True:
            frame = self._read_frame(budget, max_bytes)
            if isinstance(frame, str):
                if frame == "timeout" and track.result_seen:  # the same verdict the server reaches after its grace
                    self.kill()
                    return track.finish(_error("forbidden_operation", "the program wrote on the sandbox channel "
                                               "(it kept running after sending its result)")), False
                return track.finish(self._lost(frame, budget, limits)), False
            kind = frame.get("type")
            if kind == "started" and isinstance(frame.get("pid"), int):
                budget.track(frame["pid"])
            elif kind == "result_seen":
                track.result_seen = True
            elif kind == "sticky" and frame.get("error") in STICKY_KINDS:
                detail = frame.get("detail")
                track.stick(_error(frame["error"], detail if isinstance(detail, str) else ""))
            elif kind == "undefined":
                reply = self._answer(frame, resolver, limits, track)
                if reply is None:  # forged / malformed request
                    self.kill()
                    return track.finish(_error("crashed", "child broke the wire protocol")), False
                if not self.send(reply):
                    return track.finish(self._died(budget)), False
            elif kind == "done":
                if frame.get("setup_failed"):
                    self.kill()
                    why = frame.get("detail")
                    raise SandboxUnavailableError("a sandbox worker could not be started or confined"
                                                  + (f": {str(why)[:200]}" if why else ""))
                return track.finish(self._verdict(frame, limits)), True
            else:
                self.kill()
                return track.finish(_error("crashed", "child broke the wire protocol")), False

    def _lost(self, frame: str, budget: _Budget, limits: SandboxLimits) -> SandboxResult:
        """The child stopped answering properly (``_read_frame`` status): classify and kill."""
        if frame == "eof":
            return self._died(budget)
        self.kill()
        if frame == "timeout":
            limit = limits.cpu_seconds if budget.exceeded == "CPU" else limits.wall_seconds
            return _error("timeout", f"call exceeded its {budget.exceeded} limit ({limit} s)")
        if frame == "too_large":
            return _error("output_too_large", "child sent an oversized message")
        return _error("crashed", "child broke the wire protocol")

    def _answer(self, frame: dict, resolver: _Resolver, limits: SandboxLimits,
                track: _CallTrack) -> dict | None:
        """The reply to a worker's undefined call, or None for a malformed request."""
        name, args_text, kwargs_text = frame.get("name"), frame.get("args"), frame.get("kwargs")
        if name not in self.undefined or not isinstance(args_text, str) or not isinstance(kwargs_text, str):
            return None
        track.requests += 1
        if track.outcome is not None:  # the call is decided; the worker just has to finish
            return {"op": "oracle", "found": False}
        if track.requests > _MAX_UNDEFINED_PER_CALL:
            return track.refuse("budget_exceeded", f"more than {_MAX_UNDEFINED_PER_CALL} helper calls in one call")
        if len(args_text) + len(kwargs_text) > limits.max_helper_arg_chars:
            return track.refuse("budget_exceeded", f"the arguments of helper {name}() are longer than "
                                f"{limits.max_helper_arg_chars} characters")
        try:
            args = ast.literal_eval(args_text)
            kwargs = ast.literal_eval(kwargs_text)
            if not isinstance(args, tuple) or not isinstance(kwargs, dict) or \
                    not all(isinstance(k, str) for k in kwargs):
                raise ValueError("bad argument structure")
            key = _call_key(name, args, kwargs)
        except Exception as exc:  # noqa: BLE001 - hostile text
            return track.refuse("not_literal", f"arguments of {name}() are not literal data: {exc}")
        if key not in track.keys and len(track.keys) >= limits.max_helper_calls:
            return track.refuse("budget_exceeded", f"more than {limits.max_helper_calls} distinct helper calls "
                                f"(next: {truncate(key, 200)})")
        track.keys.add(key)
        call = PendingCall(name=name, args=args, kwargs=kwargs, key=key)
        try:
            found, value = resolver(call)
        except HelperBudgetExceeded as exc:
            return track.refuse("budget_exceeded", str(exc))
        if not found:
            track.stick(SandboxResult(status="pending", pending=call))
            return {"op": "oracle", "found": False}
        text = _roundtrip_literal(value)
        if text is None:
            return track.refuse("not_literal", f"oracle value for {key} is not literal data")
        track.answered.append((key, value))
        return {"op": "oracle", "found": True, "value": text}

    def _verdict(self, frame: dict, limits: SandboxLimits) -> SandboxResult:
        """The child's report of how the call's worker ended."""
        outcome = frame.get("outcome")
        if isinstance(outcome, dict):
            return self._result(outcome, limits)
        sig = frame.get("signal")
        if isinstance(sig, int):
            if sig == signal.SIGXCPU:
                return _error("timeout", f"call exceeded its CPU limit ({limits.cpu_seconds} s; SIGXCPU)")
            if sig == getattr(signal, "SIGSYS", -1):
                return _error("forbidden_operation", "the program made a forbidden system call "
                              "(killed by seccomp, SIGSYS)")
            return _error("crashed", f"the program was killed by {_signal_name(sig)}")
        kind, detail = frame.get("error"), frame.get("detail")
        if kind in ERROR_KINDS:
            return _error(kind, detail if isinstance(detail, str) else "")
        return _error("crashed", "child broke the wire protocol")

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
            if kind not in ERROR_KINDS:
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
            if sig == signal.SIGXCPU:
                return _error("timeout", "child exceeded its CPU rlimit (SIGXCPU)")
            if sig == getattr(signal, "SIGSYS", -1):
                return _error("forbidden_operation", "child killed by seccomp (SIGSYS)")
            return _error("crashed", f"child killed by {_signal_name(sig)}")
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


def _signal_name(sig: int) -> str:
    return signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else f"signal {sig}"


class _CallTrack:
    """The parent's record of one call: helper calls answered, and its *sticky* outcome.

    The first violation reported by the worker, the first unanswered helper call (pending) or
    the first refused one becomes the call's outcome, whatever the worker sends later.
    """

    def __init__(self) -> None:
        self.outcome: SandboxResult | None = None
        self.answered: list[tuple[str, Any]] = []
        self.keys: set[str] = set()
        self.requests = 0
        self.result_seen = False  # the worker sent its result; the server is waiting for it to exit

    def stick(self, result: SandboxResult) -> None:
        if self.outcome is None:
            self.outcome = result

    def refuse(self, kind: str, detail: str) -> dict:
        """Make ``kind`` the call's outcome; the reply that tells the worker so."""
        self.stick(_error(kind, detail))
        return {"op": "oracle", "error": kind, "detail": truncate(detail)}

    def finish(self, result: SandboxResult) -> SandboxResult:
        out = self.outcome if self.outcome is not None else result
        out.undefined_calls = self.answered
        return out


def _child_init(program: str, undefined: set[str], *, allow_undefined: bool, limits: SandboxLimits,
                calls: int, python_guard: bool, insecure: bool, grant_sys: bool) -> dict:
    return {
        "program": program, "undefined": sorted(undefined),
        "allow_undefined": allow_undefined, "python_guard": python_guard,
        "max_result_chars": limits.max_result_chars, "max_helper_arg_chars": limits.max_helper_arg_chars,
        "memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds,
        "cpu_budget": int(math.ceil(limits.cpu_seconds * calls + 10)),
        "recursion_limit": _RECURSION_LIMIT, "insecure": insecure, "test_grant_sys": grant_sys,
    }


def _run_calls(program: str, calls: Sequence[str], *, resolver: _Resolver, allow_undefined: bool,
               limits: SandboxLimits, python_guard: bool = True, grant_sys: bool = False) -> list[SandboxResult]:
    """Implementation of run_calls. Test hooks: ``python_guard=False`` keeps just the OS layer;
    ``grant_sys=True`` hands the program the child's real ``sys`` (as the builtin ``GRANTED_SYS``)
    to stand for a program that has escaped the Python layer."""
    if isinstance(calls, str):
        raise TypeError("calls must be a sequence of call strings, not a string")
    n = len(calls)
    try:
        tree = ast.parse(program, PROGRAM_FILENAME)
        undefined = undefined_in_tree(tree)
    except SyntaxError as exc:
        return [_error("syntax_error", f"SyntaxError: {exc.msg} (line {exc.lineno})") for _ in range(n)]
    except (ValueError, MemoryError, RecursionError) as exc:
        return [_error("syntax_error", f"{type(exc).__name__}: {exc}") for _ in range(n)]
    if python_guard:
        violation = static_violation(tree)
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
                child = _Child(_child_init(program, undefined, allow_undefined=allow_undefined, limits=limits,
                                           calls=remaining, python_guard=python_guard, insecure=insecure,
                                           grant_sys=grant_sys), insecure=insecure)
                if child.program_error is not None:  # every call of the program fails alike
                    error = child.program_error
                    return [_error(error.error or "syntax_error", error.detail) for _ in range(n)]
            started = time.monotonic()
            result, alive = child.call(*item, resolver, limits)
            result.seconds = time.monotonic() - started
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
    ``undefined_name`` errors. A call that times out / exhausts memory / crashes its worker is
    reported as its error and the remaining calls continue. Each call runs in a fresh worker
    from a fresh execution of the program's top level with ``random.seed(0)``. A program that
    does not compile gets ``syntax_error`` for every call. Helper calls beyond the limits'
    helper budget are ``budget_exceeded``.
    Raises SandboxUnavailableError if the OS isolation cannot be established.
    """
    table: Mapping[str, Any] = oracle if oracle is not None else {}

    def resolver(call: PendingCall) -> tuple[bool, Any]:
        if call.key in table:
            return True, table[call.key]
        return False, None

    return _run_calls(program, calls, resolver=resolver, allow_undefined=allow_undefined, limits=limits)


def run_call(program: str, call: str, *, on_undefined: Callable[[PendingCall], Any] | None = None,
             limits: SandboxLimits = SandboxLimits(), max_rounds: int | None = None) -> SandboxResult:
    """Run one call, answering undefined calls with ``on_undefined`` (called in the parent).

    Equivalent to replaying run_calls with a growing oracle, but answers are fed to the live
    child, so the program runs once. At most ``max_rounds`` distinct undefined calls are asked
    (default ``limits.max_helper_calls``), and none once ``limits.item_seconds`` have passed
    since the call started; either way the call fails with ``budget_exceeded``.
    ``on_undefined=None``: undefined calls are ``undefined_name`` errors. Exceptions from
    ``on_undefined`` propagate.
    """
    rounds = limits.max_helper_calls if max_rounds is None else max_rounds
    limits = replace(limits, max_helper_calls=max(1, rounds))
    answers: dict[str, Any] = {}
    started = time.monotonic()

    def resolver(pending: PendingCall) -> tuple[bool, Any]:
        if pending.key in answers:
            return True, answers[pending.key]
        if on_undefined is None:
            return False, None
        if len(answers) >= rounds:
            raise HelperBudgetExceeded(f"more than {rounds} distinct helper calls (next: "
                                       f"{truncate(pending.key, 200)})")
        if time.monotonic() - started > limits.item_seconds:
            raise HelperBudgetExceeded(f"the call's time budget ({limits.item_seconds:g} s, helper "
                                       f"calls included) is spent")
        answers[pending.key] = value = on_undefined(pending)
        return True, value

    result = _run_calls(program, [call], resolver=resolver, allow_undefined=on_undefined is not None,
                        limits=limits)[0]
    if result.status == "pending":  # only when on_undefined is None and allow_undefined is True
        return _error("undefined_name", f"undefined function {result.pending.name if result.pending else '?'!r}",
                      undefined_calls=result.undefined_calls)
    return result


def _probe_isolation(limits: SandboxLimits = SandboxLimits()) -> dict:
    """Start a child and return its isolation report (layers it set up + procfs verification)."""
    insecure = os.environ.get(INSECURE_ENV_VAR) == "1"
    child = _Child(_child_init("", set(), allow_undefined=False, limits=limits, calls=0, python_guard=True,
                               insecure=insecure, grant_sys=False), insecure=insecure)
    try:
        return dict(child.layers)
    finally:
        child.close()
