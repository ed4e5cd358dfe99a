"""Every wait on Dask is bounded: a server that is no Dask scheduler, and a scheduler that lost every
worker mid-run, each end in one line (real processes on 127.0.0.1: an HTTP server, a `dask scheduler`
with one `dask worker`)."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from bench.cli.parser import main
from bench.core.errors import UserError
from bench.results.store import ResultsStore
from tests.conftest import write_suite
from tests.test_dask_executor import START_TIMEOUT_S, LocalDask, _count

pytest.importorskip("distributed")


def _dirs(tmp) -> list[str]:
    return [
        "--executor",
        "dask",
        "--reports-dir",
        str(tmp / "reports"),
        "--cache-dir",
        str(tmp / "cache"),
        "--no-report",
    ]


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_a_scheduler_address_that_is_an_http_server_is_one_line_within_seconds(http_server, tmp_path, capsys):
    suite = write_suite(tmp_path)
    t0 = time.monotonic()
    assert main(["run", str(suite), "--scheduler", http_server, *_dirs(tmp_path)]) == 2
    assert time.monotonic() - t0 < 20  # 5 s of them waiting for a handshake
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"--scheduler {http_server}: accepted the connection but sent no Dask handshake in 5 s" in err


def test_a_closed_port_is_one_line():
    from bench.run.dask_executor import check_speaks_dask

    with pytest.raises(UserError, match=r"tcp://127.0.0.1:1: cannot reach it \(Connection refused\)"):
        check_speaks_dask("tcp://127.0.0.1:1")


def test_every_worker_killed_mid_run_stops_the_run_after_the_worker_timeout(tmp_path, capsys):
    suite = write_suite(tmp_path, {"seeds": [0, 1], "backends": ["default.qubit"]})
    db = tmp_path / "reports" / "tiny" / "results.sqlite"
    dask = LocalDask(tmp_path)
    try:
        worker = dask.add_worker()
        with dask.client() as client:
            client.wait_for_workers(1, timeout=START_TIMEOUT_S)

        def kill_after_the_first_commit() -> None:
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline and not (db.exists() and _count(db) >= 1):
                time.sleep(0.05)
            dask.kill(worker)  # the worker and its nanny: the scheduler has none left

        killer = threading.Thread(target=kill_after_the_first_commit, daemon=True)
        killer.start()
        t0 = time.monotonic()
        argv = ["run", str(suite), "--scheduler", dask.address, "--worker-timeout", "5", *_dirs(tmp_path)]
        assert main(argv) == 4
        assert time.monotonic() - t0 < START_TIMEOUT_S
        err = capsys.readouterr().err
        [line] = [x for x in err.splitlines() if x.startswith("error:")]
        assert f"dask {dask.address}: no live Dask worker for 5 s (--worker-timeout)" in line
        assert "finished cells are saved" in line and "Traceback" not in err
        kept = ResultsStore(db, read_only=True)
        try:
            assert 1 <= len(kept.get()) < 4 and all(r.status == "ok" for r in kept.get())
            assert kept.run_list()[-1].state == "incomplete"
        finally:
            kept.close()
    finally:
        dask.close()
