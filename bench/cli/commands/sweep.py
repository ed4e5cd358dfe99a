"""``python -m bench sweep FILE``: a timing sweep of circuit time vs qubits and layers per backend."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli import views
from bench.cli.common import DEFAULTS


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``sweep`` to ``sub``."""
    sweep = sub.add_parser("sweep", help="timing sweep: circuit time vs qubits and layers per backend")
    sweep.add_argument("suite", type=Path, help="sweep suite YAML, e.g. suites/timing.yaml")
    sweep.add_argument(
        "--reports-dir",
        type=Path,
        default=DEFAULTS["reports"],
        help="where <sweep name>/sweep.sqlite and its reports go (default: reports/)",
    )
    sweep.add_argument("--force", action="store_true", help="re-measure points already in the store")


def run(args: argparse.Namespace) -> int:
    """Measure the pending points, write the sweep's report (``bench.run_sweep``); 1 when a point failed."""
    from bench.api import run_sweep

    out = views.console(stderr=True)
    outcome = run_sweep(
        args.suite,
        reports_dir=args.reports_dir,
        force=args.force,
        on_point=lambda point: views.show_sweep_point(out, point),
    )
    out.print(f"report: {outcome.reports['md']}  {outcome.reports['html']}")
    return outcome.exit_code
