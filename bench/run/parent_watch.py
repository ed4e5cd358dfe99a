"""A local worker process never outlives the process that started it.

``die_with_parent()`` asks the Linux kernel (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to kill this
process the moment its parent ends, however the parent ends (kill -9 included). The warm worker
server (``bench.run.worker_server``) calls it first thing, so it dies with the driver; every pool
worker forked from it calls it in its initializer, so it dies with the server. A SIGTERM to the
driver alone therefore leaves no process behind. Elsewhere than Linux it is a no-op (the server
still ends when the driver's end of its pipe closes; see ``multiprocessing.forkserver``).

The kernel signals on the death of the parent *thread* that forked this process: both callers are
started from their parent's main thread. If the parent died before the call (a race at start-up),
this process ends at once. Imported first by the worker server (listed in its preload), so
importing this module with ``QHEAD_PARENT_PID`` set arms the watch; it imports nothing heavy.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PARENT_ENV = "QHEAD_PARENT_PID"  # set by the driver for the worker server: the pid it must die with
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Be SIGKILLed when the parent process ends; exit now if it has already ended (its pid is not
    ``parent`` any more, or it was reparented to init). True when armed, False where unsupported."""
    expected = parent if parent is not None else os.getppid()
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != expected or expected == 1:
        os._exit(1)
    return True


def _arm_from_environment() -> None:
    """In the worker server: die with the driver named by ``PARENT_ENV`` (then unset it, so no
    process started later inherits the request)."""
    pid = os.environ.pop(PARENT_ENV, "")
    if pid.isdigit():
        die_with_parent(int(pid))


_arm_from_environment()
