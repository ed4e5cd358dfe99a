"""What a run would do, without running anything: each cell's state and skip reasons."""

from __future__ import annotations

from dataclasses import dataclass

from bench.core.registry import BACKBONES, DATASETS, SIMULATORS
from bench.plan.grid import Cell, expand
from bench.results.store import ResultsStore
from bench.spec.suite import Suite


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell
    state: str  # "done" | "pending" | "retry" (failed or skipped before) | "skip"
    reason: str = ""


def skip_reason(cell: Cell) -> str:
    """Why this cell cannot run here: every missing piece (data, weights, backends), or an IBM
    cell whose estimate exceeds its profile's per-cell caps; "" if it can run."""
    from bench.plan.budget import over_cap_reason
    from bench.quantum.resolve import probe

    reasons = []
    missing = DATASETS.get(cell.dataset.name).from_dict(cell.dataset.params).unavailable()
    if missing:
        reasons.append(f"dataset {cell.dataset.label} unavailable: {missing}")
    backbone = cell.suite.backbone
    missing = BACKBONES.get(backbone.name).from_dict(backbone.params).unavailable()
    if missing:
        reasons.append(f"backbone {backbone.name} unavailable: {missing}")
    for role, name in (("backend", cell.backend), ("trainer", cell.trained_on)):
        if name is None:
            continue
        missing = probe(cell.suite, name) if role == "backend" else SIMULATORS.get(name).probe()
        if missing:
            reasons.append(f"{role} {name} unavailable: {missing}")
    if not reasons:
        over = over_cap_reason(cell)
        if over:
            reasons.append(f"over the profile's cap: {over}")
    return "; ".join(reasons)


def _treatment_of(cell: Cell) -> tuple:
    """What identifies a control's treatment cells (all backends of one head x width x depth x seed)."""
    return (cell.dataset.label, cell.seed, cell.treatment or cell.head.label, cell.n_qubits, cell.n_layers)


def plan(suite: Suite, store: ResultsStore | None, force: bool = False) -> list[PlannedCell]:
    """Every cell of ``suite`` with its state given what ``store`` already holds.

    A control whose treatment is skipped on every backend is skipped with the treatment's reason
    (a control of nothing measures nothing)."""
    status = store.status_of() if store is not None and not force else {}
    planned = []
    treatments: dict[tuple, list[str]] = {}
    for cell in expand(suite):
        if cell.control is None:
            reason = skip_reason(cell)
            if cell.uses_circuit:
                treatments.setdefault(_treatment_of(cell), []).append(reason)
        else:
            reason = _control_reason(cell, treatments.get(_treatment_of(cell), []))
        previous = status.get(cell.key)
        if previous == "ok":
            planned.append(PlannedCell(cell, "done"))
        elif reason:
            planned.append(PlannedCell(cell, "skip", reason))
        else:
            planned.append(PlannedCell(cell, "retry" if previous else "pending"))
    return planned


def _control_reason(cell: Cell, treatment_reasons: list[str]) -> str:
    if treatment_reasons and all(treatment_reasons):
        unique = list(dict.fromkeys(treatment_reasons))
        return f"treatment {cell.treatment} is skipped: {'; '.join(unique)}"
    return skip_reason(cell)
