"""``--only`` on run, plan and report; plan's wall-time estimate."""

from __future__ import annotations

from bench.cli.parser import main
from bench.results.store import ResultsStore
from tests.conftest import write_suite


def test_run_plan_and_report_only_the_selected_cells(tmp_path, capsys):
    suite = write_suite(tmp_path, {"backends": ["default.qubit"], "seeds": [0, 1]})
    dirs = ["--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c")]
    assert main(["plan", str(suite), *dirs, "--only", "*/classical/*", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "pending: 2" in out and "/quantum/" not in out
    assert "estimated wall time for 2 pending cells: ~" in out and "with sequential x1 (uncalibrated" in out
    assert main(["run", str(suite), *dirs, "--only", "*/classical/*", "--only", "re:quantum.*/s1$"]) == 0
    with ResultsStore(tmp_path / "r" / "tiny" / "results.sqlite") as store:
        keys = sorted(r.key.split("#")[0] for r in store.get())
        assert store.run_list()[-1].state == "incomplete"  # part of the suite
    assert keys == [
        "urban-synth/classical/q2/l-/-/s0",
        "urban-synth/classical/q2/l-/-/s1",
        "urban-synth/quantum/q2/l1/default.qubit/s1",
    ]
    capsys.readouterr()
    assert main(["report", str(suite), *dirs, "--only", "classical"]) == 0
    md = next((tmp_path / "r" / "tiny").glob("2*/index.md")).read_text()
    assert "| 2 (2 ok, 0 failed, 0 skipped)" in md  # records in this report: the classical cells
    assert main(["plan", str(suite), *dirs]) == 0
    out = capsys.readouterr().out
    assert "done: 3, pending: 1" in out and "calibrated on 3 earlier records" in out
