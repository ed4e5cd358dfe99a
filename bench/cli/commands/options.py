"""``python -m bench options [--write]``: the reference of every suite key and plugin option."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``options`` to ``sub``."""
    options = sub.add_parser("options", help="print the reference of every suite key and plugin option")
    options.add_argument("--write", action="store_true", help="rewrite docs/options.md")


def run(args: argparse.Namespace) -> int:
    """Print the option reference (``bench.option_reference``), or rewrite ``docs/options.md`` with
    it (``bench.write_option_reference``)."""
    from bench.api import option_reference, write_option_reference

    if not args.write:
        print(option_reference(), end="")
        return 0
    print(f"wrote {write_option_reference()}")
    return 0
