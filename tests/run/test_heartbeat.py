"""A stuck pool worker (SIGSTOP: no heartbeat) is reported, killed, and its task runs again."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

from bench.run.executors import Node, ProcessPoolExecutor
from bench.run.heartbeat import beat, stale


def stop_once(counter: str, *inputs) -> str:
    """Freeze this worker (SIGSTOP) on the first attempt; succeed on the next."""
    path = Path(counter)
    n = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(n))
    if n == 1:
        os.kill(os.getpid(), signal.SIGSTOP)
    return f"ran {n}"


def test_stale_names_a_silent_pid_only(tmp_path):
    beat(tmp_path)  # this process beats every second
    (tmp_path / "999999").touch()
    old = time.time() - 30
    os.utime(tmp_path / "999999", (old, old))
    silent = stale(tmp_path, [os.getpid(), 999999, 123456], after_s=10)
    assert list(silent) == [999999] and silent[999999] >= 30


def test_a_stopped_worker_is_killed_and_its_task_retried(tmp_path, caplog):
    executor = ProcessPoolExecutor(1, stuck_timeout=3)
    nodes = [Node("frozen", stop_once, str(tmp_path / "count"))]
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bench.run.executors"):
        results = {n.key: r for n, r in executor.run_graph(nodes)}
    assert results == {"frozen": "ran 2"}
    assert time.monotonic() - t0 < 60
    [message] = [r.getMessage() for r in caplog.records]
    assert "sent no heartbeat" in message and "frozen" in message and "runs again" in message
