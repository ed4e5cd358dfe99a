"""``python -m bench export SUITE --format csv|parquet|jsonl``: a suite's records as a table file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.cli.common import SUITE_HELP, add_folders, folder_flags
from bench.core.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``export`` to ``sub``."""
    export = sub.add_parser(
        "export",
        help="write a suite's records as CSV, Parquet or JSON lines: one row per record "
        "(the columns of bench.results(), docs/api.md)",
    )
    export.add_argument("suite", type=Path, help=SUITE_HELP)
    export.add_argument(
        "--format",
        required=True,
        choices=["csv", "parquet", "jsonl"],
        help="file format: csv, parquet or jsonl",
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument(
        "--run",
        default=None,
        help="run id (or unique prefix, latest, previous) to export (default: the latest run)",
    )
    which.add_argument(
        "--all-runs", action="store_true", help="export the records of every run, oldest first"
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="file to write, replaced atomically; '-' writes csv/jsonl to stdout "
        "(default: <reports-dir>/<suite>/export/<run id or all-runs>.<format>)",
    )
    add_folders(export)


def run(args: argparse.Namespace) -> int:
    """Write the results table (``bench.export_results``; ``-o -``: ``bench.results_bytes`` to
    stdout); say where (to stderr)."""
    from bench.api import export_results, results, results_bytes

    which = {"run": args.run, "all_runs": args.all_runs, **folder_flags(args)}
    if str(args.output) == "-":
        frame = results(args.suite, **which)
        if args.format == "parquet":
            raise UserError("-o -: Parquet is binary; give a file name (or --format csv|jsonl for stdout)")
        sys.stdout.buffer.write(results_bytes(frame, args.format))
        sys.stdout.flush()
        return 0
    done = export_results(args.suite, args.format, output=args.output, **which)
    print(f"exported {done.records} records of {done.runs} run(s) to {done.path}", file=sys.stderr)
    return 0
