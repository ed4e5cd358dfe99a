"""What ``python -m bench plan`` tells about a suite before a run, as one ``PlanOverview``.

The planned cells and their states (``plan_suite``), the size of the grid, the estimated wall time
of the pending cells on the executor a run would use, the IBM cost and whether the budget allows
it, and the seeds a 1 and a 2 pp effect need at the spread of the latest pilot run. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.api.executors import AUTO, planned_executor
from bench.api.suites import PathLike, SuitePlan, folders, open_store, plan_suite
from bench.core.errors import UserError

if TYPE_CHECKING:
    from bench.history.pilot import Pilot
    from bench.plan.budget import CellCost
    from bench.plan.estimate import Estimate, SuiteHours
    from bench.plan.grid import GridCost


@dataclass(frozen=True)
class BudgetCheck:
    """The IBM cost of the cells a run would execute (empty without IBM cells) and the verdict."""

    costs: list[CellCost]  # per cell, with the jobs not yet submitted
    spent_s: float  # QPU seconds the suite's job ledger has already spent
    cap_s: float | None  # ``budget.max_qpu_seconds`` of the suite
    verdict: str  # "budget: a run would proceed" or "budget: a run would refuse to start: ..."


@dataclass(frozen=True)
class PlanOverview:
    """Everything ``plan`` prints: see the module docstring."""

    plan: SuitePlan
    grid: GridCost
    executor: str  # the executor the estimate assumes (``auto`` resolved)
    estimate: Estimate
    hours: SuiteHours  # the whole suite's CPU/GPU hours (every cell, data present or not)
    budget: BudgetCheck
    pilot: Pilot
    effects_pp: tuple[float, ...]  # the effects ``pilot.needs[i].needed`` are for


def plan_overview(
    suite: PathLike,
    *,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
    only: Sequence[str] = (),
    with_controls: bool = True,
    executor: str = AUTO,
    workers: int | None = None,
) -> PlanOverview:
    """The ``PlanOverview`` of ``suite`` (selected by ``only``/``with_controls`` as in ``plan_suite``),
    its wall-time estimate for ``executor`` (``auto``: as ``run`` picks it) on ``workers`` (default:
    as ``run``). The estimate is calibrated by the store's records; a dataset x seed with a finished
    cell counts its backbone as trained. ``UserError`` on a bad suite, executor or workers."""
    from bench.history.pilot import EFFECTS_PP
    from bench.plan.estimate import Calibration, estimate_run, suite_hours
    from bench.plan.grid import grid_cost

    planned = plan_suite(
        suite, reports_dir=reports_dir, cache_dir=cache_dir, only=only, with_controls=with_controls
    )
    chosen, count = planned_executor(executor, workers)
    cells = planned.cells
    pending = [p.cell for p in cells if p.state in ("pending", "retry")]
    records, runs = earlier_timings(planned, suite, reports_dir)
    cached = {(p.cell.dataset.label, p.cell.seed) for p in cells if p.state == "done"}
    return PlanOverview(
        plan=planned,
        grid=grid_cost([p.cell for p in cells]),
        executor=chosen,
        estimate=estimate_run(pending, records, count, cached, runs),
        hours=suite_hours([p.cell for p in cells], Calibration.from_records(records, runs=runs)),
        budget=budget_check(planned, suite, folders(reports_dir, cache_dir).layout(planned.suite).jobs),
        pilot=pilot(suite, reports_dir),
        effects_pp=tuple(EFFECTS_PP),
    )


def earlier_timings(planned: SuitePlan, suite: PathLike, reports_dir: PathLike | None) -> tuple[list, list]:
    """The store's latest records and its last five runs that say their executor's workers, as
    ``RunTiming``; both empty without a store."""
    from bench.plan.estimate import RunTiming

    if not folders(reports_dir, None).layout(planned.suite).store.exists():
        return [], []
    with open_store(suite, reports_dir=reports_dir) as store:
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


def budget_check(planned: SuitePlan, suite_path: PathLike, jobs_path) -> BudgetCheck:
    """The IBM cost estimate of the cells a run would execute, and whether the budget allows it."""
    from bench.plan.budget import check_budget, pending_costs, spent_seconds

    cells, cap = planned.cells, planned.suite.budget.max_qpu_seconds
    costs = pending_costs(cells, jobs_path)
    if not costs:
        return BudgetCheck([], 0.0, cap, "")
    try:
        check_budget(planned.suite, suite_path, cells, jobs_path)
        verdict = "budget: a run would proceed"
    except UserError as exc:
        verdict = f"budget: a run would refuse to start: {exc}"
    return BudgetCheck(costs, spent_seconds(jobs_path), cap, verdict)


def pilot(suite: PathLike, reports_dir: PathLike | None) -> Pilot:
    """``bench.history.pilot.pilot_needs`` of the suite's store (no pilot when the suite never ran)."""
    from bench.history.pilot import pilot_needs

    try:
        with open_store(suite, reports_dir=reports_dir) as store:
            return pilot_needs(store)
    except UserError:  # no results yet: nothing to estimate a spread from
        return pilot_needs(None)
