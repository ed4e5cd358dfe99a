"""What a run would do, without running anything: each cell's state and skip reasons."""

from __future__ import annotations

from dataclasses import dataclass

from bench.grid import Cell, expand
from bench.registry import SIMULATORS
from bench.store import ResultsStore
from bench.suite import Suite


@dataclass(frozen=True)
class PlannedCell:
    cell: Cell
    state: str  # "done" | "pending" | "retry" (failed or skipped before) | "skip"
    reason: str = ""


def skip_reason(cell: Cell) -> str:
    """Why this cell cannot run here ("" if it can): an unavailable backend or trainer, or an IBM
    cell whose estimate exceeds its profile's per-cell caps."""
    from bench.budget import over_cap_reason
    from bench.quantum.resolve import probe

    for role, name in (("backend", cell.backend), ("trainer", cell.trained_on)):
        if name is None:
            continue
        reason = probe(cell.suite, name) if role == "backend" else SIMULATORS.get(name).probe()
        if reason:
            return f"{role} {name} unavailable: {reason}"
    over = over_cap_reason(cell)
    return f"over the profile's cap: {over}" if over else ""


def plan(suite: Suite, store: ResultsStore | None, force: bool = False) -> list[PlannedCell]:
    """Every cell of ``suite`` with its state given what ``store`` already holds."""
    status = store.status_of() if store is not None and not force else {}
    planned = []
    for cell in expand(suite):
        reason = skip_reason(cell)
        previous = status.get(cell.key)
        if previous == "ok":
            planned.append(PlannedCell(cell, "done"))
        elif reason:
            planned.append(PlannedCell(cell, "skip", reason))
        else:
            planned.append(PlannedCell(cell, "retry" if previous else "pending"))
    return planned
