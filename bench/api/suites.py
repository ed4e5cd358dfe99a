"""Suites: load, plan, run, open the store, write the report (``bench.api``, docs/api.md).

Every function takes a suite file path; ``reports_dir`` and ``cache_dir`` default as on the command
line (``reports/``, ``.cache/``). Nothing here prints; a run reports through ``on_event``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bench.core.errors import UserError
from bench.core.run_ids import timestamp_id
from bench.results.store import ResultsStore
from bench.run import events
from bench.run.events import EventCallback
from bench.run.options import RunOptions, store_path
from bench.run.options import open_store as open_suite_store
from bench.run.outcome import RunOutcome
from bench.spec.loader import load_suite
from bench.spec.suite import Suite

if TYPE_CHECKING:
    from bench.plan.planner import PlannedCell

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
    suite: PathLike,
    *,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    only: Sequence[str] = (),
    with_controls: bool = True,
) -> SuitePlan:
    """Every cell of the suite with its state (``done``, ``pending``, ``retry``, ``skip``) and reason,
    as ``python -m bench plan`` lists them; checks the folders and inputs a run would use, writes nothing.
    ``only`` (``bench.plan.select`` patterns) keeps the matching cells and, with ``with_controls``,
    the controls of the matching treatments."""
    from bench.plan.planner import plan
    from bench.run.preflight import preflight

    spec, options = load_suite(suite), folders(reports_dir, cache_dir)
    preflight(spec, suite, options, write=False)
    if not store_path(spec, options).exists():
        planned = plan(spec, None)
    else:
        with open_suite_store(spec, options, read_only=True, suite_path=suite) as store:
            planned = plan(spec, store)
    if only:
        from bench.plan.select import select_cells

        keys = {c.key for c in select_cells([p.cell for p in planned], list(only), with_controls)}
        planned = [p for p in planned if p.cell.key in keys]
    return SuitePlan(spec, planned)


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
