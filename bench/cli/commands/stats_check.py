"""``python -m bench stats-check``: the calibration benchmark of the paired test (docs/statistics.md)."""

from __future__ import annotations

import argparse

from bench.cli import views

NAME = "stats-check"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``stats-check`` to ``sub``."""
    check = sub.add_parser(
        NAME,
        help="calibration of the verdict's paired test on simulated studies: false-positive rate with its "
        "Monte-Carlo interval, interval coverage and power per regime (docs/statistics.md); exit 1 if a "
        "regime fails",
    )
    check.add_argument(
        "--rule",
        choices=["current", "legacy"],
        default="current",
        help="current: the test the report uses (default); legacy: the rule before it (pooled McNemar and "
        "expanded bootstrap), for comparison",
    )
    check.add_argument(
        "--replicates",
        type=int,
        default=2000,
        help="simulated null studies per regime (default 2000; half as many per planted effect)",
    )
    check.add_argument("--seed", type=int, default=0, help="seed of the simulation (default 0)")
    check.add_argument(
        "--quick", action="store_true", help="the small grid CI runs (4 regimes) instead of all 48"
    )


def run(args: argparse.Namespace) -> int:
    """Print the calibration table (``bench.check_statistics``); ``ExitCode.CELL_FAILED`` (1) when a
    regime fails its checks (a failed benchmark check)."""
    from bench.api import check_statistics

    check = check_statistics(args.rule, replicates=args.replicates, seed=args.seed, quick=args.quick)
    views.show_statistics_check(check)
    return check.exit_code
