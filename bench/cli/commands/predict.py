"""``python -m bench predict SUITE FILE --cell KEY``: class probabilities of a trained cell on a file."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.cli import views
from bench.cli.common import SUITE_HELP, add_folders, run_options
from bench.core.errors import UserError
from bench.spec.loader import load_suite


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
    """Load the cell's checkpoint (verified, or rebuilt from the cache) and print the top classes."""
    from bench.cell.checkpoint import cell_checkpoint_path, load_checkpoint, regenerate_command
    from bench.cell.predict import check_input_file, choose_simulator, find_cell, predict_file
    from bench.results.cache import Cache

    if args.top < 1:
        raise UserError(f"--top: must be >= 1 (got {args.top})")
    suite, options = load_suite(args.suite), run_options(args)
    cell = find_cell(suite, args.cell)
    check_input_file(args.file)
    root = options.layout(suite).checkpoints
    path = cell_checkpoint_path(root, cell.key)
    try:
        verified = verified_checkpoint(cell, Cache(options.cache_dir), root, args.suite)
    except UserError:
        outcome = stored_outcome(suite, args.suite, options, cell)
        if outcome:
            raise UserError(outcome) from None
        raise
    simulator, note = choose_simulator(verified.meta, args.backend)
    loaded = load_checkpoint(path, simulator) if simulator != verified.simulator else verified
    probs = predict_file(loaded, args.file)
    if not np.all(np.isfinite(probs)):
        raise UserError(
            f"{path}: the model gives non-finite probabilities for {args.file} "
            f"(no prediction printed; regenerate the checkpoint with `{regenerate_command(args.suite)}`)"
        )
    ranked = [(loaded.class_names[i], float(probs[i])) for i in np.argsort(-probs, kind="stable")[: args.top]]
    header = (
        f"cell: {cell.key}\nbackbone protocol: {loaded.meta['protocol']}; circuit on: {simulator}\n"
        f"file: {args.file}"
    )
    views.show_prediction([*verified.notes, note], header, ranked)
    return 0


def stored_outcome(suite, suite_path, options, cell) -> str | None:
    """Why ``cell`` has no model, from its stored record: its own error when it failed, its reason
    when it was skipped; ``None`` when the store has no such record (or no store)."""
    from bench.run.options import open_store, store_path

    if not store_path(suite, options).exists():
        return None
    store = open_store(suite, options, read_only=True, suite_path=suite_path)
    try:
        [record] = store.get([cell.key]) or [None]
    finally:
        store.close()
    if record is None or record.status == "ok":
        return None
    what = "failed" if record.status == "failed" else "was skipped"
    return (
        f"{suite_path}: cell {cell.key} {what} in its latest run, so it has no model to predict with: "
        f"{record.error or 'no reason recorded'}"
    )


def verified_checkpoint(cell, cache, root, suite_path):
    """``ensure_checkpoint``, with a checkpoint that is missing and not in the cache said plainly."""
    from bench.cell.checkpoint import (
        DamagedCheckpoint,
        cell_checkpoint_path,
        ensure_checkpoint,
        regenerate_command,
    )

    path = cell_checkpoint_path(root, cell.key)
    existed = path.exists()
    try:
        return ensure_checkpoint(cell, cache, root, suite_path)
    except UserError:
        if not existed:
            raise UserError(
                f"{suite_path}: cell {cell.key} has no checkpoint in {root} and its trained "
                f"model is not in the cache {cache.root} (run the suite first)"
            ) from None
        raise
    except DamagedCheckpoint as exc:
        raise UserError(f"{exc}; regenerate it with `{regenerate_command(suite_path)}`") from None
