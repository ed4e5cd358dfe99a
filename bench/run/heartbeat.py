"""Heartbeats of local worker processes, so that a stuck worker is found and its task run elsewhere.

A pool worker (``bench.run.interrupts.worker_init``) starts ``beat(folder)``: a daemon thread that
touches ``<folder>/<pid>`` every ``BEAT_S`` seconds while the process lives and runs. A worker that
is stopped (SIGSTOP, a debugger), or frozen in native code that holds the interpreter, stops
beating; ``stale(folder, pids, after_s)`` names the pids whose last beat is older than ``after_s``
seconds. The process pool kills such a worker (``bench.run.executors``), which counts as a worker
death: its task runs again on a fresh worker, at most ``MAX_ATTEMPTS`` runs in all.

This module imports nothing heavy (it runs first in a fresh worker).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

BEAT_S = 1.0


def beat(folder: str | os.PathLike) -> threading.Thread:
    """In a worker: touch ``folder/<pid>`` now and every ``BEAT_S`` s from a daemon thread."""
    path = Path(folder) / str(os.getpid())
    path.touch()

    def loop() -> None:
        while True:
            time.sleep(BEAT_S)
            try:
                os.utime(path)
            except OSError:  # the folder went away: the driver is done with this pool
                return

    thread = threading.Thread(target=loop, name="qhead-heartbeat", daemon=True)
    thread.start()
    return thread


def heartbeat_folder() -> str:
    """A fresh private folder for one pool's heartbeats (the caller removes it)."""
    return tempfile.mkdtemp(prefix="qhead-heartbeat-")


def stale(folder: str | os.PathLike, pids, after_s: float) -> dict[int, float]:
    """``{pid: seconds since its last beat}`` for each of ``pids`` silent for more than ``after_s``
    seconds (a pid that has not beaten yet is still starting and is not counted)."""
    now, out = time.time(), {}
    for pid in pids:
        try:
            age = now - (Path(folder) / str(pid)).stat().st_mtime
        except OSError:
            continue
        if age > after_s:
            out[pid] = age
    return out
