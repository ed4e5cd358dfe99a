"""What several commands share: the ``--reports-dir``/``--cache-dir`` and selection flags, and the
``bench.api`` arguments they give."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bench.core.layout import DEFAULT_CACHE, DEFAULT_REPORTS

if TYPE_CHECKING:
    from bench.api import RunOptions

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
    """``bench.RunOptions`` of the folders in ``args`` (and ``--only``/``--no-controls`` where the
    command has them) plus ``extra`` fields."""
    from bench.api import RunOptions

    selection = {}
    if getattr(args, "only", None):
        selection = {"only": tuple(args.only), "with_controls": not args.no_controls}
    return RunOptions(reports_root=args.reports_dir, cache_dir=args.cache_dir, **selection, **extra)


def folder_flags(args: argparse.Namespace) -> dict:
    """``reports_dir`` and ``cache_dir`` of ``args``, as keyword arguments of a ``bench.api`` call."""
    return {"reports_dir": args.reports_dir, "cache_dir": args.cache_dir}
