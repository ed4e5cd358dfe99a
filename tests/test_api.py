"""The public API (``bench.api``, re-exported by ``bench``): a tiny suite run, read and compared
from Python, the way a notebook does, and ``python -m bench export`` writing the same table."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import bench
from bench.cli.parser import main
from bench.run import events
from tests.conftest import write_suite

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """TINY run twice through the API (the second a new run reusing every cell); the events of the first."""
    tmp = tmp_path_factory.mktemp("api")
    suite = write_suite(tmp)
    seen: list = []
    options = bench.RunOptions(reports_root=tmp / "r", cache_dir=tmp / "c", report=False)
    first = bench.run_suite(suite, options, on_event=seen.append)
    second = bench.run_suite(
        suite,
        bench.RunOptions(
            reports_root=tmp / "r", cache_dir=tmp / "c", report=False, new_run=True, changed_only=True
        ),
    )
    return {
        "suite": suite,
        "reports": tmp / "r",
        "cache": tmp / "c",
        "first": first,
        "second": second,
        "events": seen,
    }


def test_a_run_returns_its_outcome_and_reports_through_typed_events(ran):
    first = ran["first"]
    assert first.exit_code == bench.ExitCode.OK and first.reports == {}
    assert isinstance(first.summary, bench.RunSummary)
    assert (first.summary.cells_total, first.summary.cells_ok, first.summary.cells_run_now) == (3, 3, 3)
    kinds = [type(e) for e in ran["events"]]
    assert kinds[0] is events.RunPlanned and kinds.count(events.CellFinished) == 3
    assert events.PhaseStarted("cells", 3) in ran["events"]
    assert events.PhaseProgress("cells", 3, 3) in ran["events"]
    assert kinds[-1] is events.ExecutionEnded
    assert ran["second"].summary.cells_reused == 3 and ran["second"].summary.cells_run_now == 0
    layout = bench.RunOptions(reports_root=ran["reports"]).layout(bench.load_suite(ran["suite"]))
    assert layout.store.is_file() and layout.checkpoints.is_dir() and layout.folder == ran["reports"] / "tiny"


def test_results_gives_one_row_per_record_of_the_latest_run(ran):
    df = bench.results(ran["suite"], reports_dir=ran["reports"])
    leading = ["run_id", "key", "status", "dataset", "head", "qubits", "layers", "backend", "seed"]
    assert list(df.columns[: len(leading) + 1]) == [*leading, "test_accuracy"]
    assert len(df) == 3 and set(df["run_id"]) == {ran["second"].summary.run_id}
    with bench.open_store(ran["suite"], reports_dir=ran["reports"]) as store:
        stored = {r.key: r for r in store.get(run_id=ran["second"].summary.run_id)}
    for row in df.itertuples():
        record = stored[row.key]
        assert row.test_accuracy == record.metrics["test_accuracy"] and row.qubits == record.n_qubits
    classical = df[df["head"] == "classical"].iloc[0]
    assert pd.isna(classical["layers"]) and classical["timings.head_training_s"] >= 0
    assert "provenance.version.torch" in df.columns and "spec.training.epochs" in df.columns


def test_results_of_a_named_run_and_of_all_runs(ran):
    first_id = ran["first"].summary.run_id
    everything = bench.results(ran["suite"], all_runs=True, reports_dir=ran["reports"])
    assert len(everything) == 6 and list(dict.fromkeys(everything["run_id"])) == [
        first_id,
        ran["second"].summary.run_id,
    ]
    named = bench.results(ran["suite"], run=first_id, reports_dir=ran["reports"])
    assert set(named["run_id"]) == {first_id} and len(named) == 3
    with pytest.raises(bench.UserError, match="not a run of this suite"):
        bench.results(ran["suite"], run="19990101", reports_dir=ran["reports"])
    with pytest.raises(bench.UserError, match="not both"):
        bench.results(ran["suite"], run=first_id, all_runs=True, reports_dir=ran["reports"])


def test_a_suite_that_never_ran_is_one_clear_error(tmp_path):
    with pytest.raises(bench.UserError, match="no results yet for suite 'tiny'"):
        bench.results(write_suite(tmp_path), reports_dir=tmp_path / "r")


def test_plan_and_compare_as_data(ran):
    planned = bench.plan_suite(ran["suite"], reports_dir=ran["reports"])
    assert planned.suite.name == "tiny" and planned.counts()["done"] == 3
    diff = bench.compare(ran["suite"], reports_dir=ran["reports"])
    assert (diff.baseline, diff.run) == (ran["first"].summary.run_id, ran["second"].summary.run_id)
    assert diff.regressions == [] and len(bench.list_runs(ran["suite"], reports_dir=ran["reports"])) == 2


def test_export_writes_the_results_table(ran, tmp_path):
    dirs = ["--reports-dir", str(ran["reports"])]
    df = bench.results(ran["suite"], all_runs=True, reports_dir=ran["reports"])
    for fmt, read in (
        ("csv", pd.read_csv),
        ("parquet", pd.read_parquet),
        ("jsonl", lambda p: pd.read_json(p, lines=True, precise_float=True)),
    ):
        out = tmp_path / f"all.{fmt}"
        assert main(["export", str(ran["suite"]), "--format", fmt, "--all-runs", "-o", str(out), *dirs]) == 0
        back = read(out)
        assert list(back.columns) == list(df.columns) and len(back) == 6
        assert back["test_accuracy"].tolist() == df["test_accuracy"].tolist()
    assert main(["export", str(ran["suite"]), "--format", "csv", *dirs]) == 0
    latest = ran["second"].summary.run_id
    assert len(pd.read_csv(ran["reports"] / "tiny" / "export" / f"{latest}.csv")) == 3


def test_export_flags_are_checked(ran, capsys):
    suite, dirs = str(ran["suite"]), ["--reports-dir", str(ran["reports"])]
    with pytest.raises(SystemExit) as exc:
        main(["export", suite, "--format", "csv", "--run", "x", "--all-runs", *dirs])
    assert exc.value.code == 2
    assert main(["export", suite, "--format", "parquet", "-o", "-", *dirs]) == 2
    assert "Parquet is binary" in capsys.readouterr().err
    assert main(["export", suite, "--format", "jsonl", "-o", "-", *dirs]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["dataset"] == "urban-synth"


def test_import_bench_is_light_and_bench_results_stays_callable():
    code = (
        "import sys, bench; light = 'torch' not in sys.modules and 'pandas' not in sys.modules; "
        "import bench.results.store; print(light, callable(bench.results), 'torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == ["True", "True", "False"], result.stderr


def test_every_public_name_resolves():
    for name in bench.__all__:
        assert getattr(bench, name) is not None, name


def test_docs_api_lists_every_public_name():
    """docs/api.md documents every name of ``bench.__all__`` (a function as ``bench.name(``)."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = []
    for name in bench.api.__all__:
        value = getattr(bench.api, name)
        if inspect.isfunction(value):
            documented = f"bench.{name}(" in text
        else:
            documented = f"`{name}`" in text or f"`bench.{name}`" in text
        if not documented:
            missing.append(name)
    assert missing == []


def test_the_api_names_live_in_one_list():
    """``bench.api.EXPORTS`` is the only list: ``bench.__all__`` adds the versions; no public name
    is also the name of a submodule of ``bench.api`` (importing that would shadow it)."""
    assert set(bench.__all__) == set(bench.api.__all__) | {
        "CACHE_SCHEMA_VERSION",
        "RECORD_SCHEMA_VERSION",
        "__version__",
    }
    submodules = {p.stem for p in (ROOT / "bench" / "api").glob("*.py")}
    assert not submodules & set(bench.api.EXPORTS)
    for name, target in bench.api.EXPORTS.items():
        module, _, attribute = target.partition(":")
        assert attribute in ("", name), f"{name} is exported as {target}"


def test_runs_overview_is_typed_and_is_what_runs_json_prints(ran, capsys):
    rows = bench.runs_overview(ran["suite"], reports_dir=ran["reports"])
    assert [type(r) for r in rows] == [bench.RunOverview, bench.RunOverview]
    assert [r.run_id for r in rows] == [ran["first"].summary.run_id, ran["second"].summary.run_id]
    assert (rows[0].ok, rows[0].reused, rows[1].ok, rows[1].reused) == (3, 0, 3, 3)
    assert (rows[0].policy, rows[1].policy) == ("resume", "changed-only")
    assert main(["runs", str(ran["suite"]), "--json", "--reports-dir", str(ran["reports"])]) == 0
    assert json.loads(capsys.readouterr().out) == [dataclasses.asdict(r) for r in rows]


def test_plan_overview_and_export_results(ran):
    where = {"reports_dir": ran["reports"], "cache_dir": ran["cache"]}
    overview = bench.plan_overview(ran["suite"], executor="sequential", **where)
    assert isinstance(overview, bench.PlanOverview) and overview.executor == "sequential"
    assert overview.plan.counts()["done"] == 3 and overview.grid.cells == 3
    assert overview.estimate.n_cells == 0 and overview.budget.costs == [] and overview.pilot.run_id is None
    selected = bench.plan_overview(ran["suite"], only=["quantum"], **where)
    assert len(selected.plan.cells) == 2 and selected.grid.cells == 2
    with pytest.raises(bench.UserError, match=r"--workers: must be >= 1 \(got 0\)"):
        bench.plan_overview(ran["suite"], workers=0, **where)
    done = bench.export_results(ran["suite"], "jsonl", **where)
    latest = ran["second"].summary.run_id
    assert done == bench.ExportedResults(ran["reports"] / "tiny" / "export" / f"{latest}.jsonl", 3, 1)
    with pytest.raises(bench.UserError, match="unknown format 'xlsx'"):
        bench.export_results(ran["suite"], "xlsx", **where)


def test_predict_returns_the_ranked_classes(ran, tmp_path):
    import numpy as np
    import soundfile

    wav = tmp_path / "clip.wav"
    noise = np.random.default_rng(0).standard_normal(2000).astype("float32") * 0.1
    soundfile.write(wav, noise, 8000, subtype="FLOAT")
    planned = bench.plan_suite(ran["suite"], reports_dir=ran["reports"], only=["default.qubit"])
    [key] = [p.cell.key for p in planned.cells]
    where = {"reports_dir": ran["reports"], "cache_dir": ran["cache"]}
    result = bench.predict(ran["suite"], wav, cell=key.split("#")[0], top=2, **where)
    assert isinstance(result, bench.Prediction) and (result.cell, result.simulator) == (key, "default.qubit")
    assert len(result.ranked) == 2 and result.ranked[0][1] >= result.ranked[1][1] > 0
    with pytest.raises(bench.UserError, match="--top: must be >= 1"):
        bench.predict(ran["suite"], wav, cell=key, top=0, **where)


def test_choose_executor_resolves_auto_and_checks_the_flags(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    assert bench.choose_executor(workers=1) == bench.ExecutorChoice("sequential", 1, {}, False)
    pool = bench.choose_executor(workers=2, stuck_timeout=30.0)
    assert pool == bench.ExecutorChoice("process", 2, {"stuck_timeout": 30.0}, True)
    with pytest.raises(bench.UserError, match="--scheduler: needs --executor dask"):
        bench.choose_executor("process", scheduler="tcp://127.0.0.1:1")
    with pytest.raises(bench.UserError, match="--stuck-timeout: must be > 0 seconds"):
        bench.choose_executor("sequential", stuck_timeout=0)
    with pytest.raises(bench.UserError, match="unknown executor 'threads'"):
        bench.choose_executor("threads")


def test_repair_backend_status_and_the_statistics_check_as_data(ran):
    layout = bench.RunOptions(reports_root=ran["reports"]).layout(bench.load_suite(ran["suite"]))
    assert bench.repair(ran["suite"], reports_dir=ran["reports"]) == bench.RepairOutcome(layout.store, None)
    ok, missing = (
        bench.BackendStatus("a", "noisy", "trains", ""),
        bench.BackendStatus("b", "ibm", "?", "", "no account"),
    )
    assert ok.available and ok.status == "available"
    assert not missing.available and missing.status == "unavailable: no account"
    assert bench.BackendStatus("c", "?", "?", "c.yaml", "bad key", invalid=True).status == "invalid: bad key"
    check = bench.check_statistics(quick=True, replicates=10)
    assert len(check.regimes) == len(check.lines) - 1 == 4 and check.exit_code == (0 if check.passed else 1)
    with pytest.raises(bench.UserError, match="--replicates: must be >= 10"):
        bench.check_statistics(replicates=5)


def documented_parameters(args: str) -> list[str]:
    """The parameter names of a call written in the docs, ``a, *, b=1, c=(2, 4)`` -> ``[a, b, c]``."""
    parts, depth, current = [], 0, ""
    for ch in args:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.split("=")[0].strip() for p in parts if p.strip() not in ("", "*")]


def test_the_documented_calls_match_the_signatures():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    calls = re.findall(r"`bench\.(\w+)\(([^`]*)\)`", text)
    checked = 0
    for name, args in calls:
        if args == "...":  # prose, not a signature
            continue
        expected = list(inspect.signature(getattr(bench.api, name)).parameters)
        assert documented_parameters(args) == expected, name
        checked += 1
    functions = [n for n in bench.api.__all__ if inspect.isfunction(getattr(bench.api, n))]
    assert checked >= len(functions)
    assert documented_parameters("a, *, b=1, c=(2, 4, 6)") == ["a", "b", "c"]
