"""Hostile programs against the sandbox: every attack must fail AND have no effect.

Each case is a program defining ``attack()``. Placeholders MARKER (a file the attack tries
to create), SECRET (a file with secret content), PORT (a TCP listener on 127.0.0.1) and
SENTINEL (pid of a process the attack tries to kill) are substituted before running.

Many cases start from full Python access inside the sandbox (ESCAPE below: the test hook
``grant_sys`` hands the program the child's real ``sys``, and so the real ``os``/``ctypes``),
standing for a program that has found a way past the in-interpreter layer -- the threat
model assumes one exists. They prove that the OS layer (seccomp, network namespace, dropped
uid, rlimits, one worker per call, parent-side limits) holds on its own, and that such a
program can neither set the reported outcome of another call nor hide its violations.

The later sections replay the findings of a security review, each with its honest outcome:
attribute reads that bypass getattr (class patterns and friends), forged result frames,
erased violations, programs that do not compile, and unbounded hybrid helper calls.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from cogex import format as fmt
from cogex.sandbox import client as sandbox
from cogex.execute.executors import PATH_FALLBACK, PATH_HYBRID, SandboxExecutor
from cogex.sandbox import SandboxLimits, run_call, run_calls
from cogex.execute.single import exec_call
from cogex.models.backend import Backend, Completion, GenerationConfig

LIMITS = SandboxLimits(cpu_seconds=1.0, wall_seconds=2.0, memory_bytes=256 * 2**20,
                       max_result_chars=100_000)
MAX_SECONDS = 15.0
SECRET_TEXT = "TOP-SECRET-7f3a9c"

# Full Python access in the child (test hook grant_sys: GRANTED_SYS is the child's real sys).
ESCAPE = textwrap.dedent('''
    _sys = GRANTED_SYS
    os = _sys.modules['os']
    ctypes = _sys.modules['ctypes']
    _real = _sys.modules['builtins']
    def _attr(obj, name):
        # generic getattr that bypasses every in-interpreter check
        return _real.getattr(obj, name)
    def _subclasses_of(cls):
        return _attr(cls, '__sub' + 'classes__')()
    libc = ctypes.CDLL(None, use_errno=True)
    def _check(ret):
        if ret == -1:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return ret
''')


def run_escaped(program: str, calls: list[str], limits: SandboxLimits = LIMITS, resolver=None) -> list:
    """Run ``ESCAPE + program``: every call starts with full Python access in its worker."""
    return sandbox._run_calls(ESCAPE + program, calls, resolver=resolver or (lambda c: (False, None)),
                              allow_undefined=True, limits=limits, grant_sys=True)


@dataclass(frozen=True)
class Case:
    id: str
    program: str
    kinds: tuple[str, ...]
    escape: bool = False


CASES = [
    # ---- files ---------------------------------------------------------------------------
    Case("open_etc_passwd", "def attack():\n    return open('/etc/passwd').read()\n",
         ("forbidden_operation",)),
    Case("open_secret", "def attack():\n    with open(SECRET) as fh:\n        return fh.read()\n",
         ("forbidden_operation",)),
    Case("open_write", "def attack():\n    open(MARKER, 'w').write('pwned')\n    return 1\n",
         ("forbidden_operation",)),
    Case("escape_os_open_secret", "def attack():\n    fd = os.open(SECRET, os.O_RDONLY)\n    return os.read(fd, 100)\n",
         ("forbidden_operation",), escape=True),
    Case("escape_os_open_etc_shadow", "def attack():\n    return os.open('/etc/shadow', os.O_RDONLY)\n",
         ("forbidden_operation",), escape=True),
    Case("escape_os_create_file", "def attack():\n    fd = os.open(MARKER, os.O_CREAT | os.O_WRONLY)\n    os.write(fd, b'x')\n",
         ("forbidden_operation",), escape=True),
    Case("escape_real_builtins_open_via_frames",
         "def attack():\n    f = _sys._getframe()\n    while _attr(f, 'f_' + 'back') is not None:\n"
         "        f = _attr(f, 'f_' + 'back')\n"
         "    real_open = _attr(f, 'f_' + 'builtins')['open']\n    real_open(MARKER, 'w').write('pwned')\n",
         ("forbidden_operation",), escape=True),
    Case("escape_listdir_and_proc_parent",
         "def attack():\n    os.listdir('/')\n    return open('/proc/%d/environ' % os.getppid()).read()\n",
         ("forbidden_operation",), escape=True),
    Case("escape_unlink_and_rename", "def attack():\n    os.rename(SECRET, MARKER)\n",
         ("forbidden_operation",), escape=True),
    # ---- processes -----------------------------------------------------------------------
    Case("import_os_system", "import os\ndef attack():\n    os.system('touch ' + MARKER)\n",
         ("forbidden_import",)),
    Case("import_subprocess", "import subprocess\ndef attack():\n    subprocess.run(['touch', MARKER])\n",
         ("forbidden_import",)),
    Case("escape_os_system",
         "def attack():\n    if os.system('touch ' + MARKER) != 0:\n        raise OSError(1, 'system failed')\n",
         ("forbidden_operation",), escape=True),
    Case("escape_import_subprocess",
         "def attack():\n    sp = _sys.modules['importlib'].import_module('subprocess')\n    sp.run(['touch', MARKER])\n",
         ("runtime_error", "forbidden_operation"), escape=True),
    Case("escape_fork", "def attack():\n    if os.fork() == 0:\n        os.open(MARKER, os.O_CREAT)\n",
         ("forbidden_operation",), escape=True),
    Case("escape_fork_bomb", "def attack():\n    while True:\n        os.fork()\n",
         ("forbidden_operation",), escape=True),
    Case("escape_execv", "def attack():\n    os.execv('/usr/bin/touch', ['touch', MARKER])\n",
         ("forbidden_operation",), escape=True),
    Case("escape_posix_spawn", "def attack():\n    os.posix_spawn('/usr/bin/touch', ['touch', MARKER], {})\n",
         ("forbidden_operation",), escape=True),
    Case("escape_ctypes_raw_fork", "def attack():\n    _check(libc.fork())\n", ("forbidden_operation",),
         escape=True),
    Case("threads_import", "import threading\ndef attack():\n    threading.Thread(target=print).start()\n",
         ("forbidden_import",)),
    Case("escape_threads",
         "def attack():\n    _sys.modules['_thread'].start_new_thread(print, ())\n",
         ("forbidden_operation",), escape=True),
    # ---- network -------------------------------------------------------------------------
    Case("import_socket", "import socket\ndef attack():\n    socket.create_connection(('127.0.0.1', PORT)).send(b'x')\n",
         ("forbidden_import",)),
    Case("urllib", "import urllib.request\ndef attack():\n    return urllib.request.urlopen('http://127.0.0.1:%d/' % PORT).read()\n",
         ("forbidden_import",)),
    Case("escape_ctypes_socket_connect",
         "def attack():\n    fd = _check(libc.socket(2, 1, 0))\n"
         "    addr = (2).to_bytes(2, 'little') + (PORT).to_bytes(2, 'big') + bytes([127, 0, 0, 1]) + bytes(8)\n"
         "    _check(libc.connect(fd, addr, 16))\n",
         ("forbidden_operation",), escape=True),
    # ---- import tricks -------------------------------------------------------------------
    Case("dunder_import", "def attack():\n    return __import__('os').system('touch ' + MARKER)\n",
         ("forbidden_import",)),
    Case("importlib", "import importlib\ndef attack():\n    importlib.import_module('os')\n",
         ("forbidden_import",)),
    Case("sys_modules", "import sys\ndef attack():\n    sys.modules['os'].system('touch ' + MARKER)\n",
         ("forbidden_import",)),
    Case("relative_import", "from . import sandbox\ndef attack():\n    return 1\n", ("forbidden_import",)),
    Case("builtins_dict_open",
         "def attack():\n    b = __builtins__\n    f = b['open'] if isinstance(b, dict) else b.open\n    return f(SECRET).read()\n",
         ("forbidden_operation",)),
    Case("builtins_dict_import",
         "def attack():\n    return __builtins__['__import__']('os').listdir('/')\n",
         ("forbidden_import", "forbidden_operation")),
    Case("getattr_private_module_attr", "import random\ndef attack():\n    return getattr(random, '_os').system('id')\n",
         ("runtime_error",)),
    Case("from_import_submodule", "from json import decoder\ndef attack():\n    return decoder.re\n",
         ("runtime_error", "forbidden_import")),
    Case("caught_forbidden_import_is_sticky",
         "def attack():\n    try:\n        import os\n    except BaseException:\n        pass\n    return 'fine'\n",
         ("forbidden_import",)),
    # ---- introspection escapes -----------------------------------------------------------
    Case("subclasses_walk",
         "def attack():\n    for c in ().__class__.__base__.__subclasses__():\n"
         "        if c.__name__ == 'catch_warnings':\n            return c()._module.sys.modules['os'].system('id')\n",
         ("forbidden_operation",)),
    Case("subclasses_walk_obfuscated",
         "def attack():\n    base = getattr(getattr((), '__cla' + 'ss__'), '__ba' + 'se__')\n"
         "    return getattr(base, '__subcl' + 'asses__')()\n", ("forbidden_operation",)),
    Case("vars_of_type", "def attack():\n    return vars(type)['__sub' + 'classes__'](object)\n",
         ("forbidden_operation",)),
    Case("attrgetter_globals", "import operator\ndef attack():\n    return operator.attrgetter('__glo' + 'bals__')(attack)\n",
         ("forbidden_operation",)),
    Case("string_formatter_get_field",
         "import string\ndef attack():\n    return string.Formatter().get_field('0.__class__', [()], {})\n",
         ("runtime_error",)),
    Case("escape_subclasses_catch_warnings_module",
         "def attack():\n    for c in _subclasses_of(object):\n        if c.__name__ == 'catch_warnings':\n"
         "            real_os = c()._module.sys.modules['os']\n            real_os.open(MARKER, os.O_CREAT | os.O_WRONLY)\n",
         ("forbidden_operation",), escape=True),
    Case("function_globals", "def attack():\n    return attack.__globals__['__builtins__']\n",
         ("forbidden_operation",)),
    Case("generator_frame",
         "def attack():\n    g = (x for x in [1])\n    return g.gi_frame.f_back.f_globals\n", ("forbidden_operation",)),
    Case("traceback_frame",
         "def attack():\n    try:\n        1 / 0\n    except Exception as e:\n        return e.__traceback__.tb_frame.f_back\n",
         ("forbidden_operation",)),
    Case("getframe", "import sys\ndef attack():\n    return sys._getframe(1)\n", ("forbidden_import",)),
    Case("code_object_construction",
         "def attack():\n    return compile('__import__(\"os\")', 'x', 'exec')\n", ("forbidden_operation",)),
    Case("code_object_type", "def attack():\n    return type(attack.__code__)\n", ("forbidden_operation",)),
    Case("eval_exec", "def attack():\n    return eval('1') + exec('x = 1')\n", ("forbidden_operation",)),
    Case("typing_get_type_hints_eval",
         "import typing\ndef attack(x: 'print(1)'):\n    return typing.get_type_hints(attack)\n",
         ("runtime_error",)),
    # ---- native code ---------------------------------------------------------------------
    Case("import_ctypes", "import ctypes\ndef attack():\n    return ctypes.CDLL(None).system(b'id')\n",
         ("forbidden_import",)),
    Case("escape_ctypes_segfault", "def attack():\n    return ctypes.memmove(8, b'x', 1)\n", ("crashed",),
         escape=True),
    Case("escape_ctypes_prctl_remove_seccomp", "def attack():\n    _check(libc.prctl(22, 0, 0, 0, 0))\n",
         ("forbidden_operation",), escape=True),
    Case("escape_ctypes_ptrace_parent", "def attack():\n    _check(libc.ptrace(16, os.getppid(), 0, 0))\n",
         ("forbidden_operation",), escape=True),
    Case("escape_setuid_root", "def attack():\n    os.setuid(0)\n", ("forbidden_operation",), escape=True),
    # ---- signals -------------------------------------------------------------------------
    Case("escape_kill_parent", "def attack():\n    os.kill(os.getppid(), 9)\n", ("forbidden_operation",),
         escape=True),
    Case("escape_kill_sentinel", "def attack():\n    os.kill(SENTINEL, 9)\n", ("forbidden_operation",),
         escape=True),
    Case("escape_kill_everything", "def attack():\n    os.kill(-1, 9)\n", ("forbidden_operation",), escape=True),
    Case("import_signal", "import signal\ndef attack():\n    signal.raise_signal(9)\n", ("forbidden_import",)),
    Case("escape_signal_raise", "def attack():\n    _sys.modules['signal'].raise_signal(9)\n",
         ("forbidden_operation",), escape=True),
    # ---- exiting / pipes -----------------------------------------------------------------
    Case("exit_builtin", "def attack():\n    exit(0)\n", ("forbidden_operation",)),
    Case("raise_system_exit", "def attack():\n    raise SystemExit(0)\n", ("runtime_error",)),
    Case("escape_sys_exit", "def attack():\n    _sys.exit(0)\n", ("runtime_error",), escape=True),
    Case("escape_os_exit", "def attack():\n    os._exit(0)\n", ("crashed",), escape=True),
    Case("escape_write_fds",
         "def attack():\n    os.write(1, b'junk on stdout')\n    os.write(2, b'junk on stderr')\n"
         "    for fd in range(3, 8):\n        try:\n            os.write(fd, b'\\xff\\xff\\xff\\xffjunk')\n"
         "        except OSError:\n            pass\n    return 'done'\n",
         ("output_too_large", "crashed"), escape=True),
    Case("escape_forged_result_then_spin",
         "def attack():\n    body = b'{\"type\": \"result\", \"status\": \"ok\", \"value\": \"__import__(1)\"}'\n"
         "    os.write(4, len(body).to_bytes(4, 'big') + body)\n    while True:\n        pass\n",
         ("forbidden_operation",), escape=True),
    Case("escape_close_fds",
         "def attack():\n    for fd in range(0, 10):\n        try:\n            os.close(fd)\n        except OSError:\n"
         "            pass\n    return 1\n", ("crashed",), escape=True),
    Case("input_builtin", "def attack():\n    return input('> ')\n", ("forbidden_operation",)),
    Case("escape_read_protocol_pipe", "def attack():\n    return os.read(3, 1)\n", ("timeout",), escape=True),
    Case("escape_sleep", "def attack():\n    _sys.modules['time'].sleep(60)\n", ("timeout",), escape=True),
    # ---- resource exhaustion -------------------------------------------------------------
    Case("infinite_loop", "def attack():\n    while True:\n        pass\n", ("timeout",)),
    Case("generator_busy_loop",
         "def gen():\n    while True:\n        yield 1\ndef attack():\n    for _ in gen():\n        pass\n", ("timeout",)),
    Case("memory_list", "def attack():\n    xs = []\n    while True:\n        xs.append(bytearray(10**7))\n",
         ("memory",)),
    Case("memory_string", "def attack():\n    return len('a' * 10**10)\n", ("memory",)),
    Case("memory_bytearray", "def attack():\n    return len(bytearray(2**34))\n", ("memory",)),
    Case("huge_int_power", "def attack():\n    return 10 ** (10 ** 10)\n", ("timeout", "memory")),
    Case("deep_recursion", "def attack(n=0):\n    return attack(n + 1)\n", ("runtime_error",)),
    Case("deep_nested_value", "def attack():\n    x = []\n    for _ in range(10**5):\n        x = [x]\n    return x\n",
         ("not_literal",)),
    Case("gigantic_string_result", "def attack():\n    return 'x' * 10**8\n", ("output_too_large",)),
    Case("gigantic_list_result", "def attack():\n    return list(range(10**6))\n", ("output_too_large",)),
    Case("hostile_exception_str",
         "class E(Exception):\n    def __str__(self):\n        while True:\n            pass\n"
         "def attack():\n    raise E()\n", ("timeout",)),
    Case("hostile_del_at_exit",  # a worker never tears down: __del__ cannot hold a result back
         "class D:\n    def __del__(self):\n        while True:\n            pass\nkeep = D()\n"
         "def attack():\n    raise ValueError('after all')\n", ("runtime_error",)),
    Case("hostile_repr_result",
         "class R:\n    def __repr__(self):\n        return '1'\ndef attack():\n    return R()\n", ("not_literal",)),
]

assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def assert_no_connection(server: socket.socket) -> None:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return
    conn.close()
    raise AssertionError("a sandboxed program reached the test's TCP listener")


@pytest.fixture(scope="module")
def sentinel():
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def targets(listener, sentinel):
    # World-readable secret in a world-writable directory: file permissions alone would not
    # stop the (uid 65534) child, only the sandbox does.
    directory = Path(tempfile.mkdtemp(prefix="cogex-sandbox-test-"))
    directory.chmod(0o777)
    secret = directory / "secret.txt"
    secret.write_text(SECRET_TEXT)
    secret.chmod(0o644)
    yield {"SECRET": secret, "MARKER": directory / "marker", "PORT": listener.getsockname()[1],
           "SENTINEL": sentinel.pid}
    shutil.rmtree(directory, ignore_errors=True)


def instantiate(program: str, targets: dict) -> str:
    for name, value in targets.items():
        program = program.replace(name, repr(str(value)) if name in ("SECRET", "MARKER") else str(value))
    return program


def assert_no_effect(result, targets, listener, sentinel) -> None:
    assert not targets["MARKER"].exists(), "the attack created a file"
    assert targets["SECRET"].read_text() == SECRET_TEXT, "the secret file was altered"
    assert SECRET_TEXT not in repr(result), "the secret leaked"
    assert "root:" not in repr(result), "/etc/passwd leaked"
    assert sentinel.poll() is None, "the sentinel process was killed"
    assert_no_connection(listener)
    os.kill(os.getpid(), 0)  # still here


def test_escape_really_gives_full_python_access():
    """ESCAPE really reaches the child's os and ctypes, so escape=True cases test the OS layer."""
    program = "def probe():\n    return type(os).__name__, os.getuid(), 'posix' in _sys.modules, libc.getpid() > 1\n"
    result = run_escaped(program, ["probe()"])[0]
    assert result.status == "ok", result
    kind, uid, has_posix, pid_ok = result.value
    assert kind == "module" and has_posix and pid_ok
    if os.geteuid() == 0:
        assert uid == 65534  # root was dropped


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_program(case: Case, targets, listener, sentinel):
    program = instantiate(case.program, targets)
    started = time.monotonic()
    result = run_escaped(program, ["attack()"])[0] if case.escape else run_calls(program, ["attack()"], limits=LIMITS)[0]
    elapsed = time.monotonic() - started
    assert result.status == "error", result
    assert result.error in case.kinds, result
    assert elapsed < MAX_SECONDS
    assert len(result.detail) <= 500
    assert_no_effect(result, targets, listener, sentinel)


# ---- the OS layer alone (in-interpreter guard disabled: full Python inside the child) ------

OS_ONLY_CASES = {
    "read_secret": "def attack():\n    return open(SECRET).read()\n",
    "read_etc_passwd": "def attack():\n    return open('/etc/passwd').read()\n",
    "write_file": "def attack():\n    open(MARKER, 'w').write('x')\n",
    "fork": "import os\ndef attack():\n    os.fork()\n",
    "execv": "import os\ndef attack():\n    os.execv('/usr/bin/touch', ['touch', MARKER])\n",
    "system": "import os\ndef attack():\n    if os.system('touch ' + MARKER):\n        raise PermissionError('system failed')\n",
    "kill_sentinel": "import os\ndef attack():\n    os.kill(SENTINEL, 9)\n",
    "import_new_module_from_disk": "import socket\ndef attack():\n    return 1\n",
    "ctypes_socket": "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\ndef attack():\n"
                     "    if libc.socket(2, 1, 0) < 0:\n        raise OSError(ctypes.get_errno(), 'socket')\n",
}


@pytest.mark.parametrize("name", sorted(OS_ONLY_CASES))
def test_os_layer_alone(name, targets, listener, sentinel):
    program = instantiate(OS_ONLY_CASES[name], targets)
    result = sandbox._run_calls(program, ["attack()"], resolver=lambda c: (False, None),
                                allow_undefined=True, limits=LIMITS, python_guard=False)[0]
    assert result.status == "error", result
    assert result.error in ("forbidden_operation", "runtime_error"), result
    assert_no_effect(result, targets, listener, sentinel)


# ---- batches, floods, parent robustness ---------------------------------------------------

def test_hostile_calls_in_a_batch_do_not_disturb_good_calls(targets, listener, sentinel):
    program = textwrap.dedent('''
        def good(x):
            return sorted(x)[::-1]
        def spin():
            while True:
                pass
        def crash():
            ctypes.memmove(8, b'x', 1)
        def hog():
            xs = []
            while True:
                xs.append(bytearray(10**7))
        def leave():
            os._exit(0)
        def poison():
            __builtins__['sorted'] = lambda x: ['poisoned']
            import random
            random.seed = None
            return 'poisoned'
    ''')
    calls = ["good([1, 3, 2])", "spin()", "good([5, 4])", "crash()", "good([0])", "hog()",
             "good([7, 8])", "leave()", "poison()", "good([9, 1])"]
    started = time.monotonic()
    results = run_escaped(program, calls)
    assert time.monotonic() - started < 30
    assert [r.value for r in results if r.status == "ok"] == [[3, 2, 1], [5, 4], [0], [8, 7], "poisoned", [9, 1]]
    assert [r.error for r in results if r.status == "error"] == ["timeout", "crashed", "memory", "crashed"]
    assert_no_effect(results, targets, listener, sentinel)


def test_undefined_call_flood_is_bounded():
    program = "def attack():\n    i = 0\n    while True:\n        ask(i)\n        i += 1\n"
    asked = []
    result = run_call(program, "attack()", on_undefined=lambda c: asked.append(c.key) or 0,
                      limits=LIMITS, max_rounds=8)
    assert result.status == "error" and result.error == "budget_exceeded"
    assert len(asked) == 8


def test_giant_undefined_call_arguments_are_refused():
    program = "def attack():\n    return ask('x' * 10**6)\n"
    result = run_calls(program, ["attack()"], limits=LIMITS)[0]
    assert result.status == "error" and result.error == "budget_exceeded"
    assert result.pending is None and "ask()" in result.detail


def test_parent_never_waits_longer_than_the_wall_limit_on_a_silent_child():
    program = "def attack():\n    os.close(4)\n    while True:\n        pass\n"
    started = time.monotonic()
    result = run_escaped(program, ["attack()", "attack()"])
    assert [r.error for r in result] == ["crashed", "crashed"]
    assert time.monotonic() - started < 2 * MAX_SECONDS


def test_no_sandbox_processes_survive_a_batch():
    program = "def pid():\n    return os.getpid()\ndef spin():\n    while True:\n        pass\n"
    results = run_escaped(program, ["pid()", "spin()", "pid()"])
    pids = [r.value for r in results if r.status == "ok"]
    assert len(pids) == 2 and pids[0] != pids[1]  # one worker per call
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_child_environment_leaks_nothing_from_the_parent(monkeypatch):
    monkeypatch.setenv("COGEX_TEST_SECRET_TOKEN", SECRET_TEXT)
    program = "def env():\n    return dict(os.environ)\ndef argv():\n    return list(_sys.argv), _sys.path\n"
    env, argv = run_escaped(program, ["env()", "argv()"])
    assert env.status == "ok" and SECRET_TEXT not in repr(env.value)
    assert set(env.value) <= {"PYTHONHASHSEED", "PYTHONUTF8", "TZ", "LC_ALL"}
    assert all("site-packages" not in p for p in argv.value[1])


@pytest.mark.skipif(sys.platform != "linux", reason="Linux sandbox")
def test_sigpipe_or_dead_child_does_not_kill_the_parent():
    handler = signal.getsignal(signal.SIGPIPE)
    program = "def attack():\n    os.close(3)\n    os.close(4)\n    return 1\n"
    results = run_escaped(program, ["attack()"] * 3)
    assert [r.error for r in results] == ["crashed"] * 3
    assert signal.getsignal(signal.SIGPIPE) == handler


#: Denied with EPERM: the interpreter may probe these (files, terminals) and must cope.
DENIED_X86_64 = {"open": 2, "stat": 4, "ioctl": 16, "unlink": 87, "mkdir": 83, "openat": 257, "getppid": 110}

#: Killed with SIGSYS: no computation needs them, so the parent sees the attempt from outside.
KILLED_X86_64 = {
    "socket": 41, "connect": 42, "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "kill": 62,
    "ptrace": 101, "setuid": 105, "chroot": 161, "mount": 165, "unshare": 272, "setns": 308,
    "process_vm_writev": 311, "memfd_create": 319, "bpf": 321, "userfaultfd": 323, "execveat": 322,
    "io_uring_setup": 425, "clone3": 435, "tgkill": 234, "prctl": 157, "seccomp": 317,
}


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers are x86_64")
def test_seccomp_denies_file_syscalls_even_from_native_code():
    program = textwrap.dedent('''
        def probe(numbers):
            out = {}
            for name, nr in numbers.items():
                ret = libc.syscall(nr, 0, 0, 0, 0, 0, 0)
                out[name] = (ret, ctypes.get_errno())
            return out
    ''')
    result = run_escaped(program, [f"probe({DENIED_X86_64!r})"])[0]
    assert result.status == "ok", result
    assert result.value == {name: (-1, 1) for name in DENIED_X86_64}  # all EPERM


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers are x86_64")
def test_seccomp_kills_a_worker_for_a_hostile_syscall_even_from_native_code():
    program = "def probe(nr):\n    libc.syscall(nr, 0, 0, 0, 0, 0, 0)\n    return 'survived'\n"
    calls = [f"probe({nr})" for nr in KILLED_X86_64.values()] + ["probe(39)"]  # 39: getpid, allowed
    results = run_escaped(program, calls)
    assert [r.error for r in results[:-1]] == ["forbidden_operation"] * len(KILLED_X86_64), results
    assert all("SIGSYS" in r.detail for r in results[:-1])
    assert results[-1].value == "survived"


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="x32 ABI is x86_64 only")
def test_x32_syscall_kills_the_child():
    program = "def attack():\n    return libc.syscall(0x40000000 + 39)\n"
    result = run_escaped(program, ["attack()"])[0]
    assert result.status == "error" and result.error == "forbidden_operation"
    assert "SIGSYS" in result.detail



# ==========================================================================================
# Findings of the security review, written afresh, each with its honest outcome
# ==========================================================================================

# ---- 1. attribute reads that bypass getattr ------------------------------------------------

#: Every program reaches (or tries to reach) an attribute the Python layer forbids without
#: calling getattr; ``kinds`` are the honest outcomes, ``never`` must not appear in the result.
BYPASS_CASES = {
    # the finding itself: a metaclass __instancecheck__ makes any object match, and the class
    # pattern reads the attribute named by a run-time __match_args__
    "match_metaclass_instancecheck": ("""
import dataclasses
class _Any(type):
    def __instancecheck__(cls, inst):
        return True
def _attr(obj, name):
    probe = _Any('probe', (), {'__match_args__': (name,)})
    match obj:
        case probe(value):
            return value
def attack():
    return sorted(_attr(dataclasses.fields, '__glo' + 'bals__'))
""", ("forbidden_operation",)),
    # the same with the hook built at run time (no dunder definition for the static check)
    "match_runtime_built_metaclass": ("""
import dataclasses
def _yes(cls, inst):
    return True
def attack():
    meta = type('Meta', (type,), {'__instance' + 'check__': _yes})
    probe = meta('probe', (), {'__match_' + 'args__': ('__glo' + 'bals__',)})
    match dataclasses.fields:
        case probe(value):
            return sorted(value)
    return 'no match'
""", ("forbidden_operation",)),
    # a real instance, with __match_args__ assigned after the class was made
    "match_args_assigned_later": ("""
class E(Exception):
    pass
def attack():
    setattr(E, '__match_' + 'args__', ('__trace' + 'back__',))
    try:
        raise E()
    except E as err:
        match err:
            case E(tb):
                return repr(tb)
""", ("forbidden_operation",)),
    # __match_args__ computed by a metaclass property
    "match_args_metaclass_property": ("""
class Meta(type):
    @property
    def __match_args__(cls):
        return ('__trace' + 'back__',)
class E(Exception, metaclass=Meta):
    pass
def attack():
    try:
        raise E()
    except E as err:
        match err:
            case E(tb):
                return repr(tb)
""", ("forbidden_operation",)),
    # a metaclass that claims to equal every builtin type, hoping to skip the guard
    "match_metaclass_equal_to_builtins": ("""
class Meta(type):
    def __eq__(cls, other):
        return True
    def __hash__(cls):
        return hash(int)
class E(Exception, metaclass=Meta):
    pass
def attack():
    setattr(E, '__match_' + 'args__', ('__trace' + 'back__',))
    try:
        raise E()
    except E as err:
        match err:
            case E(tb):
                return repr(tb)
""", ("forbidden_operation",)),
    # a str subclass that hashes and compares like '__traceback__' but reads as 'x': the
    # guard reads it as 'x' (no such attribute), so the pattern honestly does not match
    "match_args_lying_str": ("""
class S(str):
    def __hash__(self):
        return hash('__trace' + 'back__')
    def __eq__(self, other):
        return True
class E(Exception):
    __match_args__ = (S('x'),)
def attack():
    try:
        raise E()
    except E as err:
        match err:
            case E(tb):
                return repr(tb)
    return 'no match'
""", ("ok:no match",)),
    "getattr_lying_str": ("""
import dataclasses
class S(str):
    def __hash__(self):
        return hash('__glo' + 'bals__')
    def __eq__(self, other):
        return True
def attack():
    return sorted(getattr(dataclasses.fields, S('x')))
""", ("runtime_error",)),
    "attrgetter_lying_str": ("""
import dataclasses, operator
class S(str):
    def __hash__(self):
        return hash('__glo' + 'bals__')
    def __eq__(self, other):
        return True
def attack():
    return sorted(operator.attrgetter(S('x'))(dataclasses.fields))
""", ("runtime_error",)),
    "import_lying_str": ("""
class S(str):
    def __hash__(self):
        return hash('math')
    def __eq__(self, other):
        return True
def attack():
    return __import__(S('os')).getpid()
""", ("forbidden_import",)),
    # functools copies attributes by name into an object whose vars() the program may read
    "update_wrapper_copies_globals": ("""
import dataclasses, functools
class W:
    pass
def attack():
    w = W()
    functools.update_wrapper(w, dataclasses.fields, assigned=('__glo' + 'bals__',), updated=())
    return sorted(vars(w)['__glo' + 'bals__'])
""", ("forbidden_operation",)),
    "wraps_copies_globals": ("""
import dataclasses, functools
class W:
    pass
def attack():
    w = functools.wraps(dataclasses.fields, assigned=('__glo' + 'bals__',), updated=())(W())
    return sorted(vars(w)['__glo' + 'bals__'])
""", ("forbidden_operation",)),
    # run-time compiled text: annotations evaluated by singledispatch, forward references
    # evaluated with the real builtins, field names pasted into dataclass methods
    "singledispatch_annotation_eval": ("""
import functools
@functools.singledispatch
def g(x):
    return 0
def h(x: "[c.__name__ for c in ().__class__.__base__.__subclasses__()]"):
    return 1
def attack():
    g.register(h)
""", ("forbidden_operation",)),
    "forward_ref_evaluated_with_real_builtins": ("""
import typing
def attack():
    ref = typing.get_args(typing.List["__import__('os').getpid()"])[0]
    return ref._evaluate({}, None, frozenset())
""", ("forbidden_operation", "forbidden_import")),
    "dataclass_field_name_injection": ("""
import dataclasses
class C:
    x: int
def attack():
    # the name lands in the parameter list of generated code: its default runs at definition
    name = 'q, *z, w=[c.__name__ for c in ().__class__.__base__.__subclasses__()]'
    C.__annotations__[name] = int
    setattr(C, name, dataclasses.field(init=False, repr=False, compare=False))
    dataclasses.dataclass(C)
    return 'made'
""", ("forbidden_operation",)),
    "format_field_in_a_constant": ("""
import dataclasses
def attack():
    return '{0.__globals__[sys]}'.format(dataclasses.fields)
""", ("forbidden_operation",)),
}


@pytest.mark.parametrize("name", sorted(BYPASS_CASES))
def test_attribute_reads_that_bypass_getattr_are_refused(name):
    program, kinds = BYPASS_CASES[name]
    result = run_calls(program, ["attack()"], limits=LIMITS)[0]
    if kinds[0].startswith("ok:"):
        assert result.status == "ok" and result.value == kinds[0][3:], result
    else:
        assert result.status == "error" and result.error in kinds, result
    leaked = repr(result)
    assert "module 'sys'" not in leaked and "traceback object" not in leaked and "catch_warnings" not in leaked
    assert "'__builtins__'" not in leaked


# ---- 2. forged results, erased violations (program with full access in its worker) ----------

FRAME = textwrap.dedent('''
    import json
    def _frame(obj):
        body = json.dumps(obj).encode()
        os.write(4, len(body).to_bytes(4, 'big') + body)
''')


def test_a_forged_result_frame_for_the_same_call_is_a_violation_not_a_result():
    program = FRAME + textwrap.dedent('''
        def f():
            _frame({'type': 'result', 'status': 'ok', 'value': "'FORGED'"})
            return 'real'
    ''')
    result = run_escaped(program, ["f()"])[0]
    assert result.status == "error" and result.error == "forbidden_operation", result
    assert "sandbox channel" in result.detail and result.value is None


def test_a_forged_success_for_a_raising_function_is_not_a_success():
    program = FRAME + textwrap.dedent('''
        def f():
            _frame({'type': 'result', 'status': 'ok', 'value': "'fine'"})
            raise ValueError('the real outcome')
    ''')
    result = run_escaped(program, ["f()"])[0]
    assert result.status == "error" and result.error == "forbidden_operation", result


def test_an_erased_violation_stays_a_violation():
    # The program trips the importer, swallows the error, then clears the worker's record of it.
    program = textwrap.dedent('''
        def f():
            try:
                import subprocess
            except ImportError:
                pass
            frame = _sys._getframe()
            while frame is not None:
                local = _attr(frame, 'f_' + 'locals')
                if local.get('st') is not None:
                    local['st'].outcome = None
                if hasattr(local.get('self'), 'state'):
                    local['self'].state = None
                frame = _attr(frame, 'f_' + 'back')
            return 'clean'
    ''')
    result = run_escaped(program, ["f()"])[0]
    assert result.status == "error" and result.error == "forbidden_import", result
    assert "subprocess" in result.detail


def test_forged_frames_and_hooks_cannot_reach_the_next_call():
    # Call 1 leaves forged frames meant for call 2 and patches the runtime's code, then
    # exits cleanly; call 2 (a fresh worker) must report its own honest value.
    program = FRAME + textwrap.dedent('''
        def poison():
            main = _sys.modules['__main__']
            main.bounded_repr = lambda value, cap: "'HOOKED'"
            main._Runtime.run_call = lambda self, msg: {'status': 'ok', 'value': "'HOOKED'"}
            _sys.modules['collections'].Counter.most_common = lambda self, n=None: 'HOOKED'
            for _ in range(3):
                _frame({'type': 'result', 'status': 'ok', 'value': "'FORGED'"})
            os._exit(0)
        def honest(words):
            import collections
            return collections.Counter(words).most_common(1)
    ''')
    results = run_escaped(program, ["poison()", "honest(['a', 'b', 'a'])", "honest(['c'])"])
    assert results[0].status == "error" and results[0].error == "forbidden_operation"
    assert [r.value for r in results[1:]] == [[("a", 2)], [("c", 1)]]


def test_a_program_with_full_access_decides_only_its_own_result():
    # The documented limit: one well-formed frame followed by a clean exit cannot be told
    # apart from an honest result -- but it claims nothing beyond this call.
    program = FRAME + textwrap.dedent('''
        def claim():
            _frame({'type': 'result', 'status': 'ok', 'value': "'CLAIMED'"})
            os._exit(0)
        def honest(x):
            return x + 1
    ''')
    results = run_escaped(program, ["claim()", "honest(1)", "claim()", "honest(2)"])
    assert [r.value for r in results] == ["CLAIMED", 2, "CLAIMED", 3]


def test_forged_protocol_frames_never_reach_the_parent():
    # A fake 'done' or 'ready' frame is a protocol violation of the worker, not a parent event.
    for kind in ("done", "ready", "started", "compiled"):
        program = FRAME + f"def f():\n    _frame({{'type': {kind!r}, 'outcome': {{'status': 'ok', 'value': '1'}}}})\n    return 2\n"
        result = run_escaped(program, ["f()"])[0]
        assert result.status == "error" and result.error == "forbidden_operation", (kind, result)


def test_a_forged_helper_request_is_held_to_the_helper_budget():
    # Bypassing the worker's own argument check: the parent refuses the request itself.
    program = FRAME + textwrap.dedent('''
        def f():
            _frame({'type': 'undefined', 'name': 'ask', 'args': repr(('x' * 50000,)), 'kwargs': '{}'})
            return ask('short')
    ''')
    asked = []
    results = run_escaped(program, ["f()"], resolver=lambda c: (asked.append(c.key) or True, 1))
    assert results[0].status == "error" and results[0].error == "budget_exceeded", results
    assert asked == []


# ---- 3. programs that parse but do not compile ------------------------------------------

COMPILE_ERRORS = {
    "return_outside_function": ("return 1\ndef f():\n    return 1\n", "'return' outside function"),
    "duplicate_argument": ("def f(a, a):\n    return a\n", "duplicate argument"),
    "break_outside_loop": ("def f():\n    return 1\nbreak\n", "'break' outside loop"),
    "module_level_nonlocal": ("nonlocal x\ndef f():\n    return 1\n", "nonlocal declaration"),
    "await_outside_async": ("def f():\n    await g()\n", "'await' outside async"),
    "yield_outside_function": ("yield 1\ndef f():\n    return 1\n", "'yield' outside function"),
    "continue_outside_loop": ("def f():\n    continue\n", "'continue' not properly in loop"),
    "global_after_use": ("def f():\n    x = 1\n    global x\n    return x\n", "before global declaration"),
}


@pytest.mark.parametrize("name", sorted(COMPILE_ERRORS))
def test_a_program_that_does_not_compile_is_a_syntax_error(name):
    program, message = COMPILE_ERRORS[name]
    results = run_calls(program, ["f()", "f(1)", "g("], limits=LIMITS)
    assert [r.error for r in results] == ["syntax_error"] * 3, results
    assert message in results[0].detail


class NoModel(Backend):
    """Fails the test if anything asks it for text."""

    identity = "no-model"

    def generate(self, prompts, config):
        raise AssertionError(f"unexpected model call: {prompts[:1]}")


def test_a_program_that_does_not_compile_does_not_abort_a_batch_of_programs():
    good = "def f(text):\n    return {'answer': text.upper()}\n"
    bad = "def f(text):\n    return text\nreturn 1\n"
    runner = SandboxExecutor(NoModel(), hybrid=False, binding="text", fallback=False, limits=LIMITS)
    out = runner.run_many("Shout.", [(bad, ["a", "b"]), (good, ["a", "b"])])
    assert [r.error for r in out[0]] == ["syntax_error", "syntax_error"]
    assert [r.answer for r in out[1]] == ["A", "B"]


# ---- 4. bounded hybrid runs -----------------------------------------------------------------

class HelperModel(Backend):
    """Writes ``call`` as every call line and ``answer`` for every helper; records each prompt
    by kind: "call" (a call line), "helper" (a helper's value) or "emulate" (a fallback)."""

    identity = "helper-model"

    def __init__(self, call: str, answer: str = "1}", delay: float = 0.0) -> None:
        self.call, self.answer, self.delay = call, answer, delay
        self.prompts: list[tuple[str, str]] = []

    def generate(self, prompts, config: GenerationConfig):
        out = []
        for prompt in prompts:
            time.sleep(self.delay)
            if prompt.endswith("{'answer': "):
                self.prompts.append(("helper", prompt))
                out.append(Completion(self.answer))
            elif "\n" in config.stop:
                self.prompts.append(("call", prompt))
                out.append(Completion(self.call))
            else:
                self.prompts.append(("emulate", prompt))
                out.append(Completion(f"{self.call}\n{fmt.OUTPUT_HEADER}\n{{'answer': 'INVENTED'}}\n{fmt.END_MARKER}"))
        return out

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.prompts]


def test_an_ordinary_failure_still_falls_back_to_emulation():
    # control for the tests below: HelperModel sees (and answers) an emulation fallback
    program = "def f(text):\n    return {'answer': 1 / 0}\n"
    model = HelperModel("f('a')")
    item = SandboxExecutor(model, hybrid=True, limits=LIMITS).run("Divide.", program, ["a"])[0]
    assert item.path == PATH_FALLBACK and item.answer == "INVENTED" and item.exec_error == "runtime_error"
    assert model.kinds() == ["call", "emulate"]


def test_hybrid_items_within_the_budget_still_get_their_answers():
    program = "def f(text):\n    return {'answer': sum(label(w) for w in text.split())}\n"
    model = HelperModel("f('a b c')", answer="2}")
    item = SandboxExecutor(model, hybrid=True, limits=LIMITS).run("Count.", program, ["a b c"])[0]
    assert item.ok and item.answer == 6 and item.path == PATH_HYBRID and item.helper_calls == 3, item
    assert model.kinds() == ["call", "helper", "helper", "helper"]


def test_large_helper_arguments_never_reach_a_prompt():
    program = "def label(text):\n    return {'answer': classify_text(text * 1000)}\n"
    result = run_calls(program, ["label('abcd')"], limits=LIMITS)[0]
    assert result.status == "error" and result.error == "budget_exceeded", result
    assert "classify_text()" in result.detail
    model = HelperModel("label('abcd')")
    item = SandboxExecutor(model, hybrid=True, limits=LIMITS).run("Label.", program, ["abcd"])[0]
    assert item.error == "budget_exceeded" and item.path == PATH_HYBRID, item  # not emulated
    assert model.kinds() == ["call"]  # the long argument was never put to the model


def test_large_helper_arguments_in_exec_are_refused_before_the_model_is_asked():
    program = "def label(text):\n    return {'answer': classify_text(text * 1000)}\n"
    model = HelperModel("unused")
    item = exec_call(program, "label('abcd')", executor="hybrid", backend=model)
    assert item.error == "budget_exceeded" and item.path == PATH_HYBRID, item
    assert model.kinds() == []


def test_helper_calls_in_a_loop_are_capped_per_item():
    program = "def f():\n    return [label(i) for i in range(1000)]\n"
    asked = []
    result = run_call(program, "f()", on_undefined=lambda c: asked.append(c.key) or 0, limits=LIMITS)
    assert result.status == "error" and result.error == "budget_exceeded", result
    assert len(asked) == LIMITS.max_helper_calls
    # the hybrid executor: one new helper answer per replay, then a counted failure, no emulation
    model = HelperModel("f()")
    item = SandboxExecutor(model, hybrid=True, limits=LIMITS, max_rounds=4).run("Label.", program, ["x"])[0]
    assert item.error == "budget_exceeded" and item.path == PATH_HYBRID, item
    assert model.kinds() == ["call"] + ["helper"] * 4


def test_repeated_helper_calls_are_capped_per_call(monkeypatch):
    monkeypatch.setattr(sandbox, "_MAX_UNDEFINED_PER_CALL", 300)
    program = "def f():\n    total = 0\n    while True:\n        total += label(0)\n"
    asked = []
    result = run_call(program, "f()", on_undefined=lambda c: asked.append(c.key) or 1, limits=LIMITS)
    assert result.status == "error" and result.error == "budget_exceeded", result
    assert "more than 300 helper calls" in result.detail
    assert asked == ["label(0)"]  # the model is asked once; the repeats are answered from memory


def test_helper_time_counts_against_the_item_budget():
    program = "def f():\n    return [label(i) for i in range(30)]\n"
    asked = []

    def slow(call):
        asked.append(call.key)
        time.sleep(0.25)
        return 0

    started = time.monotonic()
    result = run_call(program, "f()", on_undefined=slow, limits=SandboxLimits(item_seconds=1.0))
    assert result.status == "error" and result.error == "budget_exceeded", result
    assert "time budget" in result.detail
    assert 1 <= len(asked) <= 5  # 1 s of budget, 0.25 s per helper: no more than one past it
    assert time.monotonic() - started < 5


def test_budget_exceeded_in_hybrid_is_never_emulated():
    program = "def f(text):\n    return {'answer': [label(w) for w in text.split()]}\n"
    model = HelperModel("f('a b c')", delay=0.05)
    limits = SandboxLimits(cpu_seconds=1.0, wall_seconds=2.0, memory_bytes=256 * 2**20, item_seconds=0.01)
    item = SandboxExecutor(model, hybrid=True, limits=limits).run("Label.", program, ["a b c"])[0]
    assert item.error == "budget_exceeded" and item.path == PATH_HYBRID, item
    assert "emulate" not in model.kinds()


# ---- 5. an undefined helper under the python executor is named -------------------------

def test_python_executor_names_the_undefined_helper():
    program = "def label(text):\n    return {'answer': classify_text(text)}\n"
    item = exec_call(program, "label('abc')", executor="python")
    assert item.error == "undefined_name"
    assert item.detail == ("undefined function 'classify_text' "
                           "(run with --executor hybrid to let the model answer it)")
