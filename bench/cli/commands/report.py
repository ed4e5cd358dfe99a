"""``python -m bench report SUITE``: regenerate a suite's report from its results store."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli.common import SUITE_HELP, add_folders, add_selection


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to ``sub``."""
    report = sub.add_parser("report", help="regenerate a suite's report from its results store")
    report.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(report)
    add_selection(report)
    report.add_argument(
        "--run-id",
        default=None,
        help="a run of this suite, by its id or a unique prefix as `bench runs` lists them: report "
        "that run into reports/<suite>/<run-id>/ (default: the latest run); a name that is no run "
        "of this suite (or a path) is refused",
    )
    report.add_argument(
        "--per-fold",
        action="store_true",
        help="one row (and verdict) per fold, each fold reported as a dataset <label>-fold<k>; default: "
        "every table, figure and verdict aggregates over folds x seeds (docs/reports.md)",
    )


def run(args: argparse.Namespace) -> int:
    """Write ``reports/<suite>/<run-id>/index.{md,html}`` and print their paths."""
    from bench.api import write_report

    paths = write_report(
        args.suite,
        run=args.run_id,
        reports_dir=args.reports_dir,
        cache_dir=args.cache_dir,
        only=args.only,
        with_controls=not args.no_controls,
        per_fold=args.per_fold,
    )
    print(f"report: {paths['md']}  {paths['html']}")
    return 0
