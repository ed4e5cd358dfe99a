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
    """Measure and print the table; with ``--write``, save it and say which trainer each width picks."""
    from bench.core.registry import SIMULATORS
    from bench.quantum.autoselect import fastest_trainer, measure, write_table
    from bench.spec.profile_files import trainer_timings_file

    names = args.simulators or SIMULATORS.names()
    seconds = measure(names, args.qubits, args.layers, args.batch, args.repeats)
    views.show_calibration(seconds, args.qubits, args.batch, args.layers)
    if args.write:
        path = write_table(
            seconds,
            args.output or trainer_timings_file(),
            {"batch": args.batch, "n_layers": args.layers, "repeats": args.repeats},
        )
        print(
            f"wrote {path}; train_on=auto now picks: "
            + ", ".join(f"q{n}: {fastest_trainer(n, path)}" for n in args.qubits)
        )
    return 0
