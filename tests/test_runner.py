"""The driver end to end: run, resume, skip, fail, kill and resume."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.cli.parser import main
from bench.plan.grid import expand
from bench.results.store import ResultsStore
from bench.run import report_inputs
from bench.spec.loader import load_suite
from tests.conftest import HEAVY_WRAPPER, write_suite

ROOT = Path(__file__).resolve().parent.parent


def _run(suite: Path, tmp: Path, *extra: str) -> int:
    return main(
        ["run", str(suite), "--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache"), *extra]
    )


def _store(tmp: Path, name: str = "tiny") -> ResultsStore:
    return ResultsStore(tmp / "reports" / name / "results.sqlite")


def _run_ids(tmp: Path) -> dict[str, str]:
    with sqlite3.connect(tmp / "reports" / "tiny" / "results.sqlite") as db:
        return dict(db.execute("SELECT key, run_id FROM records"))


def test_end_to_end_then_resume_skips_everything(tiny_suite_path, tmp_path, capsys, recorded_probes):
    assert _run(tiny_suite_path, tmp_path) == 0
    keys = [c.key for c in expand(load_suite(tiny_suite_path))]
    assert _store(tmp_path).status_of() == dict.fromkeys(keys, "ok")
    report = (tmp_path / "reports" / "tiny" / "latest" / "index.md").read_text()
    for heading in ("## Run summary", "## Accuracy", "## Runtime", "## Plots", "## Provenance"):
        assert heading in report
    assert (tmp_path / "reports" / "tiny" / "latest" / "index.html").stat().st_size > 1000
    first = _run_ids(tmp_path)
    page = tmp_path / "reports" / "tiny" / "latest" / "index.md"
    written = page.stat().st_mtime_ns
    time.sleep(1.1)  # run ids are per second
    capsys.readouterr()
    assert _run(tiny_suite_path, tmp_path) == 0
    assert _run_ids(tmp_path) == first  # nothing re-run
    printed = capsys.readouterr()
    assert report_inputs.UNCHANGED in printed.out + printed.err
    assert page.stat().st_mtime_ns == written  # same inputs: the report is left as it was
    _warm_rerun_imports_nothing_heavy(tiny_suite_path, tmp_path, recorded_probes)
    tiny_suite_path.write_text(tiny_suite_path.read_text() + "\n# an edit\n")
    assert _run(tiny_suite_path, tmp_path) == 0
    printed = capsys.readouterr()
    assert "report unchanged" not in printed.out + printed.err
    assert page.stat().st_mtime_ns > written  # the suite file changed: rewritten


def _warm_rerun_imports_nothing_heavy(suite: Path, tmp: Path, env: dict[str, str]) -> None:
    """Nothing to run, an unchanged report: the driver loads no cell or report code (no torch,
    PennyLane or pandas), and the process pool's warm server is not started; ``plan`` then reads
    the seeds-needed pilot the run kept (``bench.history.pilot``)."""
    folders = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    printed = []
    for args in (["run", str(suite), *folders, "--executor", "process"], ["plan", str(suite), *folders]):
        done = subprocess.run(
            [sys.executable, "-c", HEAVY_WRAPPER, *args], capture_output=True, text=True, env=env, cwd=tmp
        )
        assert done.returncode == 0, done.stderr
        assert "HEAVY=\n" in done.stderr, done.stderr
        printed.append(done.stdout + done.stderr)
    assert report_inputs.UNCHANGED in printed[0]
    assert "seeds needed" in printed[1].lower()


def test_failing_cell_is_recorded_and_the_run_goes_on(tmp_path):
    suite = write_suite(tmp_path, {"heads": ["classical"], "qubits": [2, 9]})
    assert _run(suite, tmp_path) == 1
    records = {r.n_qubits: r for r in _store(tmp_path).get()}
    assert records[2].status == "ok"
    assert records[9].status == "failed" and "cannot compress" in records[9].error


def test_unavailable_backend_is_skipped_with_its_reason(tmp_path, monkeypatch):
    from bench.quantum.pennylane import simulators as backends

    monkeypatch.setattr(
        backends, "probe", lambda device: "no CUDA GPU visible" if device == "lightning.gpu" else None
    )
    suite = write_suite(tmp_path, {"backends": ["default.qubit", "lightning.gpu"]})
    assert _run(suite, tmp_path) == 0
    by_backend = {r.backend: r for r in _store(tmp_path).get() if r.backend}
    assert by_backend["default.qubit"].status == "ok"
    assert by_backend["lightning.gpu"].status == "skipped"
    assert by_backend["lightning.gpu"].error == "backend lightning.gpu unavailable: no CUDA GPU visible"


def test_killed_run_resumes_without_lost_or_duplicate_cells(tmp_path):
    # fake-manila cells take seconds (Qiskit import, noisy simulation): the kill lands part-way even
    # when the exact cells are fast
    backends = ["default.qubit", "fake-manila"]
    suite = write_suite(
        tmp_path, {"seeds": [0, 1, 2], "heads": ["classical", "quantum"], "backends": backends}
    )
    keys = [c.key for c in expand(load_suite(suite))]
    db = tmp_path / "reports" / "tiny" / "results.sqlite"
    cmd = [
        sys.executable,
        "-m",
        "bench",
        "run",
        str(suite),
        "--reports-dir",
        str(tmp_path / "reports"),
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 120
    committed = 0
    while time.time() < deadline and proc.poll() is None and committed < 2:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    committed = con.execute("SELECT count(*) FROM records").fetchone()[0]
            except sqlite3.OperationalError:  # the runner has created the file but not yet its tables
                committed = 0
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= committed < len(keys), "the run should be killed part-way"
    before = _run_ids(tmp_path)
    time.sleep(1.1)
    assert _run(suite, tmp_path) == 0
    after = _run_ids(tmp_path)
    assert sorted(after) == sorted(keys)  # nothing lost, nothing extra (keys are unique in the table)
    assert all(after[k] == before[k] for k in before)  # committed cells were not re-run


def test_process_pool_gives_the_same_records_as_sequential(tiny_suite_path, tiny_sequential, tmp_path):
    assert _run(tiny_suite_path, tmp_path, "--executor", "auto", "--workers", "2") == 0
    assert {r.key: r.deterministic_view() for r in _store(tmp_path).get()} == tiny_sequential


def _count_records(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM records").fetchone()[0]
    except sqlite3.OperationalError:  # the file exists but not yet its tables
        return 0


def test_process_pool_commits_each_cell_as_it_arrives(tmp_path):
    # One trained head evaluated on four backends; fake-manila's cell needs seconds more (Qiskit
    # import and noisy simulation) than the others. A pool that commits a group's records when the
    # whole group ends writes all four within milliseconds; per-cell commits leave a gap of seconds.
    backends = ["default.qubit", "lightning.qubit", "shots-1024", "fake-manila"]
    suite = write_suite(tmp_path, {"heads": ["quantum"], "backends": backends})
    db = tmp_path / "reports" / "tiny" / "results.sqlite"
    cmd = [sys.executable, "-m", "bench", "run", str(suite), "--executor", "process", "--workers", "2"]
    cmd += ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache"), "--no-report"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline, first = time.time() + 120, 0
    try:
        while time.time() < deadline and proc.poll() is None and first == 0:
            time.sleep(0.02)
            first = _count_records(db) if db.exists() else 0
        time.sleep(0.5)
        committed = _count_records(db)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert 1 <= committed < len(backends), f"{committed} of {len(backends)} committed when killed"
    records = _store(tmp_path).get()
    assert len(records) >= committed and all(r.status == "ok" for r in records)
    assert "default.qubit" in {r.backend for r in records}  # the trainer ran and committed first
