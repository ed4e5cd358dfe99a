"""``python -m bench compare SUITE``: compare two runs of a suite (exit 3 on a regression)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders
from bench.cli.output import emit
from bench.core.exit_codes import ExitCode


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``compare`` to ``sub``."""
    compare = sub.add_parser(
        "compare",
        help="compare two runs of a suite: accuracy, predictions, runtime, failures (exit 3: regression)",
    )
    compare.add_argument("suite", type=Path, help=SUITE_HELP)
    add_folders(compare)
    compare.add_argument(
        "--baseline", default=None, help="baseline run id (default: the previous complete run)"
    )
    compare.add_argument("--run", default=None, help="run id to check (default: the latest run)")
    compare.add_argument(
        "--threshold",
        type=float,
        default=1.0,
        help="accuracy regression threshold in percentage points: flagged when the whole 95 %% CI of the "
        "paired Δ lies below -threshold (default 1)",
    )
    compare.add_argument(
        "--factor",
        type=float,
        default=1.25,
        help="runtime regression factor: flagged when slower by more than this, same machine only "
        "(default 1.25)",
    )
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.add_argument("--no-report", action="store_true", help="do not write reports/<suite>/compare/...")


def run(args: argparse.Namespace) -> int:
    """Compare ``--run`` with ``--baseline`` (``bench.compare``); print it, write its page
    (``bench.write_comparison_page``); 3 when a regression is flagged."""
    from bench.api import compare, comparison_folder, write_comparison_page

    result = compare(
        args.suite,
        baseline=args.baseline,
        run=args.run,
        threshold=args.threshold,
        factor=args.factor,
        reports_dir=args.reports_dir,
    )
    code = ExitCode.REGRESSION if result.regressions else ExitCode.OK
    if args.json:
        emit(json.dumps(result.to_json(), indent=2, default=str))
    else:
        views.show_comparison(result)
    if not args.no_report:
        out = comparison_folder(result, reports_dir=args.reports_dir)
        try:
            paths = write_comparison_page(result, out)
            print(f"report: {paths['md']}  {paths['html']}", file=sys.stderr)
        except OSError as exc:
            print(
                f"warning: could not write the comparison page under {out}: {exc.strerror}", file=sys.stderr
            )
    return code
