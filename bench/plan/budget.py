"""QPU budget: what the pending IBM cells of a suite would cost, and the refusal to overspend.

For every IBM cell (hardware or rehearsal) that a run would execute, the estimate covers only the
jobs not yet in the suite's job ledger: jobs submitted by an earlier run are fetched, not paid
again. ``check_budget`` refuses the run (``UserError``, nothing submitted) when

* a real-hardware cell is pending and the suite sets no ``budget.max_qpu_seconds``, or
* seconds already spent (ledger: reported usage, else estimates) plus the pending estimate
  exceed ``budget.max_qpu_seconds``.

Estimates use ``profile.eval_samples`` items per cell (an upper bound: a smaller test split
evaluates fewer) and the cost model of ``bench.quantum.qiskit.cost``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.core.errors import UserError
from bench.quantum.qiskit import cost
from bench.quantum.resolve import profile_of


@dataclass(frozen=True)
class CellCost:
    key: str
    backend: str
    rehearsal: bool
    total: cost.CostEstimate  # the whole evaluation
    pending: cost.CostEstimate  # jobs not yet submitted


def _submitted(jobs_path: Path | None) -> dict[str, set[int]]:
    if jobs_path is None or not Path(jobs_path).exists():
        return {}
    import sqlite3

    with sqlite3.connect(jobs_path) as db:
        try:
            rows = db.execute("SELECT cell_key, job_index FROM jobs").fetchall()
        except sqlite3.OperationalError:
            return {}
    out: dict[str, set[int]] = {}
    for key, index in rows:
        out.setdefault(key, set()).add(index)
    return out


def spent_seconds(jobs_path: Path | None) -> float:
    if jobs_path is None or not Path(jobs_path).exists():
        return 0.0
    from bench.quantum.qiskit.ledger import JobLedger

    ledger = JobLedger(jobs_path)
    try:
        return ledger.spent_seconds()
    finally:
        ledger.close()


def cell_cost(cell, submitted: set[int]) -> CellCost | None:
    """The cost of an IBM cell (``None`` for any other backend)."""
    profile = profile_of(cell.suite, cell.backend) if cell.backend else None
    if profile is None or profile.ibm is None:
        return None
    n = profile.eval_samples
    per_job = cost.bindings_per_job(profile)
    total = pending = cost.ZERO
    for index, start in enumerate(range(0, n, per_job)):
        job = cost.job_cost(profile, min(per_job, n - start))
        total = total + job
        if index not in submitted:
            pending = pending + job
    return CellCost(cell.key, cell.backend, profile.ibm.rehearse, total, pending)


def pending_costs(planned, jobs_path: Path | None) -> list[CellCost]:
    """Costs of the IBM cells a run would execute (states pending / retry)."""
    submitted = _submitted(jobs_path)
    out = []
    for p in planned:
        if p.state not in ("pending", "retry"):
            continue
        c = cell_cost(p.cell, submitted.get(p.cell.key, set()))
        if c is not None:
            out.append(c)
    return out


def check_budget(suite, suite_path, planned, jobs_path: Path | None) -> None:
    """Raise ``UserError`` (before anything runs) if the pending IBM cells would overspend."""
    costs = pending_costs(planned, jobs_path)
    if not costs:
        return
    pending = sum((c.pending.qpu_seconds for c in costs), 0.0)
    cap = suite.budget.max_qpu_seconds
    hardware = [c for c in costs if not c.rehearsal]
    if cap is None:
        if hardware:
            raise UserError(
                f"{suite_path}: budget.max_qpu_seconds: required to run IBM hardware ({len(hardware)} cells "
                f"pending, estimated {pending:.1f} QPU s; see `python -m bench plan`)"
            )
        return
    spent = spent_seconds(jobs_path)
    if spent + pending > cap:
        raise UserError(
            f"{suite_path}: budget.max_qpu_seconds: {len(costs)} pending IBM cells need ~{pending:.1f} QPU s "
            f"and {spent:.1f} s are already spent: {spent + pending:.1f} s exceeds the cap of {cap:g} s "
            f"(raise the cap, lower eval_samples or shots, or drop backends; see `python -m bench plan`)"
        )


def over_cap_reason(cell) -> str:
    """Why a cell exceeds its profile's per-cell caps ("" when it does not, or is not an IBM cell)."""
    c = cell_cost(cell, set())
    if c is None:
        return ""
    return cost.over_profile_caps(profile_of(cell.suite, cell.backend), c.total)
