"""The public Python API: everything the command line does, as functions a notebook calls.

    import bench

    suite = bench.load_suite("suites/audio.yaml")        # validated; UserError names file and key
    outcome = bench.run_suite("suites/audio.yaml", bench.RunOptions(reports_root="reports"))
    df = bench.results("suites/audio.yaml")              # one row per record of the latest run
    diff = bench.compare("suites/audio.yaml")            # latest run vs the previous complete one

``suite`` arguments are suite file paths; ``reports_dir`` and ``cache_dir`` default to ``reports/``
and ``.cache/`` (relative to the working directory), as on the command line. Every function raises
``bench.UserError`` (one line, naming the file and what is wrong) on bad input. Nothing here
prints; a run reports progress through ``on_event`` (``bench.run.events``). Importing this module
does not import torch (a run does, when it trains).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bench.core.errors import UserError
from bench.core.exit_codes import ExitCode
from bench.core.layout import SuiteLayout
from bench.core.run_ids import timestamp_id
from bench.results.store import ResultsStore, RunInfo
from bench.run import events
from bench.run.events import EventCallback, RunEvent
from bench.run.options import RunOptions, store_path
from bench.run.options import open_store as open_suite_store
from bench.run.outcome import RunOutcome, RunSummary
from bench.spec.loader import load_suite
from bench.spec.suite import Suite

if TYPE_CHECKING:
    import pandas as pd

    from bench.history.compare import Comparison
    from bench.plan.planner import PlannedCell

__all__ = [
    "Comparison",
    "EventCallback",
    "ExitCode",
    "PlannedCell",
    "ResultsStore",
    "RunEvent",
    "RunInfo",
    "RunOptions",
    "RunOutcome",
    "RunSummary",
    "Suite",
    "SuiteLayout",
    "SuitePlan",
    "UserError",
    "compare",
    "events",
    "list_runs",
    "load_suite",
    "open_store",
    "plan_suite",
    "results",
    "run_suite",
    "write_report",
]

PathLike = str | Path


def folders(reports_dir: PathLike | None, cache_dir: PathLike | None) -> RunOptions:
    """``RunOptions`` of the two folders, each defaulting as on the command line."""
    defaults = RunOptions()
    return RunOptions(
        reports_root=Path(reports_dir) if reports_dir is not None else defaults.reports_root,
        cache_dir=Path(cache_dir) if cache_dir is not None else defaults.cache_dir,
    )


@dataclass(frozen=True)
class SuitePlan:
    """A suite and its planned cells in grid order (``PlannedCell``: cell, state, reason)."""

    suite: Suite
    cells: list[PlannedCell]

    def counts(self) -> dict[str, int]:
        """Cells per state: ``done``, ``pending``, ``retry``, ``skip``."""
        return {s: sum(p.state == s for p in self.cells) for s in ("done", "pending", "retry", "skip")}


def plan_suite(
    suite: PathLike, *, reports_dir: PathLike | None = None, cache_dir: PathLike | None = None
) -> SuitePlan:
    """Every cell of the suite with its state (``done``, ``pending``, ``retry``, ``skip``) and reason,
    as ``python -m bench plan`` lists them; checks the folders and inputs a run would use, writes nothing."""
    from bench.plan.planner import plan
    from bench.run.preflight import preflight

    spec, options = load_suite(suite), folders(reports_dir, cache_dir)
    preflight(spec, suite, options, write=False)
    if not store_path(spec, options).exists():
        return SuitePlan(spec, plan(spec, None))
    with open_suite_store(spec, options, read_only=True, suite_path=suite) as store:
        return SuitePlan(spec, plan(spec, store))


def run_suite(
    suite: PathLike, options: RunOptions | None = None, *, on_event: EventCallback = events.ignore
) -> RunOutcome:
    """Run the suite's pending cells and write its report, as ``python -m bench run`` does.

    ``options`` (default ``RunOptions()``: sequential, resume the latest run, write the report)
    name the folders, the executor and the run policy. Progress goes to ``on_event`` as typed events.
    Returns the outcome: ``exit_code`` (``ExitCode.OK``, ``CELL_FAILED`` when a cell failed — the
    others are kept —, ``INTERRUPTED`` on Ctrl-C), the ``RunSummary`` and the report paths."""
    from bench.run.driver import run_suite_outcome

    return run_suite_outcome(load_suite(suite), Path(suite), options or RunOptions(), on_event)


@contextmanager
def open_store(
    suite: PathLike, *, reports_dir: PathLike | None = None, read_only: bool = True
) -> Iterator[ResultsStore]:
    """The suite's results store, closed when the ``with`` block ends; read-only by default.
    A read-only store must exist (``UserError`` when the suite never ran)."""
    spec, options = load_suite(suite), folders(reports_dir, None)
    if read_only and not store_path(spec, options).exists():
        raise UserError(f"{suite}: no results yet for suite '{spec.name}' (run it first)")
    with open_suite_store(spec, options, read_only=read_only, suite_path=suite) as store:
        yield store


def list_runs(suite: PathLike, *, reports_dir: PathLike | None = None) -> list[RunInfo]:
    """The suite's runs, oldest first (id, start, policy, state, provenance, summary)."""
    with open_store(suite, reports_dir=reports_dir) as store:
        return store.run_list()


def results(
    suite: PathLike,
    *,
    run: str | None = None,
    all_runs: bool = False,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
) -> pd.DataFrame:
    """One row per record: of the latest run, of ``run`` (an id, a unique id prefix, ``latest`` or
    ``previous``) or, with ``all_runs``, of every run oldest first. Columns (docs/api.md,
    ``bench.results.table``): ``run_id, key, status, dataset, head, qubits, layers, backend, seed``
    (and ``fold`` when records carry one), ``test_accuracy``, the other metrics, the other record
    fields, and the nested ones flattened with dots (``timings.*``, ``provenance.*``, ``spec.*``, ...).

    Records live in the store under ``reports_dir``; ``cache_dir`` is accepted so the call mirrors
    the command line's folders, and is not read. A suite that never ran gives ``UserError``; a suite
    without runs an empty frame."""
    from bench.history.runs import resolve_run
    from bench.results.table import results_table

    if run is not None and all_runs:
        raise UserError("results: give run or all_runs, not both")
    folders(reports_dir, cache_dir)  # the same type checks as the command line's
    with open_store(suite, reports_dir=reports_dir) as store:
        runs = store.run_list()
        if all_runs:
            chosen = runs
        elif runs or run is not None:
            chosen = [resolve_run(runs, run, runs[-1] if runs else None, "run", str(suite))]
        else:
            chosen = []
        entries = [(r.run_id, record) for r in chosen for record in store.get(run_id=r.run_id)]
    return results_table(entries)


def write_report(
    suite: PathLike,
    *,
    run: str | None = None,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    only: Sequence[str] = (),
    with_controls: bool = True,
    per_fold: bool = False,
) -> dict[str, Path]:
    """(Re)write a run's report from the store, as ``python -m bench report`` does; ``{"md", "html"}``.

    ``run`` is a run of this suite, by its id or a unique prefix (default: the latest run): its
    records go to ``<reports_dir>/<suite>/<run>/``. A name that is no run of this suite, or a path
    (``''``, ``../x``), is a ``UserError``; a store without runs writes its current view into a
    folder named now. Tables, figures and verdicts aggregate over folds x seeds; ``per_fold``
    gives one row per fold. ``only`` (``bench.plan.select`` patterns) keeps the matching cells (and,
    with ``with_controls``, the controls of matching treatments)."""
    from bench.history.runs import resolve_run
    from bench.run.driver import write_run_report
    from bench.run.preflight import check_locations, check_report_target, run_locations

    spec, options = load_suite(suite), folders(reports_dir, cache_dir)
    options = replace(options, only=tuple(only), with_controls=with_controls)
    check_locations(run_locations(spec, options)[:2])
    with open_store(suite, reports_dir=options.reports_root) as store:
        runs = store.run_list()
        if runs or run is not None:  # a run of this suite (never a path): its records, its folder
            chosen = resolve_run(runs, run, runs[-1] if runs else None, "run-id", str(suite))
            summary, run_id = dict(chosen.summary) or {"suite": spec.name}, chosen.run_id
        else:  # a store without runs: its current view, in a folder named now
            summary, run_id = {"suite": spec.name}, timestamp_id()
        summary.update(run_id=run_id, suite_path=str(suite))
        check_report_target(options.layout(spec).folder, run_id)
        return write_run_report(spec, Path(suite), store, run_id, summary, options, per_fold)


def compare(
    suite: PathLike,
    *,
    baseline: str | None = None,
    run: str | None = None,
    threshold: float = 1.0,
    factor: float = 1.25,
    reports_dir: PathLike | None = None,
) -> Comparison:
    """``run`` (default: the latest) against ``baseline`` (default: the complete run before it), as
    ``python -m bench compare`` does, as data: per configuration the paired accuracy Δ with its
    interval, prediction changes and runtime ratios; ``.regressions`` lists what is flagged
    (``threshold`` percentage points, runtime ``factor``); ``.to_json()`` and
    ``bench.history.compare.comparison_frame`` give it as a document or a DataFrame."""
    from bench.history.compare import compare_runs, default_pair, previous_complete
    from bench.history.runs import resolve_run

    spec, where = load_suite(suite), str(suite)
    with open_store(suite, reports_dir=reports_dir) as store:
        runs = store.run_list()
        default_base, default_run = default_pair(runs)
        chosen = resolve_run(runs, run, default_run, "run", where)
        base_default = previous_complete(runs, chosen) if run else default_base
        base = resolve_run(runs, baseline, base_default, "baseline", where)
        if base.run_id == chosen.run_id:
            raise UserError(f"{where}: --baseline and --run are the same run ({chosen.run_id})")
        return compare_runs(store, spec.name, base, chosen, threshold, factor)


def __getattr__(name: str):
    """``Comparison`` and ``PlannedCell`` load their modules only when asked for."""
    if name == "Comparison":
        from bench.history.compare import Comparison

        return Comparison
    if name == "PlannedCell":
        from bench.plan.planner import PlannedCell

        return PlannedCell
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
