"""Minimal seccomp-BPF allow-list filters installed with ctypes + prctl (Linux only).

Used by the sandbox child (:mod:`cogex.sandbox.child`). Two profiles, both *allow-lists*:

* ``server`` -- the child's long-lived process, which never runs program code: the
  syscalls of pure computation plus what it needs to fork one worker per call and relay
  its pipe (fork-style ``clone`` only, ``wait4``, ``kill``, ``pipe2``, ``poll``, ``prctl``
  for the worker's own filter and death signal, ``prlimit64``...);
* ``call`` -- stacked on top of ``server`` in each worker before the program runs: only
  the syscalls a running CPython interpreter needs for pure computation (memory
  management, reading/writing already-open pipe fds, clocks, futexes, exiting).
  Obviously hostile syscalls (sockets, clone/fork/execve, kill, ptrace, prctl, seccomp,
  setuid, namespaces, mount, bpf, io_uring...) *kill* the worker with SIGSYS, so the
  parent sees the violation from the outside; every other syscall (open, stat, ioctl...)
  fails with EPERM.

A foreign architecture (e.g. 32-bit syscalls on x86_64) or an x32 syscall number kills the
process under both profiles.

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
BPF_JA, BPF_JEQ, BPF_JGE, BPF_K = 0x00, 0x10, 0x30, 0x00

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_MODE_FILTER = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22

# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
_OFF_NR, _OFF_ARCH, _OFF_ARGS = 0, 4, 16

_X32_SYSCALL_BIT = 0x40000000

#: glibc's fork(): clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, ...).
FORK_CLONE_FLAGS = 0x01000000 | 0x00200000 | 17

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

#: Extra syscalls of the server profile (the process that forks workers, never runs programs).
SERVER_SYSCALLS: tuple[str, ...] = (
    "clone", "wait4", "kill", "pipe2", "poll", "ppoll", "prctl", "set_robust_list", "rseq",
    "prlimit64", "setrlimit", "getppid", "dup2", "dup3", "fcntl",
)

#: Server-profile syscalls allowed only with these values of one argument: (index, values, 64-bit).
SERVER_ARG_RULES: dict[str, tuple[int, tuple[int, ...], bool]] = {
    "clone": (0, (FORK_CLONE_FLAGS,), True),  # a plain fork: no threads, no namespaces
    "prctl": (0, (PR_SET_PDEATHSIG, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS), False),
}

#: Syscalls that kill a worker (SIGSYS) instead of failing: no computation needs them.
KILL_SYSCALLS: tuple[str, ...] = (
    "socket", "socketpair", "connect", "accept", "accept4", "bind", "listen", "shutdown",
    "sendto", "recvfrom", "sendmsg", "recvmsg", "clone", "clone3", "fork", "vfork", "execve",
    "execveat", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "ptrace", "process_vm_readv",
    "process_vm_writev", "prctl", "seccomp", "setuid", "setgid", "setreuid", "setregid",
    "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "setpgid", "setsid",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "bpf", "perf_event_open",
    "userfaultfd", "memfd_create", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "add_key", "request_key", "keyctl", "kexec_load", "init_module", "finit_module",
    "delete_module",
)

PROFILES = ("server", "call")

# Per-architecture: audit arch value and syscall numbers.
_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {
        "read": 0, "write": 1, "close": 3, "fstat": 5, "poll": 7, "lseek": 8, "mmap": 9,
        "mprotect": 10, "munmap": 11, "brk": 12, "rt_sigaction": 13, "rt_sigprocmask": 14,
        "rt_sigreturn": 15, "readv": 19, "writev": 20, "sched_yield": 24, "mremap": 25,
        "madvise": 28, "dup2": 33, "nanosleep": 35, "getpid": 39, "socket": 41, "connect": 42,
        "accept": 43, "sendto": 44, "recvfrom": 45, "sendmsg": 46, "recvmsg": 47,
        "shutdown": 48, "bind": 49, "listen": 50, "socketpair": 53, "clone": 56, "fork": 57,
        "vfork": 58, "execve": 59, "exit": 60, "wait4": 61, "kill": 62, "fcntl": 72,
        "gettimeofday": 96, "getrusage": 98, "times": 100, "ptrace": 101, "getuid": 102,
        "getgid": 104, "setuid": 105, "setgid": 106, "geteuid": 107, "getegid": 108,
        "setpgid": 109, "getppid": 110, "setsid": 112, "setreuid": 113, "setregid": 114,
        "setgroups": 116, "setresuid": 117, "setresgid": 119, "setfsuid": 122,
        "setfsgid": 123, "rt_sigqueueinfo": 129, "sigaltstack": 131, "pivot_root": 155,
        "prctl": 157, "setrlimit": 160, "chroot": 161, "mount": 165, "umount2": 166,
        "init_module": 175, "delete_module": 176, "gettid": 186, "tkill": 200, "time": 201,
        "futex": 202, "restart_syscall": 219, "clock_gettime": 228, "clock_getres": 229,
        "clock_nanosleep": 230, "exit_group": 231, "tgkill": 234, "kexec_load": 246,
        "add_key": 248, "request_key": 249, "keyctl": 250, "ppoll": 271, "unshare": 272,
        "set_robust_list": 273, "accept4": 288, "dup3": 292, "pipe2": 293,
        "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "prlimit64": 302, "setns": 308,
        "process_vm_readv": 310, "process_vm_writev": 311, "finit_module": 313,
        "seccomp": 317, "getrandom": 318, "memfd_create": 319, "bpf": 321, "execveat": 322,
        "userfaultfd": 323, "rseq": 334, "pidfd_send_signal": 424, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "pidfd_open": 434, "clone3": 435,
        "pidfd_getfd": 438,
    }),
    # asm-generic numbering; not exercised by the test-suite machine (x86_64).
    "aarch64": (0xC00000B7, {
        "dup3": 24, "fcntl": 25, "umount2": 39, "mount": 40, "pivot_root": 41, "chroot": 51,
        "close": 57, "pipe2": 59, "lseek": 62, "read": 63, "write": 64, "readv": 65,
        "writev": 66, "ppoll": 73, "fstat": 80, "exit": 93, "exit_group": 94, "unshare": 97,
        "futex": 98, "set_robust_list": 99, "nanosleep": 101, "kexec_load": 104,
        "init_module": 105, "delete_module": 106, "clock_gettime": 113, "clock_getres": 114,
        "clock_nanosleep": 115, "ptrace": 117, "sched_yield": 124, "restart_syscall": 128,
        "kill": 129, "tkill": 130, "tgkill": 131, "sigaltstack": 132, "rt_sigaction": 134,
        "rt_sigprocmask": 135, "rt_sigqueueinfo": 138, "rt_sigreturn": 139, "setregid": 143,
        "setgid": 144, "setreuid": 145, "setuid": 146, "setresuid": 147, "setresgid": 149,
        "setfsuid": 151, "setfsgid": 152, "times": 153, "setpgid": 154, "setsid": 157,
        "setgroups": 159, "setrlimit": 164, "getrusage": 165, "prctl": 167,
        "gettimeofday": 169, "getpid": 172, "getppid": 173, "getuid": 174, "geteuid": 175,
        "getgid": 176, "getegid": 177, "gettid": 178, "socket": 198, "socketpair": 199,
        "bind": 200, "listen": 201, "accept": 202, "connect": 203, "sendto": 206,
        "recvfrom": 207, "shutdown": 210, "sendmsg": 211, "recvmsg": 212, "brk": 214,
        "munmap": 215, "mremap": 216, "add_key": 217, "request_key": 218, "keyctl": 219,
        "clone": 220, "execve": 221, "mmap": 222, "mprotect": 226, "madvise": 233,
        "rt_tgsigqueueinfo": 240, "perf_event_open": 241, "accept4": 242, "wait4": 260,
        "prlimit64": 261, "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271,
        "finit_module": 273, "seccomp": 277, "getrandom": 278, "memfd_create": 279,
        "bpf": 280, "execveat": 281, "userfaultfd": 282, "rseq": 293,
        "pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438,
    }),
}


class SeccompUnavailable(RuntimeError):
    """The filter could not be installed (unsupported arch/kernel, or prctl failed)."""


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _ret(action: int) -> bytes:
    return _insn(BPF_RET | BPF_K, 0, 0, action)


def _arg_block(nr: int, index: int, values: tuple[int, ...], wide: bool, deny: int) -> list[bytes]:
    """``if nr == <nr>``: allow only when argument ``index`` is one of ``values``."""
    low = _OFF_ARGS + 8 * index  # little-endian: low word first (x86_64, aarch64)
    body = [_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, low)]
    m = len(values)
    for j, value in enumerate(values):
        body.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, m - j, 0, value & 0xFFFFFFFF))
    body.append(_ret(deny))
    if wide:  # the high word must be zero as well
        body += [_insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, low + 4),
                 _insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), _ret(SECCOMP_RET_ALLOW), _ret(deny)]
    else:
        body.append(_ret(SECCOMP_RET_ALLOW))
    return [_insn(BPF_JMP | BPF_JEQ | BPF_K, 0, len(body), nr), *body]


def build_filter(machine: str | None = None, profile: str = "call") -> bytes:
    """Return the raw BPF program (array of ``struct sock_filter``) for ``machine``."""
    machine = machine or platform.machine()
    if machine not in _ARCHES:
        raise SeccompUnavailable(f"no seccomp syscall table for architecture {machine!r}")
    if profile not in PROFILES:
        raise ValueError(f"unknown seccomp profile {profile!r}")
    audit_arch, table = _ARCHES[machine]
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    prog: list[bytes] = [
        _insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, _OFF_ARCH),
        _insn(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, audit_arch),   # arch ok -> skip the kill
        _ret(SECCOMP_RET_KILL_PROCESS),
        _insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, _OFF_NR),
    ]
    if machine == "x86_64":
        # x32 ABI syscalls (nr | 0x40000000) are a different table: refuse them outright.
        prog.append(_insn(BPF_JMP | BPF_JGE | BPF_K, 0, 1, _X32_SYSCALL_BIT))
        prog.append(_ret(SECCOMP_RET_KILL_PROCESS))
    allowed = set(ALLOWED_SYSCALLS)
    if profile == "server":
        for name, (index, values, wide) in SERVER_ARG_RULES.items():
            prog += _arg_block(table[name], index, values, wide, deny)
        allowed |= set(SERVER_SYSCALLS) - set(SERVER_ARG_RULES)
    else:
        kills = sorted({table[name] for name in KILL_SYSCALLS if name in table})
        k = len(kills)
        for i, nr in enumerate(kills):
            # jump to the KILL return, which sits after the remaining compares and a skip
            prog.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, k - i, 0, nr))
        prog.append(_insn(BPF_JMP | BPF_JA, 0, 0, 1))  # no kill: skip the return below
        prog.append(_ret(SECCOMP_RET_KILL_PROCESS))
    nrs = sorted({table[name] for name in allowed if name in table})
    n = len(nrs)
    for i, nr in enumerate(nrs):
        # jump to the ALLOW return, which sits after the remaining compares and the DENY return
        prog.append(_insn(BPF_JMP | BPF_JEQ | BPF_K, n - i, 0, nr))
    prog.append(_ret(deny))
    prog.append(_ret(SECCOMP_RET_ALLOW))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Filter:
    """A built filter, ready to install; prepared in advance so installing needs no allocation."""

    def __init__(self, profile: str = "call") -> None:
        program = build_filter(profile=profile)
        self.profile = profile
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._prctl = self._libc.prctl
        self._prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        self._prctl.restype = ctypes.c_int
        self._buf = ctypes.create_string_buffer(program, len(program))
        self._fprog = _SockFprog(len(program) // 8, ctypes.cast(self._buf, ctypes.c_void_p))

    def install(self) -> None:
        """Set no_new_privs and install the filter on the calling thread (irreversible; stacks)."""
        if self._prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise SeccompUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}")
        if self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self._fprog), 0, 0) != 0:
            raise SeccompUnavailable(f"prctl(PR_SET_SECCOMP) failed: errno {ctypes.get_errno()}")

    def set_death_signal(self, sig: int) -> None:
        """prctl(PR_SET_PDEATHSIG, sig): die with the parent process."""
        self._prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def install_filter(profile: str = "call") -> None:
    """Build and install the ``profile`` filter on the calling thread (irreversible)."""
    Filter(profile).install()
