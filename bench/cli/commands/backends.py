"""``python -m bench backends``: built-in simulators and backend profiles, with availability."""

from __future__ import annotations

import argparse

from bench.cli import views


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``backends`` to ``sub``."""
    sub.add_parser("backends", help="list built-in simulators and backend profiles, with availability")


def run(args: argparse.Namespace) -> int:
    """Print every built-in simulator and profile: kind, role, details, whether it is available
    (``bench.probe_backends``)."""
    from bench.api import probe_backends

    views.show_backends(probe_backends())
    return 0
