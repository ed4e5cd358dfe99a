"""``python -m bench options [--write]``: the reference of every suite key and plugin option."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``options`` to ``sub``."""
    options = sub.add_parser("options", help="print the reference of every suite key and plugin option")
    options.add_argument("--write", action="store_true", help="rewrite docs/options.md")


def run(args: argparse.Namespace) -> int:
    """Print the option reference, or rewrite ``docs/options.md`` with it."""
    from bench.cli.options_doc import OPTIONS_PAGE, options_markdown

    text = options_markdown()
    if not args.write:
        print(text, end="")
        return 0
    OPTIONS_PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {OPTIONS_PAGE}")
    return 0
