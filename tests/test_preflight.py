"""Pre-flight checks (issue #13): a location a run cannot write fails once, up front, in one line
naming the path, before any cell runs; ``plan`` refuses wrong types too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.core.errors import UserError
from bench.run.preflight import check_inside, location_problem


def _unwritable_dir(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (chmod, or /sys for root), else skip."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        return locked
    candidate = Path("/sys/kernel")
    if candidate.is_dir() and location_problem(candidate):
        return candidate
    pytest.skip("no unwritable folder available to root here")


def _run(command: str, suite: Path, reports: Path, cache: Path, capsys) -> tuple[int, str]:
    code = main([command, str(suite), "--reports-dir", str(reports), "--cache-dir", str(cache)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "plan", "report"])
def test_reports_dir_naming_a_file_fails_in_every_command(tiny_suite_path, tmp_path, capsys, command):
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, err = _run(command, tiny_suite_path, afile, tmp_path / "cache", capsys)
    assert code == 2 and err == f"error: --reports-dir {afile}: is a file, not a folder\n"
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("cache is a file", "--cache-dir {cache}: is a file, not a folder"),
        (
            "cache under a file",
            "--cache-dir {cache}: cannot be created: {tmp}/blocker is a file, not a folder",
        ),
        ("checkpoints is a file", "checkpoints folder {reports}/tiny/checkpoints: is a file, not a folder"),
        ("suite folder is a file", "reports folder of suite 'tiny' {reports}/tiny: is a file, not a folder"),
        (
            "store is a folder",
            "results store {reports}/tiny/results.sqlite: is a folder, not a file (move it away)",
        ),
    ],
)
def test_wrong_type_locations_fail_before_any_cell(tiny_suite_path, tmp_path, capsys, layout, message):
    reports, cache = tmp_path / "reports", tmp_path / "cache"
    if layout == "cache is a file":
        cache.write_text("x")
    elif layout == "cache under a file":
        (tmp_path / "blocker").write_text("x")
        cache = tmp_path / "blocker" / "cache"
    elif layout == "checkpoints is a file":
        (reports / "tiny").mkdir(parents=True)
        (reports / "tiny" / "checkpoints").write_text("x")
    elif layout == "suite folder is a file":
        reports.mkdir()
        (reports / "tiny").write_text("x")
    else:
        (reports / "tiny" / "results.sqlite").mkdir(parents=True)
    code, err = _run("run", tiny_suite_path, reports, cache, capsys)
    expected = message.format(cache=cache, tmp=tmp_path, reports=reports)
    assert code == 2 and err == f"error: {expected}\n"
    assert not list(tmp_path.rglob("*.pkl")) and not (reports / "tiny" / "checkpoints" / "cells").exists()


@pytest.mark.parametrize("which", ["cache", "reports"])
def test_unwritable_locations_fail_once_up_front(tiny_suite_path, tmp_path, capsys, which):
    locked = _unwritable_dir(tmp_path)
    reports = locked / "reports" if which == "reports" else tmp_path / "reports"
    cache = locked / "cache" if which == "cache" else tmp_path / "cache"
    code, err = _run("run", tiny_suite_path, reports, cache, capsys)
    label = "--reports-dir" if which == "reports" else "--cache-dir"
    assert code == 2 and err.startswith(
        f"error: {label} {locked}/{which}: cannot be created: {locked} is not writable"
    )
    assert err.count("\n") == 1 and not list(tmp_path.rglob("results.sqlite"))
    assert _run("plan", tiny_suite_path, reports, cache, capsys)[0] == 0  # plan writes nothing


def test_a_suite_folder_outside_the_reports_folder_is_refused(tmp_path):
    with pytest.raises(UserError, match="must be inside the reports folder"):
        check_inside(tmp_path / "reports", tmp_path / "reports" / "..")
    check_inside(tmp_path / "reports", tmp_path / "reports" / "a..b")
