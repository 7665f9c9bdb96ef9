"""Hostile programs against the sandbox: every attack must fail AND have no effect.

Each case is a program defining ``attack()``. Placeholders MARKER (a file the attack tries
to create), SECRET (a file with secret content), PORT (a TCP listener on 127.0.0.1) and
SENTINEL (pid of a process the attack tries to kill) are substituted before running.

Many cases first defeat the in-interpreter layer (ESCAPE below: a ``match`` class pattern
whose ``__match_args__`` is built at run time reads ``__globals__`` of a stdlib function and
so reaches the real ``sys``/``os``/``ctypes``), to prove that the OS layer (seccomp, network
namespace, dropped uid, rlimits, parent-side limits) holds on its own.
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

from cogex.execute import sandbox
from cogex.execute.sandbox import SandboxLimits, run_call, run_calls

LIMITS = SandboxLimits(cpu_seconds=1.0, wall_seconds=2.0, memory_bytes=256 * 2**20,
                       max_result_chars=100_000)
MAX_SECONDS = 15.0
SECRET_TEXT = "TOP-SECRET-7f3a9c"

# Defeats the Python layer (no forbidden attribute or string appears literally).
ESCAPE = textwrap.dedent('''
    import dataclasses
    class _Any(type):
        def __instancecheck__(cls, inst):
            return True
    def _attr(obj, name):
        # generic getattr that bypasses every in-interpreter check
        probe = _Any('probe', (), {'__match_args__': (name,)})
        match obj:
            case probe(value):
                return value
    def _subclasses_of(cls):
        return _attr(cls, '__sub' + 'classes__')()
    _sys = _attr(dataclasses.fields, '__glo' + 'bals__')['sys']
    os = _sys.modules['os']
    ctypes = _sys.modules['ctypes']
    libc = ctypes.CDLL(None, use_errno=True)
    def _check(ret):
        if ret == -1:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return ret
''')


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
         ("runtime_error",), escape=True),
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
    Case("escape_forged_result",
         "def attack():\n    body = b'{\"type\": \"result\", \"status\": \"ok\", \"value\": \"__import__(1)\"}'\n"
         "    os.write(4, len(body).to_bytes(4, 'big') + body)\n    while True:\n        pass\n",
         ("not_literal",), escape=True),
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
    Case("hostile_del_after_call",
         "class D:\n    def __del__(self):\n        while True:\n            pass\nkeep = D()\n"
         "def attack():\n    return 1\n", ("timeout",)),
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


def test_escape_really_defeats_the_python_layer():
    """The ESCAPE prelude is a genuine in-interpreter escape, so escape=True cases test the OS layer."""
    program = ESCAPE + "def probe():\n    return type(os).__name__, os.getuid(), 'posix' in _sys.modules, libc.getpid() > 1\n"
    result = run_calls(program, ["probe()"], limits=LIMITS)[0]
    assert result.status == "ok", result
    kind, uid, has_posix, pid_ok = result.value
    assert kind == "module" and has_posix and pid_ok
    if os.geteuid() == 0:
        assert uid == 65534  # root was dropped


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_program(case: Case, targets, listener, sentinel):
    program = instantiate((ESCAPE if case.escape else "") + case.program, targets)
    started = time.monotonic()
    result = run_calls(program, ["attack()"], limits=LIMITS)[0]
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
    program = ESCAPE + textwrap.dedent('''
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
    results = run_calls(program, calls, limits=LIMITS)
    assert time.monotonic() - started < 30
    assert [r.value for r in results if r.status == "ok"] == [[3, 2, 1], [5, 4], [0], [8, 7], "poisoned", [9, 1]]
    assert [r.error for r in results if r.status == "error"] == ["timeout", "crashed", "memory", "crashed"]
    assert_no_effect(results, targets, listener, sentinel)


def test_undefined_call_flood_is_bounded():
    program = "def attack():\n    i = 0\n    while True:\n        ask(i)\n        i += 1\n"
    asked = []
    result = run_call(program, "attack()", on_undefined=lambda c: asked.append(c.key) or 0,
                      limits=LIMITS, max_rounds=8)
    assert result.status == "error"
    assert len(asked) == 8


def test_giant_undefined_call_arguments_are_refused():
    program = "def attack():\n    return ask('x' * 10**6)\n"
    result = run_calls(program, ["attack()"], limits=LIMITS)[0]
    assert result.status == "error" and result.error == "output_too_large"


def test_parent_never_waits_longer_than_the_wall_limit_on_a_silent_child():
    program = ESCAPE + "def attack():\n    os.close(4)\n    while True:\n        pass\n"
    started = time.monotonic()
    result = run_calls(program, ["attack()", "attack()"], limits=LIMITS)
    assert [r.error for r in result] == ["crashed", "crashed"]
    assert time.monotonic() - started < 2 * MAX_SECONDS


def test_no_sandbox_processes_survive_a_batch():
    program = ESCAPE + "def pid():\n    return os.getpid()\ndef spin():\n    while True:\n        pass\n"
    results = run_calls(program, ["pid()", "spin()", "pid()"], limits=LIMITS)
    pids = [r.value for r in results if r.status == "ok"]
    assert len(pids) == 2 and pids[0] != pids[1]  # the timeout replaced the child
    time.sleep(0.2)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_child_environment_leaks_nothing_from_the_parent(monkeypatch):
    monkeypatch.setenv("COGEX_TEST_SECRET_TOKEN", SECRET_TEXT)
    program = ESCAPE + "def env():\n    return dict(os.environ)\ndef argv():\n    return list(_sys.argv), _sys.path\n"
    env, argv = run_calls(program, ["env()", "argv()"], limits=LIMITS)
    assert env.status == "ok" and SECRET_TEXT not in repr(env.value)
    assert set(env.value) <= {"PYTHONHASHSEED", "PYTHONUTF8", "TZ", "LC_ALL"}
    assert all("site-packages" not in p for p in argv.value[1])


@pytest.mark.skipif(sys.platform != "linux", reason="Linux sandbox")
def test_sigpipe_or_dead_child_does_not_kill_the_parent():
    handler = signal.getsignal(signal.SIGPIPE)
    program = ESCAPE + "def attack():\n    os.close(3)\n    os.close(4)\n    return 1\n"
    results = run_calls(program, ["attack()"] * 3, limits=LIMITS)
    assert [r.error for r in results] == ["crashed"] * 3
    assert signal.getsignal(signal.SIGPIPE) == handler


DANGEROUS_X86_64 = {
    "open": 2, "stat": 4, "socket": 41, "connect": 42, "clone": 56, "fork": 57, "vfork": 58,
    "execve": 59, "kill": 62, "ptrace": 101, "setuid": 105, "chroot": 161, "mount": 165,
    "unshare": 272, "setns": 308, "process_vm_writev": 311, "memfd_create": 319, "bpf": 321,
    "userfaultfd": 323, "execveat": 322, "openat": 257, "io_uring_setup": 425, "clone3": 435,
    "tgkill": 234, "prctl": 157, "seccomp": 317, "ioctl": 16, "unlink": 87, "mkdir": 83,
}


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers are x86_64")
def test_seccomp_denies_dangerous_syscalls_even_from_native_code():
    program = ESCAPE + textwrap.dedent('''
        def probe(numbers):
            out = {}
            for name, nr in numbers.items():
                ret = libc.syscall(nr, 0, 0, 0, 0, 0, 0)
                out[name] = (ret, ctypes.get_errno())
            return out
    ''')
    result = run_calls(program, [f"probe({DANGEROUS_X86_64!r})"], limits=LIMITS)[0]
    assert result.status == "ok", result
    assert result.value == {name: (-1, 1) for name in DANGEROUS_X86_64}  # all EPERM


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="x32 ABI is x86_64 only")
def test_x32_syscall_kills_the_child():
    program = ESCAPE + "def attack():\n    return libc.syscall(0x40000000 + 39)\n"
    result = run_calls(program, ["attack()"], limits=LIMITS)[0]
    assert result.status == "error" and result.error == "forbidden_operation"
    assert "SIGSYS" in result.detail
