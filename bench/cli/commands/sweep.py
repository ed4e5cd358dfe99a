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
    """Measure the pending points, write the sweep's report; 1 when a point failed."""
    from bench.timing.sweep import SweepOptions, run_sweep_file

    out = views.console(stderr=True)
    options = SweepOptions(args.suite, args.reports_dir, args.force)
    outcome = run_sweep_file(options, lambda point: views.show_sweep_point(out, point))
    out.print(f"report: {outcome.reports['md']}  {outcome.reports['html']}")
    return outcome.exit_code
