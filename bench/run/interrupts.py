"""Ctrl-C with worker processes: the driver reports it in one line; workers end silently.

A terminal sends Ctrl-C (SIGINT) to every process of the foreground group, pool workers too.
Left alone, each worker prints its own ``KeyboardInterrupt`` traceback (even one still starting
up). So:

* ``sigint_deferred()`` - around starting worker processes, the driver blocks SIGINT in its
  thread; the children inherit the block, so Ctrl-C cannot reach them half-started (a Ctrl-C
  meanwhile reaches the driver right after);
* ``sigint_ignored_by_children()`` - around starting a process that must start with Ctrl-C
  ignored (a Dask worker, the warm worker server): the driver, not each child with a traceback,
  handles it; an ignored signal stays ignored across ``exec``;
* ``keeping_ctrl_c()`` - around importing a library that replaces the process's SIGINT handler
  (``dask_jobqueue`` installs one that exits with code 0 and no word), the driver's is put back;
* ``worker_init()`` - the pool initializer: one compute thread (``bench.run.threads``) and a
  SIGINT handler that ends the worker at once with exit code 130, without a traceback (what it
  was computing was not committed, and is re-run on resume).

This module imports nothing heavy (it runs first in a fresh worker).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bench.run.threads import single_thread_env

INTERRUPTED_EXIT = 130


def _exit_quietly(signum, frame) -> None:  # pragma: no cover - runs in a worker process
    os._exit(INTERRUPTED_EXIT)


def quiet_sigint() -> None:
    """In a worker process: Ctrl-C ends it at once, silently; SIGINT is unblocked again."""
    signal.signal(signal.SIGINT, _exit_quietly)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def worker_init() -> None:
    """Initializer of pool workers: one compute thread, quiet Ctrl-C."""
    single_thread_env()
    quiet_sigint()


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Block SIGINT in the calling (main) thread while worker processes start; restore after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def keeping_ctrl_c() -> Iterator[None]:
    """Restore this process's SIGINT handler after the block (in the main thread; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def sigint_ignored_by_children() -> Iterator[None]:
    """Ignore SIGINT in this process while children start inside, so that they start ignoring it."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
