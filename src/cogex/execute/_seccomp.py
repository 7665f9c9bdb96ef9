"""Minimal seccomp-BPF allow-list filter installed with ctypes + prctl (Linux only).

Used by the sandbox child (``_sandbox_child.py``) right before it starts running untrusted
code. The filter is an *allow-list*: only the system calls a running CPython interpreter
needs for pure computation (memory management, reading/writing already-open pipe fds,
clocks, futexes, exiting) are permitted. Everything else -- open/openat/creat/stat,
socket/connect, clone/clone3/fork/vfork/execve, kill/tkill/tgkill, ptrace, prctl,
io_uring, bpf, ... -- fails with EPERM. A foreign architecture (e.g. 32-bit syscalls on
x86_64) or an x32 syscall number kills the process.

The module is self-contained (stdlib only) because the child loads it by file path.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

# --- BPF / seccomp constants (linux/filter.h, linux/seccomp.h, linux/audit.h) ------------
BPF_LD, BPF_JMP, BPF_RET = 0x00, 0x05, 0x06
BPF_W, BPF_ABS = 0x00, 0x20
BPF_JEQ, BPF_JGE, BPF_K = 0x10, 0x30, 0x00

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_MODE_FILTER = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22

# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
_OFF_NR, _OFF_ARCH = 0, 4

_X32_SYSCALL_BIT = 0x40000000

# Per-architecture: audit arch value and the numbers of the allowed syscalls.
# Names are listed explicitly so the policy is reviewable (see docs/sandbox.md).
ALLOWED_SYSCALLS: tuple[str, ...] = (
    "read", "write", "readv", "writev", "close", "lseek", "fstat",
    "mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
    "futex", "sched_yield", "nanosleep", "clock_nanosleep",
    "clock_gettime", "clock_getres", "gettimeofday", "time", "getrusage", "times",
    "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getrandom",
    "exit", "exit_group",
)

_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "read": 0, "write": 1, "close": 3, "fstat": 5, "lseek": 8, "mmap": 9,
        "mprotect": 10, "munmap": 11, "brk": 12, "rt_sigaction": 13, "rt_sigprocmask": 14,
        "rt_sigreturn": 15, "readv": 19, "writev": 20, "sched_yield": 24, "mremap": 25,
        "madvise": 28, "nanosleep": 35, "getpid": 39, "exit": 60, "gettimeofday": 96,
        "getrusage": 98, "times": 100, "getuid": 102, "getgid": 104, "geteuid": 107,
        "getegid": 108, "sigaltstack": 131, "gettid": 186, "time": 201, "futex": 202,
        "restart_syscall": 219, "clock_gettime": 228, "clock_getres": 229,
        "clock_nanosleep": 230, "exit_group": 231, "getrandom": 318,
    }),
    # asm-generic numbering; not exercised by the test-suite machine (x86_64).
    "aarch64": (0xC00000B7, {
        "read": 63, "write": 64, "close": 57, "fstat": 80, "lseek": 62, "mmap": 222,
        "mprotect": 226, "munmap": 215, "brk": 214, "rt_sigaction": 134,
        "rt_sigprocmask": 135, "rt_sigreturn": 139, "readv": 65, "writev": 66,
        "sched_yield": 124, "mremap": 216, "madvise": 233, "nanosleep": 101, "getpid": 172,
        "exit": 93, "gettimeofday": 169, "getrusage": 165, "times": 153, "getuid": 174,
        "getgid": 176, "geteuid": 175, "getegid": 177, "sigaltstack": 132, "gettid": 178,
        "futex": 98, "restart_syscall": 128, "clock_gettime": 113, "clock_getres": 114,
        "clock_nanosleep": 115, "exit_group": 94, "getrandom": 278,
    }),
}


class SeccompUnavailable(RuntimeError):
    """The filter could not be installed (unsupported arch/kernel, or prctl failed)."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def build_filter(machine: str | None = None) -> bytes:
    """Return the raw BPF program (array of ``struct sock_filter``) for ``machine``."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        raise SeccompUnavailable(f"no seccomp syscall table for architecture {machine!r}")
    audit_arch, table = _ARCHES[machine]
    nrs = sorted({table[name] for name in ALLOWED_SYSCALLS if name in table})
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    prog: list[bytes] = [
        _insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, _OFF_ARCH),
        _insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, audit_arch),   # arch ok -> skip the kill
        _insn(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
        _insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, _OFF_NR),
    ]
    if machine == "x86_64":
        # x32 ABI syscalls (nr | 0x40000000) are a different table: refuse them outright.
        prog.append(_insn(BPF_JMP | BPF_JGE | BPF_K, 0, 1, _X32_SYSCALL_BIT))
        prog.append(_insn(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS))
    n = len(nrs)
    for i, nr in enumerate(nrs):
        # jump to the ALLOW return, which sits after the remaining compares and the DENY return
        prog.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, n - i, 0, nr))
    prog.append(_insn(BPF_RET | BPF_K, 0, 0, deny))
    prog.append(_insn(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install_filter() -> None:
    """Set no_new_privs and install the allow-list filter on the calling thread (irreversible)."""
    program = build_filter()
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SeccompUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise SeccompUnavailable(f"prctl(PR_SET_SECCOMP) failed: errno {ctypes.get_errno()}")
