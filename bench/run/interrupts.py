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
* ``worker_init()`` - the pool initializer: one compute thread (``bench.run.threads``), a
  SIGINT handler that ends the worker at once with exit code 130, without a traceback (what it
  was computing was not committed, and is re-run on resume), and death with its parent
  (``bench.run.parent_watch``: a worker never outlives the driver, even after kill -9);
* ``stop_signals_as_ctrl_c()`` - around a command: SIGTERM (what Slurm, systemd and ``timeout``
  send) and SIGHUP (a closed terminal or ssh session) raise ``Terminated``, a ``KeyboardInterrupt``,
  so they take Ctrl-C's path (finished cells committed, the lock released, clusters closed); the
  exit code is then ``128 + signal`` (143, 129), ``interrupt_exit_code()``. A second such signal
  while the first is handled is ignored, so the clean-up finishes.

This module imports nothing heavy (it runs first in a fresh worker).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bench.core.exit_codes import ExitCode
from bench.run.parent_watch import die_with_parent
from bench.run.threads import single_thread_env

INTERRUPTED_EXIT = int(ExitCode.INTERRUPTED)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_RECEIVED: list[int] = []  # stop signals received by this process, in order


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP reached the driver: handled as Ctrl-C, exit code ``128 + signum``."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def interrupt_exit_code() -> ExitCode:
    """The exit code of an interrupted command: ``TERMINATED`` (143) after SIGTERM, ``HANGUP`` (129)
    after SIGHUP, else ``INTERRUPTED`` (130)."""
    return ExitCode(128 + _RECEIVED[0]) if _RECEIVED else ExitCode.INTERRUPTED


def interruption_name() -> str:
    """``SIGTERM``/``SIGHUP`` when one of them stopped this process, else ``Ctrl-C``."""
    return signal.Signals(_RECEIVED[0]).name if _RECEIVED else "Ctrl-C"


def _raise_terminated(signum, frame) -> None:
    _RECEIVED.append(signum)
    if len(_RECEIVED) == 1:  # a second signal during the clean-up is ignored
        raise Terminated(signum)


@contextmanager
def stop_signals_as_ctrl_c() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Terminated`` inside the block (main thread; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_terminated) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def _exit_quietly(signum, frame) -> None:  # pragma: no cover - runs in a worker process
    os._exit(INTERRUPTED_EXIT)


def quiet_sigint() -> None:
    """In a worker process: Ctrl-C ends it at once, silently; SIGINT is unblocked again."""
    signal.signal(signal.SIGINT, _exit_quietly)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def worker_init(heartbeats: str | None = None) -> None:
    """Initializer of pool workers: one compute thread, quiet Ctrl-C, death with the parent, and
    a heartbeat into folder ``heartbeats`` (``bench.run.heartbeat``) when given."""
    die_with_parent()
    single_thread_env()
    quiet_sigint()
    if heartbeats:
        from bench.run.heartbeat import beat

        beat(heartbeats)


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
