"""Units of work sent to executors, and the task graph that orders them.

A run is a graph (``task_graph``): one features task per dataset (compute and cache its
features once, before any backbone needs them), one backbone task per dataset x fold x seed after it
(train or load the backbone, cache its embeddings), then one task per cell, which starts as soon
as *its* backbone task has finished. Cells differing only in evaluation backend share a trained
head: the cell whose backend trains it runs first, and the others wait for it, so the head trains
once and is a cache hit for them. Tasks communicate through the cache only; a task's inputs are
passed to it merely to order it. The driver takes each dataset's fingerprint (part of the feature
keys; a file dataset's stats every file) once, when it builds the graph, and every task carries
them (``fingerprints``), so workers never take them again. Every task computes with one thread
(``bench.run.threads``), whatever the executor, so a cell's record is bit-identical wherever it ran.

Each node carries a priority: its own estimated cost (``bench.plan.estimate``, the cost model
``plan``'s wall-time estimate uses too) plus the largest priority among the nodes
waiting on it (the longest chain of work it unblocks). Parallel executors start the ready node of
highest priority first, so long cells start early and short ones fill the gaps at the end. The
estimate only orders work; it never changes a result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.cell.checkpoint import export_for_record
from bench.cell.embeddings import data_fingerprint, dataset_id, embeddings_for, prepare_features
from bench.cell.loop import EpochCallback
from bench.cell.run import run_cell
from bench.core.hashing import stable_hash
from bench.core.provenance import provenance
from bench.data.folds import Fold
from bench.plan.estimate import cell_cost
from bench.plan.grid import Cell
from bench.results.cache import Cache
from bench.results.record import Record
from bench.run.executors import Node
from bench.run.threads import pin_threads


@dataclass(frozen=True)
class FeaturesTask:
    """Compute and cache one dataset's features (``bench.cell.embeddings.prepare_features``)."""

    cell: Cell  # the dataset's first cell (its dataset, features and backbone specs are the suite's)
    seeds: tuple[int, ...]  # the seeds whose backbones the run trains from these features
    cache_root: str
    fresh_after: float | None = None  # cache entries older than this are recomputed (a new run)
    fingerprints: Mapping[str, str] | None = None  # the run's dataset fingerprints (``task_cache``)
    folds: tuple[Fold | None, ...] = (None,)  # the folds of those backbones (None: no folds)


def task_cache(task: FeaturesTask | BackboneTask | CellTask) -> Cache:
    """The cache a task works with: its root, freshness rule and the run's dataset fingerprints."""
    return Cache(task.cache_root, task.fresh_after, task.fingerprints)


def run_fingerprints(cells: list[Cell]) -> dict[str, str]:
    """Each distinct dataset's fingerprint among ``cells`` by ``dataset_id``, taken once. A dataset
    whose fingerprint raises is left out: its tasks take it themselves and fail as cells do."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for cell in cells:
        ident = dataset_id(cell.dataset)
        if ident in seen:
            continue
        seen.add(ident)
        try:
            out[ident] = data_fingerprint(cell.dataset)
        except Exception:
            continue
    return out


def features_tasks(backbones: list[BackboneTask]) -> list[FeaturesTask]:
    """One task per dataset among ``backbones`` (in their order), naming the folds and seeds they train."""
    by_dataset: dict[str, list[BackboneTask]] = {}
    for task in backbones:
        by_dataset.setdefault(task.cell.dataset.label, []).append(task)
    return [
        FeaturesTask(
            t.cell,
            tuple(dict.fromkeys(x.cell.seed for x in ts)),
            t.cache_root,
            t.fresh_after,
            t.fingerprints,
            tuple(dict.fromkeys(x.cell.fold for x in ts)),
        )
        for t, ts in ((ts[0], ts) for ts in by_dataset.values())
    ]


def run_features_task(task: FeaturesTask) -> str | None:
    """Populate the cache; return an error line instead of raising (its backbones then retry and
    the cells record the error)."""
    pin_threads()
    c = task.cell
    try:
        cache = task_cache(task)
        seeds, folds = list(task.seeds), list(task.folds)
        prepare_features(c.dataset, c.suite.features, c.suite.backbone, seeds, cache, folds)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True)
class BackboneTask:
    """Train (or load) the backbone of one dataset x fold x seed and cache its embeddings."""

    cell: Cell
    cache_root: str
    fresh_after: float | None = None  # cache entries older than this are recomputed (a new run)
    fingerprints: Mapping[str, str] | None = None  # the run's dataset fingerprints (``task_cache``)


def backbone_tasks(
    cells: list[Cell],
    cache_root: str,
    fresh_after: float | None = None,
    fingerprints: Mapping[str, str] | None = None,
) -> list[BackboneTask]:
    """One task per distinct dataset x fold x seed among ``cells``, in grid order."""
    seen: dict[tuple[str, Fold | None, int], Cell] = {}
    for cell in cells:
        seen.setdefault((cell.dataset.label, cell.fold, cell.seed), cell)
    return [BackboneTask(cell, cache_root, fresh_after, fingerprints) for cell in seen.values()]


def run_backbone_task(task: BackboneTask, *after: Any) -> str | None:
    """Populate the cache; return an error line instead of raising (the cells then record it).

    ``after`` (the features task's result) is not used: a backbone computes missing features itself."""
    pin_threads()
    c = task.cell
    try:
        cache = task_cache(task)
        embeddings_for(c.dataset, c.suite.features, c.suite.backbone, c.seed, cache, fold=c.fold)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@dataclass(frozen=True)
class CellTask:
    """One cell. Paths are strings so the task pickles cheaply."""

    cell: Cell
    cache_root: str
    checkpoint_root: str | None = None  # where an ok cell's checkpoint is exported (None: not exported)
    jobs_path: str | None = None  # IBM job ledger (None: <cache_root>/jobs.sqlite)
    fresh_after: float | None = None  # cache entries older than this are recomputed (a new run)
    fingerprints: Mapping[str, str] | None = None  # the run's dataset fingerprints (``task_cache``)


def run_cell_task(task: CellTask, *after: Any, on_epoch: EpochCallback | None = None) -> Record:
    """The cell's record with provenance (and the suite hash) stamped on it. Never raises.

    ``after`` are the results of the tasks this one waited for; they are not used.
    """
    pin_threads()
    cell, cache = task.cell, task_cache(task)
    record = run_cell(cell, cache, on_epoch, task.jobs_path)
    if task.checkpoint_root:
        export_for_record(cell, cache, Path(task.checkpoint_root), record)
    record.provenance = {**provenance(), "suite_hash": cell.suite.hash}
    return record


def _trainer_first(cells: list[Cell]) -> dict[str, list[Cell]]:
    """Cells grouped by training spec (grid order kept); the cell whose backend trains goes first."""
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        groups.setdefault(stable_hash(cell.train_key), []).append(cell)
    return {k: sorted(g, key=lambda c: c.backend != c.trained_on) for k, g in groups.items()}


def features_node_key(cell: Cell) -> str:
    return f"features-{cell.dataset.label}"


def backbone_key(cell: Cell) -> str:
    fold = f"-fold{cell.fold.number}" if cell.fold is not None else ""
    return f"backbone-{cell.dataset.label}{fold}-seed{cell.seed}"


def cell_key(cell: Cell) -> str:
    return f"cell-{cell.key}"


def task_graph(
    cells: list[Cell],
    cache_root: str,
    checkpoint_root: str | None = None,
    jobs_path: str | None = None,
    on_epoch: EpochCallback | None = None,
    fresh_after: float | None = None,
) -> list[Node]:
    """Features, backbone, then cell nodes, each after what it needs, with priorities (see the
    module docstring).

    ``on_epoch`` (in-process executors only) receives each cell's epoch progress; ``fresh_after``
    (a new run's start) makes older cache entries misses (``bench.results.cache``).
    """
    cell_fn: Callable[..., Record] = run_cell_task
    if on_epoch is not None:

        def cell_fn(task: CellTask, *after: Any) -> Record:
            return run_cell_task(task, *after, on_epoch=on_epoch)

    fingerprints = run_fingerprints(cells)
    backbones = backbone_tasks(cells, cache_root, fresh_after, fingerprints)
    nodes = [Node(features_node_key(t.cell), run_features_task, t) for t in features_tasks(backbones)]
    nodes += [
        Node(backbone_key(t.cell), run_backbone_task, t, (features_node_key(t.cell),)) for t in backbones
    ]
    for group in _trainer_first(cells).values():
        trainer = group[0]
        for cell in group:
            after = (backbone_key(cell),) if cell is trainer else (cell_key(trainer),)
            task = CellTask(cell, cache_root, checkpoint_root, jobs_path, fresh_after, fingerprints)
            nodes.append(Node(cell_key(cell), cell_fn, task, after))
    return with_priorities(nodes)


def with_priorities(nodes: list[Node]) -> list[Node]:
    """``nodes`` (in dependency order) with each priority set to its cost plus the largest
    priority among the nodes waiting on it; a cell costs ``bench.plan.estimate.cell_cost``, other
    tasks 1."""
    below: dict[str, float] = {}
    out: list[Node] = []
    for node in reversed(nodes):
        own = cell_cost(node.arg.cell) if isinstance(node.arg, CellTask) else 1.0
        priority = own + below.get(node.key, 0.0)
        for key in node.after:
            below[key] = max(below.get(key, 0.0), priority)
        out.append(replace(node, priority=priority))
    return out[::-1]
