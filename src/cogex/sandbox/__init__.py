"""The sandbox that runs untrusted programs (see docs/sandbox.md).

* :mod:`.policy` -- what a program may do: allowed modules, forbidden names, error kinds, limits;
* :mod:`.analysis` -- static checks, the ``match`` rewrite, the undefined-helper scope analyser;
* :mod:`.client` -- the parent side: starts the child, runs calls, answers helper calls;
* :mod:`.child` -- the script that runs in the confined child process;
* :mod:`.seccomp` -- the seccomp-BPF allow-lists; :mod:`.wire` -- the pipe framing.

The public names below are loaded on first use, so the child (which imports :mod:`.policy`
through this package) never loads the parent's side.
"""

from __future__ import annotations

from cogex._lazy import lazy_exports

_EXPORTS = {
    "SandboxLimits": "cogex.sandbox.policy",
    "ErrorKind": "cogex.sandbox.policy",
    "ERROR_KINDS": "cogex.sandbox.policy",
    "undefined_functions": "cogex.sandbox.analysis",
    "INSECURE_ENV_VAR": "cogex.sandbox.client",
    "HelperBudgetExceeded": "cogex.sandbox.client",
    "PendingCall": "cogex.sandbox.client",
    "SandboxResult": "cogex.sandbox.client",
    "SandboxUnavailableError": "cogex.sandbox.client",
    "run_call": "cogex.sandbox.client",
    "run_calls": "cogex.sandbox.client",
}

__all__ = list(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
