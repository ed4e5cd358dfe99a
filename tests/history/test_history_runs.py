"""Run history: new runs keep old ones, unique run ids, reuse by provenance, listing, the run lock."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest

from bench.core import provenance as prov
from bench.results.store import ResultsStore
from bench.run.lock import run_lock
from tests.conftest import write_suite
from tests.history.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_run_ids_are_unique_within_one_second(tmp_path):
    store = ResultsStore(tmp_path / "r.sqlite")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ids = [store.new_run(when, "new", {}) for _ in range(3)]
    assert ids == ["20260102-030405", "20260102-030405-2", "20260102-030405-3"]
    assert [r.run_id for r in store.run_list()] == ids


def test_new_run_recomputes_every_cell_and_keeps_the_old_run(two_runs):
    store = two_runs.store()
    first, second = store.run_list()
    assert (first.policy, second.policy) == ("resume", "new")
    assert first.state == second.state == "complete"
    old, new = store.get(run_id=first.run_id), store.get(run_id=second.run_id)
    assert sorted(r.key for r in old) == sorted(r.key for r in new) and len(new) == 4
    assert not any(r.cache_hits["head"] for r in new)  # recomputed, not loaded from the first run's cache
    assert set(store.origins(second.run_id).values()) == {second.run_id}
    old_again = {r.key: r.deterministic_view() for r in old}
    assert {r.key: r.deterministic_view() for r in new} == old_again  # same spec, same record


def test_plain_run_resumes_the_latest_run_without_recomputing(two_runs, capsys):
    before = two_runs.store().run_list()
    assert run_cli(two_runs.suite, two_runs.root, "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run_id"] == before[-1].run_id and doc["cells_run_now"] == 0 and doc["cells_reused"] == 4
    assert len(two_runs.store().run_list()) == 2
    assert doc["exit_code"] == 0 and doc["cells_total"] == 4
    trends = two_runs.root / "reports" / "tiny" / "trends" / "index.md"
    assert doc["reports"]["trends_md"] == str(trends) and "| 2 | " + before[-1].run_id in trends.read_text()


def test_package_version_change_reruns_cells_and_keeps_the_old_run(two_runs, monkeypatch, capsys):
    assert run_cli(two_runs.suite, two_runs.root, "--new-run", "--changed-only", "--no-report", "--json") == 0
    same = json.loads(capsys.readouterr().out)
    assert same["cells_run_now"] == 0 and same["cells_reused"] == 4  # nothing changed: all reused
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda p: "9.9.9" if p == "torch" else real(p))
    prov.provenance.cache_clear()
    try:
        assert (
            run_cli(two_runs.suite, two_runs.root, "--new-run", "--changed-only", "--no-report", "--json")
            == 0
        )
        changed = json.loads(capsys.readouterr().out)
    finally:
        monkeypatch.undo()
        prov.provenance.cache_clear()
    assert changed["cells_run_now"] == 4 and changed["cells_reused"] == 0
    store = two_runs.store()
    runs = store.run_list()
    assert len(runs) == 4 and all(len(store.get(run_id=r.run_id)) == 4 for r in runs)
    assert {r.provenance["version.torch"] for r in store.get(run_id=runs[-1].run_id)} == {"9.9.9"}
    assert two_runs.cli("runs") == 0
    listing = capsys.readouterr().out
    assert "changed: torch" in listing and "changed-only" in listing


def test_second_run_refuses_with_no_wait_naming_the_holder(two_runs, capsys):
    lock = two_runs.root / "reports" / "tiny" / "run.lock"
    with run_lock(lock):
        assert run_cli(two_runs.suite, two_runs.root, "--no-wait") == 2
    err = capsys.readouterr().err
    assert f"another run holds this store (pid {os.getpid()} on " in err and err.count("\n") == 1


def test_stale_lock_of_a_dead_process_is_taken_over(two_runs, capsys):
    lock = two_runs.root / "reports" / "tiny" / "run.lock"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    lock.write_text(
        json.dumps({"pid": int(dead.stdout), "host": "h", "started": "2026-01-01T00:00:00+00:00"})
    )
    assert run_cli(two_runs.suite, two_runs.root, "--no-wait", "--no-report") == 0
    assert f"taking over {lock} from pid {int(dead.stdout)}" in capsys.readouterr().err
    assert lock.read_text() == ""  # released


@pytest.mark.slow
def test_two_concurrent_runs_give_one_complete_run_and_no_duplicate_row(tmp_path, capsys):
    suite = write_suite(tmp_path, {"heads": ["classical"], "seeds": [0, 1]})
    cmd = [sys.executable, "-m", "bench", "run", str(suite), "--reports-dir", str(tmp_path / "reports")]
    cmd += ["--cache-dir", str(tmp_path / "cache"), "--no-report", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHEAD_EXECUTOR": "sequential"}
    other = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lock = tmp_path / "reports" / "tiny" / "run.lock"
    deadline = time.time() + 120
    while other.poll() is None and time.time() < deadline and str(other.pid) not in _read(lock):
        time.sleep(0.05)
    assert str(other.pid) in _read(lock), "the other run should hold the lock now"
    assert run_cli(suite, tmp_path, "--no-report", "--json") == 0  # waits for the other run, then resumes
    mine = json.loads(capsys.readouterr().out)
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err[-500:]
    theirs = json.loads(out)
    assert (theirs["cells_run_now"], mine["cells_run_now"], mine["cells_reused"]) == (2, 0, 2)
    assert theirs["run_id"] == mine["run_id"]
    db = sqlite3.connect(tmp_path / "reports" / "tiny" / "results.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = db.execute("SELECT run_id, key FROM records").fetchall()
    assert len(rows) == len(set(rows)) == 2
    assert db.execute("SELECT state FROM runs").fetchall() == [("complete",)]


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
