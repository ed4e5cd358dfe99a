"""Ctrl-C (issue #13): at any phase a run exits 130 with one line, no traceback, and keeps what
finished; re-running the same command goes on from there."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.results.store import ResultsStore
from bench.run.interrupts import sigint_deferred, worker_init


def _argv(command: str, suite, tmp_path) -> list[str]:
    return [command, str(suite), "--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")]


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _statuses(tmp_path) -> dict[str, str]:
    store = ResultsStore(tmp_path / "r" / "tiny" / "results.sqlite")
    try:
        return store.status_of()
    finally:
        store.close()


@pytest.mark.parametrize("target", ["bench.api.suites.load_suite", "bench.run.driver.plan"])
def test_ctrl_c_while_loading_or_planning(tiny_suite_path, tmp_path, capsys, monkeypatch, target):
    monkeypatch.setattr(target, _interrupt)
    assert main(_argv("run", tiny_suite_path, tmp_path)) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted (Ctrl-C) during `run`") and err.count("\n") == 1


def test_ctrl_c_in_cells_then_in_report_keeps_every_finished_cell(
    tiny_suite_path, tmp_path, capsys, monkeypatch
):
    import bench.run.tasks as tasks

    real, calls = tasks.run_cell, []

    def second_call_interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "run_cell", second_call_interrupted)
    assert main([*_argv("run", tiny_suite_path, tmp_path), "--no-report"]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and "interrupted" in err.splitlines()[-1]
    first = _statuses(tmp_path)
    assert list(first.values()) == ["ok"]  # the finished cell is committed

    monkeypatch.setattr(tasks, "run_cell", real)
    monkeypatch.setattr("bench.report.write_report", _interrupt)
    assert main(_argv("run", tiny_suite_path, tmp_path)) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "interrupted while writing the report" in err and "python -m bench report" in err
    assert "1 done" in err  # the first cell was not run again
    after = _statuses(tmp_path)
    assert len(after) == 3 and set(after.values()) == {"ok"} and after.items() >= first.items()

    monkeypatch.undo()
    assert main(_argv("report", tiny_suite_path, tmp_path)) == 0


def test_ctrl_c_while_workers_start_reaches_the_driver_after_the_start():
    # Python's own Ctrl-C handler (importing dask_jobqueue, as other tests do, replaces it process-wide)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    reached = []
    try:
        _deferred_ctrl_c(reached)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert reached == [True]


def _deferred_ctrl_c(reached: list) -> None:
    with pytest.raises(KeyboardInterrupt), sigint_deferred():
        signal.raise_signal(signal.SIGINT)
        reached.append(True)  # not interrupted inside: workers started here inherit the block


def test_a_pool_worker_ends_silently_on_ctrl_c(capfd):
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(1, mp_context=context, initializer=worker_init) as pool:
        with sigint_deferred():
            future = pool.submit(signal.raise_signal, signal.SIGINT)
        with pytest.raises(cf.process.BrokenProcessPool):
            future.result(timeout=120)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_importing_dask_jobqueue_keeps_the_ctrl_c_handler():
    pytest.importorskip("dask_jobqueue")
    code = (
        "import signal; from bench.run.dask_executor import jobqueue_probe; assert jobqueue_probe() is None; "
        "assert signal.getsignal(signal.SIGINT) is signal.default_int_handler"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
