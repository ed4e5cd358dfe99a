"""``python -m bench calibrate``: time exact simulators per width (the table ``train_on: auto`` reads)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli import views


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` to ``sub``."""
    cal = sub.add_parser(
        "calibrate",
        help="time exact simulators per width; --write updates the table that "
        "train_on=auto picks the trainer from",
    )
    cal.add_argument(
        "--qubits",
        type=int,
        nargs="+",
        default=[2, 4, 6, 8, 10, 12, 14, 16],
        help="widths to time (default 2 4 ... 16)",
    )
    cal.add_argument("--layers", type=int, default=2, help="variational layers (default 2)")
    cal.add_argument("--batch", type=int, default=64, help="inputs per circuit call (default 64)")
    cal.add_argument(
        "--repeats", type=int, default=3, help="timed repeats per point; the median is kept (default 3)"
    )
    cal.add_argument("--simulators", nargs="*", default=None, help="default: every built-in simulator")
    cal.add_argument(
        "--write", action="store_true", help="rewrite the trainer-timings table in effect (docs/backends.md)"
    )
    cal.add_argument("--output", type=Path, default=None, help="write the table here instead")


def run(args: argparse.Namespace) -> int:
    """Measure and print the table (``bench.calibrate_simulators``); with ``--write``, save it
    (``bench.write_trainer_timings``) and say which trainer each width picks."""
    from bench.api import calibrate_simulators, write_trainer_timings

    timings = calibrate_simulators(
        args.qubits, layers=args.layers, batch=args.batch, repeats=args.repeats, simulators=args.simulators
    )
    views.show_calibration(timings)
    if args.write:
        views.show_trainer_timings(write_trainer_timings(timings, args.output))
    return 0
