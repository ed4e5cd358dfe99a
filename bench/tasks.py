"""Units of work sent to executors: groups of cells that share one trained head."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.cache import Cache
from bench.cell import run_cell
from bench.grid import Cell
from bench.hashing import stable_hash
from bench.provenance import provenance
from bench.record import Record
from bench.training import EpochCallback


@dataclass(frozen=True)
class CellGroup:
    """Cells differing only in backend, trainer-backend first: the head trains once (then is
    a cache hit for the others). ``cache_root`` is a path so the group pickles cheaply."""

    cells: tuple[Cell, ...]
    cache_root: str
    jobs_path: str | None = None  # IBM job ledger (None: <cache_root>/jobs.sqlite)


def group_cells(cells: list[Cell], cache_root: str, jobs_path: str | None = None) -> list[CellGroup]:
    """Group by training spec, keeping the grid order; the cell whose backend trains goes first."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(stable_hash(cell.train_key), []).append(cell)
    return [
        CellGroup(tuple(sorted(g, key=lambda c: c.backend != c.trained_on)), cache_root, jobs_path)
        for g in groups.values()
    ]


def run_group(
    group: CellGroup,
    on_epoch: EpochCallback | None = None,
    on_record: Callable[[Record], None] | None = None,
) -> list[Record]:
    """Run each cell of ``group``; stamp provenance (with the suite hash) on every record.

    ``on_record`` (in-process executors only) receives each record as soon as it exists, so
    the driver can commit it before the next cell starts.
    """
    cache = Cache(group.cache_root)
    records = []
    for cell in group.cells:
        record = run_cell(cell, cache, on_epoch, group.jobs_path)
        record.provenance = {**provenance(), "suite_hash": cell.suite.hash}
        records.append(record)
        if on_record:
            on_record(record)
    return records
