"""``python -m bench export SUITE --format csv|parquet|jsonl``: a suite's records as a table file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.cli.common import SUITE_HELP, add_folders
from bench.core.errors import UserError
from bench.core.layout import SuiteLayout


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
    """Build the results table and write it; print where (to stderr)."""
    from bench.api import results
    from bench.results.export import export_table, table_bytes
    from bench.spec.loader import load_suite

    frame = results(
        args.suite,
        run=args.run,
        all_runs=args.all_runs,
        reports_dir=args.reports_dir,
        cache_dir=args.cache_dir,
    )
    if str(args.output) == "-":
        if args.format == "parquet":
            raise UserError("-o -: Parquet is binary; give a file name (or --format csv|jsonl for stdout)")
        sys.stdout.buffer.write(table_bytes(frame, args.format))
        sys.stdout.flush()
        return 0
    path = args.output or default_output(args, load_suite(args.suite).name, frame)
    try:
        export_table(frame, path, args.format)
    except OSError as exc:
        raise UserError(f"{path}: cannot write the export ({exc.strerror})") from None
    runs = frame["run_id"].nunique()
    print(f"exported {len(frame)} records of {runs} run(s) to {path}", file=sys.stderr)
    return 0


def default_output(args: argparse.Namespace, suite_name: str, frame) -> Path:
    """``<reports-dir>/<suite>/export/<run id | all-runs>.<format>``."""
    if args.all_runs or frame.empty:
        name = "all-runs" if args.all_runs else "no-runs"
    else:
        name = str(frame["run_id"].iloc[0])
    return SuiteLayout(args.reports_dir, args.cache_dir, suite_name).export(name, args.format)
