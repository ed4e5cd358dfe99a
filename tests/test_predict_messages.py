"""``predict`` says what is wrong: a folder is not a missing file, and a failed cell gives its own error."""

from __future__ import annotations

import os

import pytest

from bench.cell.run import failed_record
from bench.cli.parser import main
from tests.conftest import write_suite


def _argv(tmp, file, cell="urban-synth/classical") -> list[str]:
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    return ["predict", str(tmp / "suite.yaml"), str(file), "--cell", cell, *dirs]


@pytest.mark.parametrize("what", ["folder", "missing", "fifo"])
def test_the_input_file_is_checked_first_and_said_as_what_it_is(tmp_path, capsys, what):

    write_suite(tmp_path, {"heads": ["classical"], "backends": ["default.qubit"]})
    target = tmp_path / "input"
    if what == "folder":
        target.mkdir()
    elif what == "fifo":
        os.mkfifo(target)
    assert main(_argv(tmp_path, target)) == 2
    err = capsys.readouterr().err
    expected = {
        "folder": "is a folder, not a file",
        "missing": "file not found",
        "fifo": "is not a regular file",
    }
    assert err == f"error: {target}: {expected[what]}" + err.split(expected[what], 1)[1]
    assert err.count("\n") == 1


def test_a_failed_cell_reports_its_own_error(tmp_path, capsys, monkeypatch):
    import bench.run.tasks as tasks

    monkeypatch.setattr(
        tasks, "run_cell", lambda cell, *a, **k: failed_record(cell, "RuntimeError: the disk ate it")
    )
    suite = write_suite(tmp_path, {"heads": ["classical"], "backends": ["default.qubit"]})
    dirs = ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache"), "--no-report"]
    assert main(["run", str(suite), "--executor", "sequential", *dirs]) == 1
    capsys.readouterr()
    wav = tmp_path / "x.wav"
    wav.write_bytes(b"")
    assert main(_argv(tmp_path, wav)) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "failed in its latest run" in err and "RuntimeError: the disk ate it" in err
    )
    assert "run the suite first" not in err
