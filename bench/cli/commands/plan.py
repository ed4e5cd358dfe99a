"""``python -m bench plan SUITE``: list a suite's cells and their state, the IBM cost of a run, and the
seeds a 1 and a 2 pp effect need at the spread of the latest run (``bench.history.pilot``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, add_selection, run_options
from bench.core.errors import UserError
from bench.run.options import open_store, store_path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``plan`` to ``sub``."""
    plan = sub.add_parser("plan", help="list a suite's cells, which are done and which would be skipped")
    plan.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(plan)
    add_selection(plan)
    plan.add_argument(
        "--executor",
        default=os.environ.get("QHEAD_EXECUTOR", "auto"),
        help="the executor the wall-time estimate assumes: auto (as `run` picks it), sequential, "
        "process or dask",
    )
    plan.add_argument(
        "--workers",
        type=int,
        default=None,
        help="workers the wall-time estimate assumes (default: as `run`, min(2, cores))",
    )


def run(args: argparse.Namespace) -> int:
    """Print every cell with its state (done, pending, retry, skip), the grid's size (cells, folds x
    seeds, backbones, trained heads), the estimated wall time of the pending cells and the IBM cost
    estimate."""
    from bench.api import plan_suite
    from bench.plan.grid import grid_cost

    planned = plan_suite(args.suite, reports_dir=args.reports_dir, cache_dir=args.cache_dir)
    cells = planned.cells
    if args.only:
        from bench.plan.select import select_cells

        keys = {c.key for c in select_cells([p.cell for p in cells], args.only, not args.no_controls)}
        cells = [p for p in cells if p.cell.key in keys]
    views.show_plan(planned.suite.name, cells)
    views.show_grid_cost(grid_cost([p.cell for p in cells]))
    views.show_estimate(estimate(planned.suite, args, cells))
    show_cost(planned.suite, args.suite, cells, run_options(args).layout(planned.suite).jobs)
    views.show_seeds_needed(_pilot(args))
    return 0


def estimate(suite, args: argparse.Namespace, cells) -> str:
    """The wall-time line of the pending cells (``bench.plan.estimate``), calibrated by the store's
    records; a dataset x seed with a finished cell counts its backbone as trained (a proxy for the
    cache that keeps ``plan`` free of torch)."""
    from bench.plan.estimate import estimate_run

    executor, workers = planned_executor(args)
    pending = [p.cell for p in cells if p.state in ("pending", "retry")]
    records, runs = earlier_timings(suite, args)
    cached = {(p.cell.dataset.label, p.cell.seed) for p in cells if p.state == "done"}
    return estimate_run(pending, records, workers, cached, runs).describe(executor)


def earlier_timings(suite, args: argparse.Namespace) -> tuple[list, list]:
    """The store's latest records and its earlier runs as ``RunTiming`` (those that say their
    executor's workers); both empty without a store."""
    from bench.plan.estimate import RunTiming

    options = run_options(args)
    if not store_path(suite, options).exists():
        return [], []
    with open_store(suite, options, read_only=True, suite_path=args.suite) as store:
        runs = [
            RunTiming(
                float(r.summary.get("wall_s") or 0),
                int(r.summary.get("workers") or 0),
                int(r.summary.get("cells_run_now") or 0),
                store.get(run_id=r.run_id),
            )
            for r in store.run_list()[-5:]
            if r.summary.get("workers")
        ]
        return store.get(), runs


def planned_executor(args: argparse.Namespace) -> tuple[str, int]:
    """``(executor, workers)`` a plain ``run`` would use (``auto``: the process pool on 2+ cores)."""
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be >= 1 (got {args.workers})")
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    executor = args.executor
    if executor == "auto":
        executor = (
            "dask"
            if os.environ.get("DASK_SCHEDULER_ADDRESS")
            else ("process" if workers > 1 else "sequential")
        )
    from bench.core.registry import EXECUTORS

    if executor not in EXECUTORS:
        allowed = ", ".join(["auto", *EXECUTORS.names()])
        raise UserError(f"--executor: unknown executor '{executor}' (allowed: {allowed})")
    return executor, 1 if executor == "sequential" else workers


def _pilot(args: argparse.Namespace):
    """``bench.history.pilot.pilot_needs`` of the suite's store (no pilot when the suite never ran)."""
    from bench.api import open_store
    from bench.history.pilot import pilot_needs

    try:
        with open_store(args.suite, reports_dir=args.reports_dir) as store:
            return pilot_needs(store)
    except UserError:  # no results yet: nothing to estimate a spread from
        return pilot_needs(None)


def show_cost(suite, suite_path, planned, jobs_path) -> None:
    """The IBM cost estimate of the cells a run would execute, and whether the budget allows it."""
    from bench.plan.budget import check_budget, pending_costs, spent_seconds

    costs = pending_costs(planned, jobs_path)
    if not costs:
        return
    try:
        check_budget(suite, suite_path, planned, jobs_path)
        verdict = "budget: a run would proceed"
    except UserError as exc:
        verdict = f"budget: a run would refuse to start: {exc}"
    views.show_cost(costs, spent_seconds(jobs_path), suite.budget.max_qpu_seconds, verdict)
