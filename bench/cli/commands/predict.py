"""``python -m bench predict SUITE FILE --cell KEY``: class probabilities of a trained cell on a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, folder_flags


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``predict`` to ``sub``."""
    predict = sub.add_parser(
        "predict", help="run a trained cell on your own wav or image file; print class probabilities"
    )
    predict.add_argument("suite", type=Path, help=SUITE_HELP)
    predict.add_argument("file", type=Path, help="a wav/flac/ogg/mp3 file (audio suites) or an image file")
    predict.add_argument(
        "--cell",
        required=True,
        help="cell key as `python -m bench plan` lists it (the '#hash' part may be omitted)",
    )
    predict.add_argument(
        "--backend", default=None, help="simulator for the circuit (default: the cell's own)"
    )
    predict.add_argument("--top", type=int, default=10, help="show the K most probable classes (default 10)")
    add_folders(predict)


def run(args: argparse.Namespace) -> int:
    """Print the cell's most probable classes on the file (``bench.predict``)."""
    from bench.api import predict

    result = predict(
        args.suite, args.file, cell=args.cell, backend=args.backend, top=args.top, **folder_flags(args)
    )
    views.show_prediction(result)
    return 0
