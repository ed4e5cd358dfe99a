"""``python -m bench runs SUITE``: list a suite's runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, folder_flags
from bench.cli.output import emit


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``runs`` to ``sub``."""
    runs = sub.add_parser(
        "runs", help="list the runs of a suite: id, date, git SHA, versions, machine, cells"
    )
    runs.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(runs)
    runs.add_argument("--json", action="store_true", help="print the list as JSON")


def run(args: argparse.Namespace) -> int:
    """Print the suite's runs, oldest first (a table, or JSON with ``--json``): ``bench.runs_overview``."""
    from dataclasses import asdict

    from bench.api import load_suite, runs_overview

    rows = runs_overview(args.suite, **folder_flags(args))
    if args.json:
        emit(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    views.show_runs(load_suite(args.suite).name, rows)
    return 0
