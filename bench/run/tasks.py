"""Units of work sent to executors: backbone preparation, and groups of cells sharing one trained head.

Every task computes with one torch thread (``CELL_THREADS``), whatever the executor, so a cell's
record is bit-identical whether it ran sequentially or in a pool; parallelism comes from
running tasks side by side (``--executor process --workers N``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from bench.cell.checkpoint import export_for_record
from bench.cell.embeddings import embeddings_for
from bench.cell.run import run_cell
from bench.cell.training import EpochCallback
from bench.core.hashing import stable_hash
from bench.core.provenance import provenance
from bench.plan.grid import Cell
from bench.results.cache import Cache
from bench.results.record import Record

CELL_THREADS = 1


@dataclass(frozen=True)
class BackboneTask:
    """Train (or load) the backbone of one dataset x seed and cache its embeddings."""

    cell: Cell
    cache_root: str
    fresh_after: float | None = None  # cache entries older than this are recomputed (a new run)


def backbone_tasks(
    cells: list[Cell], cache_root: str, fresh_after: float | None = None
) -> list[BackboneTask]:
    """One task per distinct dataset x seed among ``cells``, in grid order."""
    seen: dict[tuple[str, int], Cell] = {}
    for cell in cells:
        seen.setdefault((cell.dataset.label, cell.seed), cell)
    return [BackboneTask(cell, cache_root, fresh_after) for cell in seen.values()]


def run_backbone_task(task: BackboneTask) -> str | None:
    """Populate the cache; return an error line instead of raising (the cells then record it)."""
    torch.set_num_threads(CELL_THREADS)
    c = task.cell
    try:
        embeddings_for(
            c.dataset, c.suite.features, c.suite.backbone, c.seed, Cache(task.cache_root, task.fresh_after)
        )
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True)
class CellGroup:
    """Cells differing only in backend, trainer-backend first: the head trains once (then is
    a cache hit for the others). ``cache_root`` is a path so the group pickles cheaply."""

    cells: tuple[Cell, ...]
    cache_root: str
    checkpoint_root: str | None = None  # where each ok cell's checkpoint is exported (None: not exported)
    jobs_path: str | None = None  # IBM job ledger (None: <cache_root>/jobs.sqlite)
    fresh_after: float | None = None  # cache entries older than this are recomputed (a new run)


def group_cells(
    cells: list[Cell],
    cache_root: str,
    checkpoint_root: str | None = None,
    jobs_path: str | None = None,
    fresh_after: float | None = None,
) -> list[CellGroup]:
    """Group by training spec, keeping the grid order; the cell whose backend trains goes first."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(stable_hash(cell.train_key), []).append(cell)
    return [
        CellGroup(
            tuple(sorted(g, key=lambda c: c.backend != c.trained_on)),
            cache_root,
            checkpoint_root,
            jobs_path,
            fresh_after,
        )
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
    torch.set_num_threads(CELL_THREADS)
    cache = Cache(group.cache_root, group.fresh_after)
    records = []
    for cell in group.cells:
        record = run_cell(cell, cache, on_epoch, group.jobs_path)
        if group.checkpoint_root:
            export_for_record(cell, cache, Path(group.checkpoint_root), record)
        record.provenance = {**provenance(), "suite_hash": cell.suite.hash}
        records.append(record)
        if on_record:
            on_record(record)
    return records
