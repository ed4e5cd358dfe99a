"""``python -m bench repair SUITE``: salvage a damaged results store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.cli.common import SUITE_HELP, add_folders, run_options
from bench.core.errors import UserError
from bench.run.options import store_path
from bench.spec.loader import load_suite


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``repair`` to ``sub``."""
    repair = sub.add_parser(
        "repair", help="salvage a damaged results store: keep every readable record, move the file aside"
    )
    repair.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(repair)


def run(args: argparse.Namespace) -> int:
    """Rebuild the store from its readable records (under the run lock); the damaged file is moved aside."""
    from bench.results.repair import damage, repair_store
    from bench.run.lock import run_lock

    suite, options = load_suite(args.suite), run_options(args)
    path = store_path(suite, options)
    if not path.exists():
        raise UserError(f"{args.suite}: no results store at {path} (nothing to repair)")
    with run_lock(options.layout(suite).lock, True, lambda line: print(line, file=sys.stderr)):
        if damage(path) is None:
            print(f"{path}: the results store is healthy; nothing to repair (nothing changed)")
            return 0
        result = repair_store(path)
    problems = f" ({'; '.join(result.problems)})" if result.problems else ""
    lost = "an unknown number" if result.lost_unknown else str(result.lost_records)
    print(
        f"repaired {path}: kept {result.kept_records} records of {result.kept_runs} runs, lost "
        f"{lost}{problems}; damaged file moved to {result.moved_to}; "
        f"`python -m bench run {args.suite}` re-runs what was lost"
    )
    return 0
