"""What several commands share: the ``--reports-dir``/``--cache-dir`` flags and the options they build."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.core.errors import UserError
from bench.core.layout import DEFAULT_CACHE, DEFAULT_REPORTS
from bench.results.store import ResultsStore
from bench.run.options import RunOptions, open_store, store_path
from bench.spec.suite import Suite

SUITE_HELP = "suite YAML file, e.g. suites/audio.yaml"
"""Help of the positional ``suite`` argument of every command that takes one."""

DEFAULTS = {"reports": DEFAULT_REPORTS, "cache": DEFAULT_CACHE}
"""The default folders of the results (store and reports) and of the cache, relative to the cwd."""


def add_folders(p: argparse.ArgumentParser) -> None:
    """Add ``--reports-dir`` and ``--cache-dir`` to ``p``."""
    p.add_argument(
        "--reports-dir",
        type=Path,
        default=DEFAULTS["reports"],
        help="where results.sqlite and reports go (default: reports/)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULTS["cache"],
        help="content-addressed cache of features, embeddings and trained heads (default: .cache/)",
    )


def add_selection(p: argparse.ArgumentParser) -> None:
    """Add ``--only PATTERN`` (repeatable) and ``--no-controls`` to ``p`` (``bench.plan.select``)."""
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only the cells whose key matches PATTERN: a glob ('*/quantum/*/s0'), a substring "
        "('quantum', '/s0') or re:REGEX; repeatable (a cell matching any is kept); the controls of a "
        "selected treatment follow it",
    )
    p.add_argument(
        "--no-controls",
        action="store_true",
        help="with --only: do not add the matched controls of the selected treatments",
    )


def run_options(args: argparse.Namespace, **extra) -> RunOptions:
    """``RunOptions`` of the folders in ``args`` (and ``--only``/``--no-controls`` where the command
    has them) plus ``extra`` fields."""
    selection = {}
    if getattr(args, "only", None):
        selection = {"only": tuple(args.only), "with_controls": not args.no_controls}
    return RunOptions(reports_root=args.reports_dir, cache_dir=args.cache_dir, **selection, **extra)


def read_store(suite: Suite, suite_path: Path, options: RunOptions) -> ResultsStore:
    """The suite's store opened read-only; a one-line error when there is none yet."""
    if not store_path(suite, options).exists():
        raise UserError(f"{suite_path}: no results yet for suite '{suite.name}' (run it first)")
    return open_store(suite, options, read_only=True, suite_path=suite_path)
