"""One warm server per driver that forks the local worker processes.

Both parallel executors on this machine - the process pool and the workers of a Dask
``LocalCluster`` - start workers through multiprocessing's ``forkserver`` method. The server is a
single-threaded process that first imports ``bench.run.worker_warmup`` (torch, PennyLane, the
cell stages); every worker is then forked from it and starts with all of that loaded, instead of
spending 4-5 CPU seconds importing it (a replaced worker after a crash starts just as fast).

``start_worker_server()`` starts it in the background and returns at once; the driver calls it
once it has cells to run, before it imports the cell stages itself, so the server's imports overlap
the driver's own (a re-run with nothing to compute starts no server). The server
starts with one thread per runtime (``bench.run.threads``) and with Ctrl-C ignored: its workers
inherit both (pool workers then install their quiet handler, ``bench.run.interrupts``). It dies
with the driver, and each pool worker with it (``bench.run.parent_watch``): no worker outlives a
driver that is killed, even with kill -9. Where the
platform has no ``forkserver`` (Windows), workers are spawned as before.

This module imports nothing heavy.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterator
from contextlib import contextmanager

from bench.run.interrupts import sigint_ignored_by_children
from bench.run.parent_watch import PARENT_ENV as PARENT_WATCH_ENV
from bench.run.threads import THREAD_VARIABLES, single_thread_env

WARMUP_MODULE = "bench.run.worker_warmup"
PARENT_WATCH_MODULE = "bench.run.parent_watch"  # first: the server dies with the driver


def worker_method() -> str:
    """``"forkserver"`` where the platform has it, else ``"spawn"``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def worker_context(dask: bool = False) -> multiprocessing.context.BaseContext:
    """The multiprocessing context local workers start from, its server started if not yet.

    ``dask``: the server also preloads ``distributed`` (for LocalCluster workers). The preload
    list is fixed when the server starts: the first call decides it for this process.
    """
    context = multiprocessing.get_context(worker_method())
    if worker_method() == "forkserver":
        start_worker_server(dask)
    return context


def start_worker_server(dask: bool = False) -> None:
    """Start the warm server in the background unless it runs already; returns at once."""
    if worker_method() != "forkserver":
        return
    preload = [PARENT_WATCH_MODULE, WARMUP_MODULE, *(["distributed"] if dask else [])]
    multiprocessing.set_forkserver_preload(preload)
    with _single_thread_environ(), sigint_ignored_by_children():
        os.environ[PARENT_WATCH_ENV] = str(os.getpid())
        multiprocessing.forkserver.ensure_running()


@contextmanager
def _single_thread_environ() -> Iterator[None]:
    """Set the thread variables and the parent-watch pid for a child started inside; this
    process's values are restored."""
    saved = {name: os.environ.get(name) for name in (*THREAD_VARIABLES, PARENT_WATCH_ENV)}
    single_thread_env()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
