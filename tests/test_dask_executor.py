"""The Dask executor against real processes: a LocalCluster, and a `dask scheduler` with two `dask worker`
processes started here on 127.0.0.1 (random ports, always killed). Records must equal the sequential ones."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.results.store import ResultsStore
from tests.conftest import write_suite

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90


def _run(suite: Path, tmp: Path, *extra: str) -> int:
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache"), "--no-report"]
    return main(["run", str(suite), *dirs, *extra])


def _records(tmp: Path) -> dict[str, dict]:
    store = ResultsStore(tmp / "reports" / "tiny" / "results.sqlite")
    try:
        return {r.key: r.deterministic_view() for r in store.get()}
    finally:
        store.close()


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    return write_suite(tmp_path_factory.mktemp("suite"))


class LocalDask:
    """A `dask scheduler` and worker processes on 127.0.0.1, each in its own session (killed as a group)."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, []
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.file = tmp / "scheduler.json"
        self._spawn([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0"])
        deadline = time.time() + START_TIMEOUT_S
        while not self.file.exists() and time.time() < deadline:
            time.sleep(0.1)
        self.address = json.loads(self.file.read_text())["address"]

    def _spawn(self, cmd: list[str], prefix: list[str] = ()) -> subprocess.Popen:
        cmd = [*prefix, *cmd, "--no-dashboard"]
        if "scheduler" in cmd:
            cmd += ["--scheduler-file", str(self.file)]
        log = open(self.tmp / f"proc{len(self.procs)}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        self.procs.append(proc)
        return proc

    def add_worker(self, prefix: list[str] = ()) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1"]
        return self._spawn([*cmd, "--preload", "bench.run.worker_warmup"], prefix)  # as docs/cluster.md says

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=START_TIMEOUT_S)

    def kill(self, proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def close(self) -> None:
        for proc in reversed(self.procs):
            self.kill(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    dask = LocalDask(tmp_path_factory.mktemp("dask"))
    try:
        dask.add_worker()
        dask.add_worker()
        with dask.client() as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield dask
    finally:
        dask.close()


def test_local_cluster_gives_the_records_of_a_sequential_run(suite, tiny_sequential, tmp_path, capsys):
    assert _run(suite, tmp_path, "--executor", "dask", "--workers", "2", "--dashboard", "none") == 0
    assert _records(tmp_path) == tiny_sequential
    assert "dask: LocalCluster, 2 worker(s) now; dashboard off (--dashboard none)" in capsys.readouterr().err


def test_existing_scheduler_gives_the_records_of_a_sequential_run(suite, tiny_sequential, cluster, tmp_path):
    assert _run(suite, tmp_path, "--executor", "dask", "--scheduler", cluster.address) == 0
    assert _records(tmp_path) == tiny_sequential


def test_worker_killed_mid_cell_loses_nothing(suite, tiny_sequential, cluster, tmp_path):
    with cluster.client() as client:
        pids = client.run(os.getpid)
    killed: list[str] = []

    def kill_a_worker_running_a_cell() -> None:
        with cluster.client() as client:
            deadline = time.time() + START_TIMEOUT_S
            while time.time() < deadline and not killed:
                for address, keys in client.processing().items():
                    cells = [k for k in keys if str(k).startswith("cell-")]
                    if cells and address in pids:
                        os.kill(pids[address], signal.SIGKILL)
                        killed.extend(cells)
                        return
                time.sleep(0.02)

    killer = threading.Thread(target=kill_a_worker_running_a_cell, daemon=True)
    killer.start()
    assert _run(suite, tmp_path, "--executor", "dask", "--scheduler", cluster.address) == 0
    killer.join(timeout=5)
    assert killed, "no worker was caught running a cell"
    assert _records(tmp_path) == tiny_sequential  # the killed cell was re-run elsewhere; nothing lost
    with cluster.client() as client:  # the nanny restarted the killed worker for the next test
        client.wait_for_workers(2, timeout=START_TIMEOUT_S)


def _live_in_group(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` that are not zombies (read from /proc)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(int(stat.parent.name))
    return live


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-Urm", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs user+mount namespaces (unshare -Urm)")
def test_a_worker_that_sees_another_cache_stops_the_run_before_any_cell(suite, cluster, tmp_path, capsys):
    # This worker runs in its own mount namespace with an empty tmpfs over tmp_path: it sees a
    # different directory at the very path of the cache, as a node without the shared mount would.
    tmp_path.joinpath("cache").mkdir()
    blind = cluster.add_worker(
        ["unshare", "-Urm", "sh", "-c", f'mount -t tmpfs none "{tmp_path}" && exec "$0" "$@"']
    )
    try:
        with cluster.client() as client:
            client.wait_for_workers(3, timeout=START_TIMEOUT_S)
        t0 = time.time()
        assert _run(suite, tmp_path, "--executor", "dask", "--scheduler", cluster.address) == 2
        err = capsys.readouterr().err
        (line,) = [x for x in err.splitlines() if x.startswith("error:")]
        assert "does not see directory" in line and str(tmp_path / "cache") in line and "Traceback" not in err
        assert _count(tmp_path / "reports" / "tiny" / "results.sqlite") == 0  # no cell ran
        assert time.time() - t0 < 30
    finally:
        cluster.kill(blind)


def test_ctrl_c_cancels_closes_the_cluster_it_started_and_keeps_what_finished(tmp_path):
    # One worker; the fake-manila cells need seconds (Qiskit import, noisy simulation): work is left
    # after the first commit.
    suite = write_suite(tmp_path, {"seeds": [0, 1], "backends": ["default.qubit", "fake-manila"]})
    db = tmp_path / "reports" / "tiny" / "results.sqlite"
    cmd = [sys.executable, "-m", "bench", "run", str(suite), "--executor", "dask", "--workers", "1"]
    cmd += [
        "--dashboard",
        "none",
        "--reports-dir",
        str(tmp_path / "reports"),
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline, committed = time.time() + START_TIMEOUT_S, 0
        while time.time() < deadline and proc.poll() is None and committed == 0:
            time.sleep(0.05)
            committed = _count(db) if db.exists() else 0
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130, out.decode()[-2000:]
        saved = ResultsStore(db).get()
        assert 1 <= committed <= len(saved) < 6 and all(r.status == "ok" for r in saved)
        assert "Traceback" not in out.decode()  # workers leave Ctrl-C to the driver
        time.sleep(1)
        assert _live_in_group(proc.pid) == []  # no worker of its LocalCluster outlives it
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_without_dask_the_executor_probes_and_the_run_fails_with_one_line(monkeypatch, tmp_path, capsys):
    from bench.core.registry import EXECUTORS

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    assert EXECUTORS.get("dask").probe() == (
        'dask.distributed is not installed; install the extra: pip install -e ".[dask]"'
    )
    suite = write_suite(tmp_path)
    assert _run(suite, tmp_path, "--executor", "dask") == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and 'pip install -e ".[dask]"' in err
        and err.startswith("error: --executor dask")
    )


def test_dask_options_need_the_dask_executor(tmp_path, capsys):
    suite = write_suite(tmp_path)
    assert _run(suite, tmp_path, "--executor", "process", "--scheduler", "tcp://127.0.0.1:1") == 2
    assert "--scheduler: needs --executor dask" in capsys.readouterr().err


def test_worker_check_names_what_is_wrong(tmp_path, monkeypatch):
    from bench.run import dask_executor as de

    monkeypatch.setattr(de, "SEE_RETRY_S", 0.0)
    tokens = de._write_tokens([tmp_path / "cache"], "run1")
    assert de.worker_problem(tokens, 1) is None
    assert "has 2 threads" in de.worker_problem(tokens, 2)
    (tmp_path / "cache" / de.PROBE_NAME).write_text("another run")
    assert de.worker_problem(tokens, 1).startswith(f"sees a different directory {tmp_path / 'cache'}")
    (tmp_path / "cache" / de.PROBE_NAME).unlink()
    assert de.worker_problem(tokens, 1).startswith(f"does not see directory {tmp_path / 'cache'}")


SLURM_PROFILE = """\
cores: 1
memory: 4GB
walltime: "01:30:00"
queue: short
account: qlab
job_script_prologue: ["source /shared/qhead-bench/.venv/bin/activate", "cd /shared/qhead-bench"]
worker_extra_args: ["--preload", "bench.run.worker_warmup"]
scheduler_options: {host: 127.0.0.1}
"""


def test_slurm_profile_gives_a_job_script_of_single_threaded_workers(tmp_path, monkeypatch):
    # There is no Slurm here: the cluster object is built from the profile and its job script checked;
    # nothing is submitted (no job is requested before adapt() sees work).
    if importlib.util.find_spec("dask_jobqueue") is None:  # importorskip would import it: see import_jobqueue
        pytest.skip("dask-jobqueue is not installed")
    from bench.run.dask_executor import jobqueue_cluster, load_cluster_config

    profile = tmp_path / "slurm.yaml"
    profile.write_text(SLURM_PROFILE)
    for module in [m for m in sys.modules if m.startswith("dask_jobqueue")]:
        monkeypatch.delitem(sys.modules, module)  # so that it is imported (and its side effect tried) here
    handler = signal.getsignal(signal.SIGINT)
    cluster = jobqueue_cluster("slurm", load_cluster_config(profile, "slurm"), dashboard=":0")
    assert signal.getsignal(signal.SIGINT) is handler  # importing dask_jobqueue did not take Ctrl-C over
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -p short", "#SBATCH -A qlab", "#SBATCH -t 01:30:00", "#SBATCH --mem=4G"):
        assert line in script
    assert "source /shared/qhead-bench/.venv/bin/activate" in script
    assert "#SBATCH --cpus-per-task=1" in script and "--nthreads 1" in script
    assert "--preload bench.run.worker_warmup" in script


def test_cluster_profile_errors_name_the_file_and_key(tmp_path):
    if importlib.util.find_spec("dask_jobqueue") is None:  # importorskip would import it: see import_jobqueue
        pytest.skip("dask-jobqueue is not installed")
    from bench.core.errors import UserError
    from bench.run.dask_executor import jobqueue_cluster, load_cluster_config

    profile = tmp_path / "slurm.yaml"
    profile.write_text("cores: 1\nmemroy: 4GB\n")
    with pytest.raises(
        UserError,
        match=r"slurm.yaml: unknown key 'memroy' for dask_jobqueue.SLURMCluster \(allowed: .*memory",
    ):
        load_cluster_config(profile, "slurm")
    with pytest.raises(UserError, match=r"cores \(4\) must equal processes \(2\)"):
        jobqueue_cluster("slurm", {"cores": 4, "processes": 2, "memory": "4GB"})


def test_a_local_cluster_starts_the_ready_node_of_highest_priority_first():
    from bench.run.dask_executor import DaskExecutor
    from bench.run.executors import Node
    from tests.test_executors import add

    gate = Node("gate", add, (0, 0.2))  # everything below becomes ready at once, on the one worker
    nodes = [gate] + [Node(f"p{p}", add, (p, 0.1), ("gate",), priority=p) for p in (1, 5, 3, 4)]
    executor = DaskExecutor(1, dashboard=None)
    try:
        order = [node.key for node, _ in executor.run_graph(nodes)]
    finally:
        executor.close()
    assert order == ["gate", "p5", "p4", "p3", "p1"]
