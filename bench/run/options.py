"""Where a run's files live, and the options of a run (``RunOptions``).

A suite's folder ``<reports_root>/<suite name>/`` holds its results store, the IBM job ledger and
the exported checkpoints; the cache is shared between suites. This module imports nothing heavy,
so commands that only read a store (``runs``, ``compare``, ``plan``) never load torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.results.store import ResultsStore
from bench.spec.suite import Suite


@dataclass(frozen=True)
class RunOptions:
    reports_root: Path = Path("reports")
    cache_dir: Path = Path(".cache")
    executor: str = "sequential"
    workers: int = 1
    executor_options: dict[str, Any] = field(default_factory=dict)  # e.g. the Dask scheduler address
    force: bool = False
    report: bool = True
    new_run: bool = False  # start a new run instead of resuming the latest one
    changed_only: bool = False  # a new run reuses cells whose spec, versions and git SHA are unchanged
    wait: bool = True  # wait for another run holding the store's lock (False: refuse)


def suite_dir(suite: Suite, options: RunOptions) -> Path:
    return options.reports_root / suite.name


def checkpoints_dir(suite: Suite, options: RunOptions) -> Path:
    """Where every ok cell's checkpoint goes (see ``bench.cell.checkpoint``)."""
    return suite_dir(suite, options) / "checkpoints"


def jobs_path(suite: Suite, options: RunOptions) -> Path:
    """The suite's IBM job ledger (``bench.quantum.ledger``), next to its results store."""
    return suite_dir(suite, options) / "jobs.sqlite"


def store_path(suite: Suite, options: RunOptions) -> Path:
    return suite_dir(suite, options) / "results.sqlite"


def open_store(
    suite: Suite, options: RunOptions, read_only: bool = False, suite_path: Path | str | None = None
) -> ResultsStore:
    """The suite's results store; ``read_only`` never writes (plan, report, compare)."""
    hint = f"python -m bench repair {suite_path or 'SUITE.yaml'}"
    return ResultsStore(store_path(suite, options), read_only=read_only, hint=hint)
