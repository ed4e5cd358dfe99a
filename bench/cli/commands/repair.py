"""``python -m bench repair SUITE``: salvage a damaged results store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, folder_flags


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``repair`` to ``sub``."""
    repair = sub.add_parser(
        "repair", help="salvage a damaged results store: keep every readable record, move the file aside"
    )
    repair.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(repair)


def run(args: argparse.Namespace) -> int:
    """Rebuild the store from its readable records, under the run lock (``bench.repair``); the
    damaged file is moved aside."""
    from bench.api import repair

    outcome = repair(args.suite, **folder_flags(args), on_notice=lambda line: print(line, file=sys.stderr))
    views.show_repair(outcome, args.suite)
    return 0
