"""``python -m bench backends``: built-in simulators and backend profiles, with availability."""

from __future__ import annotations

import argparse

from bench.cli import views
from bench.core.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``backends`` to ``sub``."""
    sub.add_parser("backends", help="list built-in simulators and backend profiles, with availability")


def run(args: argparse.Namespace) -> int:
    """Print every built-in simulator and profile: kind, role, details, whether it is available."""
    from bench.core.registry import SIMULATORS
    from bench.quantum.resolve import probe_profile
    from bench.spec.profile_files import load_all, profile_dirs, profile_files

    dirs = profile_dirs()
    rows = []
    for name in SIMULATORS.names():
        sim = SIMULATORS.get(name)
        reason = sim.probe()
        status = f"unavailable: {reason}" if reason else "available"
        rows.append((name, "exact (built-in)", "trains", f"{sim.device}, {sim.diff_method}", status))
    files = profile_files(dirs)
    for name, profile in load_all(dirs).items():
        if isinstance(profile, UserError):
            rows.append((name, "?", "?", str(files[name]), f"invalid: {profile}"))
            continue
        reason = probe_profile(profile)
        role = "evaluate-only" if profile.evaluate_only else "trains"
        status = f"unavailable: {reason}" if reason else "available"
        rows.append((name, profile.kind, role, profile.summary(), status))
    views.show_backends(", ".join(map(str, dirs)), rows)
    return 0
