"""``--cluster slurm`` end to end on a real one-node Slurm (``tests/slurmkit.py``): dask-jobqueue submits
worker jobs with sbatch, scales them up to the work and releases them; one worker job is scancel'ed
while cells run, and its cell runs again elsewhere. Records equal the sequential ones. Skipped, with the
reason, where Slurm is not installed (``.ci/run`` installs it)."""

from __future__ import annotations

import importlib.util
import threading
import time

import pytest

from bench.cli.parser import main
from tests.conftest import write_suite
from tests.slurmkit import LocalSlurm
from tests.test_dask_executor import _count, _records

REASON = LocalSlurm.unavailable() or (
    None if importlib.util.find_spec("dask_jobqueue") else "dask-jobqueue is not installed"
)
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
RUN_TIMEOUT_S = 300
SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    cluster = LocalSlurm(tmp_path_factory.mktemp("slurm"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


class QueueWatch(threading.Thread):
    """Watches squeue while the run goes: the job ids seen, the most running at once; once a cell
    is committed while others still run, scancels a running job (once)."""

    def __init__(self, slurm: LocalSlurm, db, cells: int):
        super().__init__(daemon=True)
        self.slurm, self.db, self.cells = slurm, db, cells
        self.seen: set[str] = set()
        self.most_running, self.cancelled, self.stop = 0, None, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            jobs = self.slurm.jobs()
            running = [j for j, state in jobs if state == "RUNNING"]
            self.seen |= {j for j, _ in jobs}
            self.most_running = max(self.most_running, len(running))
            if self.cancelled is None and running and self.db.exists() and 1 <= _count(self.db) < self.cells:
                self.cancelled = running[0]
                self.slurm.run("scancel", self.cancelled)
            time.sleep(0.1)


def test_a_suite_on_slurm_gives_the_sequential_records_and_survives_a_scancel(
    slurm, tiny_sequential, tmp_path, monkeypatch
):
    monkeypatch.setenv("SLURM_CONF", str(slurm.conf))
    profile = tmp_path / "slurm.yaml"
    profile.write_text(
        "cores: 1\nmemory: 3GB\nwalltime: '00:30:00'\nqueue: debug\n"
        "scheduler_options: {host: 127.0.0.1}\n"
        f"job_extra_directives: ['--output={tmp_path}/job-%j.out']\n"
        f"local_directory: {tmp_path}/scratch\n"
    )
    # three seeds, so that cells are still in flight when the first is committed, even on a quiet
    # machine (with TINY's one seed the last two cells could finish before the watch looked)
    suite = write_suite(tmp_path, {"seeds": SEEDS})
    cells = len(SEEDS) * len(tiny_sequential)
    db = tmp_path / "reports" / "tiny" / "results.sqlite"
    watch = QueueWatch(slurm, db, cells)
    watch.start()
    argv = ["run", str(suite), "--executor", "dask", "--cluster", "slurm", "--cluster-config", str(profile)]
    argv += ["--workers", "2", "--dashboard", "none", "--no-report", "--worker-timeout", "120"]
    argv += ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache")]
    try:
        assert main(argv) == 0
    finally:
        watch.stop.set()
        watch.join(timeout=10)
    records = _records(tmp_path)
    assert len(records) == cells  # nothing lost
    assert {k: v for k, v in records.items() if k in tiny_sequential} == tiny_sequential  # nothing different
    assert watch.cancelled is not None, "no worker job was running once a cell had finished"
    assert watch.most_running >= 1 and len(watch.seen) >= 2  # scaled up; a job replaced the cancelled one
    deadline = time.monotonic() + 60
    while slurm.jobs() and time.monotonic() < deadline:  # released when the run closed its cluster
        time.sleep(0.5)
    assert slurm.jobs() == []
