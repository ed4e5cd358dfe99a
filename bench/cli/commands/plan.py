"""``python -m bench plan SUITE``: list a suite's cells and their state, the IBM cost of a run, and the
seeds a 1 and a 2 pp effect need at the spread of the latest run (``bench.history.pilot``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, add_selection, folder_flags


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``plan`` to ``sub``."""
    plan = sub.add_parser("plan", help="list a suite's cells, which are done and which would be skipped")
    plan.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(plan)
    add_selection(plan)
    plan.add_argument(
        "--executor",
        default=os.environ.get("QHEAD_EXECUTOR", "auto"),
        help="the executor the wall-time estimate assumes: auto (as `run` picks it), sequential, "
        "process or dask",
    )
    plan.add_argument(
        "--workers",
        type=int,
        default=None,
        help="workers the wall-time estimate assumes (default: as `run`, min(2, cores))",
    )


def run(args: argparse.Namespace) -> int:
    """Print every cell with its state (done, pending, retry, skip), the grid's size (cells, folds x
    seeds, backbones, trained heads), the estimated wall time of the pending cells, the IBM cost
    estimate and the seeds needed: ``bench.plan_overview``."""
    from bench.api import plan_overview

    overview = plan_overview(
        args.suite,
        **folder_flags(args),
        only=args.only,
        with_controls=not args.no_controls,
        executor=args.executor,
        workers=args.workers,
    )
    views.show_plan_overview(overview)
    return 0
