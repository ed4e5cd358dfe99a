"""Where a run's files live (``SuiteLayout``), and the options of a run (``RunOptions``).

A suite's folder ``<reports_root>/<suite name>/`` holds its results store, the IBM job ledger,
the exported checkpoints and its reports (``bench.core.layout.SuiteLayout`` names each); the
cache is shared between suites. This module imports nothing heavy, so commands that only read a
store (``runs``, ``compare``, ``plan``) never load torch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core.errors import UserError
from bench.core.layout import DEFAULT_CACHE, DEFAULT_REPORTS, SuiteLayout
from bench.results.store import ResultsStore
from bench.spec.suite import Suite


@dataclass(frozen=True)
class RunOptions:
    """How to run a suite: the folders, the executor and its options, and the run policy."""

    reports_root: Path = DEFAULT_REPORTS
    cache_dir: Path = DEFAULT_CACHE
    executor: str = "sequential"
    workers: int = 1
    executor_options: dict[str, Any] = field(default_factory=dict)  # e.g. the Dask scheduler address
    force: bool = False
    report: bool = True
    new_run: bool = False  # start a new run instead of resuming the latest one
    changed_only: bool = False  # a new run reuses cells whose spec, versions and git SHA are unchanged
    wait: bool = True  # wait for another run holding the store's lock (False: refuse)
    only: tuple[str, ...] = ()  # run only the cells matching these patterns (bench.plan.select)
    with_controls: bool = True  # with ``only``: the controls of a selected treatment follow it

    def layout(self, suite: Suite) -> SuiteLayout:
        """Every path a run of ``suite`` with these options writes."""
        return SuiteLayout.of(suite, self)


DASK_SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""The environment variable naming a Dask scheduler to run on (``tcp://HOST:PORT``)."""


def env_scheduler() -> str | None:
    """The Dask scheduler address in ``$DASK_SCHEDULER_ADDRESS``, or ``None`` when unset or empty."""
    return os.environ.get(DASK_SCHEDULER_ENV) or None


def suite_dir(suite: Suite, options: RunOptions) -> Path:
    """``SuiteLayout.folder``."""
    return SuiteLayout.of(suite, options).folder


def checkpoints_dir(suite: Suite, options: RunOptions) -> Path:
    """``SuiteLayout.checkpoints``: where every ok cell's checkpoint goes (see ``bench.cell.checkpoint``)."""
    return SuiteLayout.of(suite, options).checkpoints


def jobs_path(suite: Suite, options: RunOptions) -> Path:
    """``SuiteLayout.jobs``: the suite's IBM job ledger, next to its results store."""
    return SuiteLayout.of(suite, options).jobs


def store_path(suite: Suite, options: RunOptions) -> Path:
    """``SuiteLayout.store``."""
    return SuiteLayout.of(suite, options).store


def open_store(
    suite: Suite, options: RunOptions, read_only: bool = False, suite_path: Path | str | None = None
) -> ResultsStore:
    """The suite's results store; ``read_only`` never writes (plan, report, compare)."""
    hint = f"python -m bench repair {suite_path or 'SUITE.yaml'}"
    store = ResultsStore(store_path(suite, options), read_only=read_only, hint=hint)
    if suite_path is not None:
        try:
            claim_suite_file(store, suite, Path(suite_path), options)
        except BaseException:
            store.close()
            raise
    return store


SUITE_FILE_META = "suite_file"


def claim_suite_file(store: ResultsStore, suite: Suite, suite_path: Path, options: RunOptions) -> None:
    """The suite's folder belongs to one suite file: the one that first wrote its store (its path
    relative to the suite's folder is kept in the store's ``meta``, so a project copied or moved
    as a whole keeps working). Another existing file with the same ``name:`` is refused in one
    line (its cells would silently join the first suite's runs); when the first file is gone
    (moved, renamed), a writable store passes to ``suite_path``."""
    folder = suite_dir(suite, options).resolve()
    mine, recorded = suite_path.resolve(), store.meta(SUITE_FILE_META)
    owner = (folder / recorded).resolve() if recorded else None
    if owner is not None and owner != mine and owner.is_file():
        raise UserError(
            f"{suite_path}: suite name '{suite.name}' is already used by {owner} in "
            f"{suite_dir(suite, options)}/; give this suite another `name:` or use another --reports-dir"
        )
    if owner != mine and not store.read_only:
        store.set_meta(SUITE_FILE_META, os.path.relpath(mine, folder))
