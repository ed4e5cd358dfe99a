"""A signal to the driver alone leaves no process behind, and SIGTERM/SIGHUP end a run like Ctrl-C.

Each case starts ``bench run`` on the process pool (two workers, forked from the warm worker
server), waits until the workers compute, records the driver's whole process tree, sends one signal
to the driver only (not its group), and checks that every process of that tree is gone soon after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parents[2]
SLOW = {  # cells that run for many seconds, so the signal lands mid-cell
    "heads": ["classical", "quantum"],
    "backends": ["default.qubit"],
    "seeds": [0, 1],
    "training": {"epochs": 400, "batch_size": 8, "patience": 400, "timing_repeats": 1},
}
EXIT = {signal.SIGTERM: 143, signal.SIGHUP: 129, signal.SIGINT: 130, signal.SIGKILL: -9}


def parents() -> dict[int, int]:
    """``{pid: parent pid}`` of every live (non-zombie) process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            out[int(entry.name)] = int(fields[1])
    return out


def tree(root: int) -> set[int]:
    """``root``'s live descendants."""
    table, found, frontier = parents(), set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def start_run(tmp: Path) -> subprocess.Popen:
    suite = write_suite(tmp, SLOW)
    cmd = [sys.executable, "-m", "bench", "run", str(suite), "--executor", "process", "--workers", "2"]
    cmd += ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache"), "--no-report"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QHEAD_EXECUTOR", None)
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored as in background
    )


def wait_for_workers(proc: subprocess.Popen, timeout: float = 180) -> set[int]:
    """The driver's tree once two pool workers (grandchildren, under the worker server) exist."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        table = parents()
        children = {pid for pid, ppid in table.items() if ppid == proc.pid}
        if sum(ppid in children for ppid in table.values()) >= 2:
            time.sleep(1.0)  # let the workers start their first tasks
            return tree(proc.pid)
        time.sleep(0.2)
    raise AssertionError("the pool workers never started")


def gone_within(pids: set[int], seconds: float) -> set[int]:
    """The pids of ``pids`` still alive after ``seconds`` (empty as soon as all are gone)."""
    deadline = time.monotonic() + seconds
    while (alive := pids & set(parents())) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL])
def test_a_signal_to_the_driver_alone_leaves_no_process(tmp_path, signum):
    proc = start_run(tmp_path)
    try:
        family = wait_for_workers(proc)
        assert len(family) >= 3  # the worker server and two workers at least
        os.kill(proc.pid, signum)
        assert proc.wait(timeout=60) == EXIT[signum], proc.stderr.read()
        assert not gone_within(family, 15), "processes outlived the driver"
    finally:
        if proc.poll() is None:
            proc.kill()
    if signum != signal.SIGKILL:
        err = proc.stderr.read()
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        assert f"interrupted ({name})" in err and "Traceback" not in err, err
        lock = tmp_path / "reports" / "tiny" / "run.lock"
        assert lock.read_text() == ""  # released: the next run does not wait
