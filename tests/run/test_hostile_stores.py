"""Careless or hostile store input, refused in one line by every command (``open_store`` is the gate):
run ids that are paths or no run, stores of another or unknown schema, a second suite file with the
same name; and ``repair`` leaves a healthy store alone."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from bench.cli.parser import main
from tests.conftest import write_suite

ONE_CELL = {"heads": ["classical"], "backends": ["default.qubit"]}


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Path:
    """A reported one-cell run; tests copy it (``fresh``) before they touch anything."""
    tmp = tmp_path_factory.mktemp("hostile")
    write_suite(tmp, ONE_CELL)
    assert main(_argv(tmp, "run", "--executor", "sequential")) == 0
    return tmp


@pytest.fixture
def fresh(done, tmp_path) -> Path:
    shutil.copytree(done, tmp_path / "w", symlinks=True)  # the suite file and its reports, together
    return tmp_path / "w"


def _argv(tmp: Path, command: str, *extra: str, suite: str = "suite.yaml") -> list[str]:
    dirs = ["--reports-dir", str(tmp / "reports")]
    if command not in ("runs", "repair"):
        dirs += ["--cache-dir", str(tmp / "cache")]
    return [command, str(tmp / suite), *dirs, *extra]


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("run_id", ["", "../../escaped", "/tmp/x", ".hidden", "20990101-000000"])
def test_report_run_id_must_be_a_run_of_this_suite(fresh, capsys, run_id):
    latest = fresh / "reports" / "tiny" / "latest"
    before = os.readlink(latest)
    assert main(_argv(fresh, "report", "--run-id", run_id)) == 2
    err = _one_line(capsys)
    assert ("is not a run id" in err) or ("is not a run of this suite" in err)
    assert os.readlink(latest) == before  # `latest` not moved
    assert not (fresh / "escaped").exists() and sorted(p.name for p in (fresh / "reports").iterdir()) == [
        "tiny"
    ]


def test_report_run_id_prefix_still_works(fresh, capsys):
    run_id = os.readlink(fresh / "reports" / "tiny" / "latest")
    assert main(_argv(fresh, "report", "--run-id", run_id[:8])) == 0


def _set_schema(store: Path, value) -> None:
    db = sqlite3.connect(store)
    with db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (value,))
    db.close()


@pytest.mark.parametrize("kind", ["newer", "garbage", "another program"])
def test_a_store_of_another_schema_is_refused_by_every_command(fresh, capsys, kind):
    store = fresh / "reports" / "tiny" / "results.sqlite"
    if kind == "another program":
        store.unlink()
        db = sqlite3.connect(store)
        with db:
            db.execute("CREATE TABLE photos (id INTEGER, blob BLOB)")
        db.close()
    else:
        _set_schema(store, "3" if kind == "newer" else "banana")
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    for command in ("run", "plan", "report", "runs", "compare", "repair"):
        assert main(_argv(fresh, command)) == 2, command
        err = _one_line(capsys)
        assert f"{store}: not a results store this qhead-bench can use" in err, (command, err)
        assert {
            "newer": "newer than this",
            "garbage": "'banana' is not a version",
            "another program": "photos",
        }[kind] in err
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest  # nothing wrote it
    assert not list(store.parent.glob("results.sqlite.damaged-*"))


def test_repair_on_a_healthy_store_changes_nothing(fresh, capsys):
    store = fresh / "reports" / "tiny" / "results.sqlite"
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    assert main(_argv(fresh, "repair")) == 0
    assert "healthy; nothing to repair" in capsys.readouterr().out
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest
    assert not list(store.parent.glob("results.sqlite.damaged-*"))


def test_a_second_suite_file_with_the_same_name_is_refused(fresh, capsys):
    write_suite(fresh, {**ONE_CELL, "seeds": [5]}, name="other.yaml")  # same `name: tiny`
    for command in ("run", "plan", "report"):
        assert main(_argv(fresh, command, suite="other.yaml")) == 2
        err = _one_line(capsys)
        assert f"suite name 'tiny' is already used by {fresh / 'suite.yaml'}" in err
    (fresh / "suite.yaml").rename(fresh / "moved.yaml")  # the first file is gone: the folder passes on
    assert main(_argv(fresh, "plan", suite="other.yaml")) == 0
