"""A trained cell on the user's own file: its class probabilities (``python -m bench predict``).

The cell's checkpoint under ``<reports_dir>/<suite>/checkpoints/`` is verified first; a missing or
damaged one is exported again from the cache when the cache still holds the cell (a note says so).
A cell that failed or was skipped in its latest run says so, with its recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.api.suites import PathLike, folders, open_store
from bench.core.errors import UserError
from bench.spec.loader import load_suite


@dataclass(frozen=True)
class Prediction:
    """A cell's class probabilities on one file, most probable first."""

    cell: str  # the full cell key
    protocol: str  # the backbone protocol of its checkpoint (``frozen``, ``finetune``)
    simulator: str | None  # what ran the circuit (``None`` for heads without one)
    file: Path
    ranked: list[tuple[str, float]]  # (class name, probability), the ``top`` most probable
    notes: list[str] = field(default_factory=list)  # e.g. a checkpoint re-exported, a backend swapped


def predict(
    suite: PathLike,
    file: PathLike,
    *,
    cell: str,
    backend: str | None = None,
    top: int = 10,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
) -> Prediction:
    """The ``top`` most probable classes of ``cell`` (a key as ``plan`` lists it; the ``#hash`` may
    be omitted) on ``file`` (a wav/flac/ogg/mp3 for audio suites, an image otherwise), the circuit
    on ``backend`` (default: the cell's own, else ``default.qubit`` when it does not run here).
    ``UserError`` for a bad ``top``, an unknown cell, a missing or unreadable file, a cell without a
    model (never ran, failed, skipped) or non-finite probabilities."""
    import numpy as np

    from bench.cell.checkpoint import cell_checkpoint_path, load_checkpoint, regenerate_command
    from bench.cell.predict import check_input_file, choose_simulator, find_cell, predict_file
    from bench.results.cache import Cache

    if top < 1:
        raise UserError(f"--top: must be >= 1 (got {top})")
    spec, options, file = load_suite(suite), folders(reports_dir, cache_dir), Path(file)
    found = find_cell(spec, cell)
    check_input_file(file)
    root = options.layout(spec).checkpoints
    path = cell_checkpoint_path(root, found.key)
    try:
        verified = verified_checkpoint(found, Cache(options.cache_dir), root, suite)
    except UserError:
        outcome = stored_outcome(suite, spec, found.key, reports_dir)
        if outcome:
            raise UserError(outcome) from None
        raise
    simulator, note = choose_simulator(verified.meta, backend)
    loaded = load_checkpoint(path, simulator) if simulator != verified.simulator else verified
    probs = predict_file(loaded, file)
    if not np.all(np.isfinite(probs)):
        raise UserError(
            f"{path}: the model gives non-finite probabilities for {file} "
            f"(no prediction printed; regenerate the checkpoint with `{regenerate_command(suite)}`)"
        )
    order = np.argsort(-probs, kind="stable")[:top]
    ranked = [(loaded.class_names[i], float(probs[i])) for i in order]
    notes = [n for n in [*verified.notes, note] if n]
    return Prediction(found.key, loaded.meta["protocol"], simulator, file, ranked, notes)


def stored_outcome(suite: PathLike, spec, key: str, reports_dir: PathLike | None) -> str | None:
    """Why cell ``key`` of ``spec`` (the suite file ``suite``) has no model, from its stored record:
    its own error when it failed, its reason when it was skipped; ``None`` when the store has no
    such record (or there is no store)."""
    if not folders(reports_dir, None).layout(spec).store.exists():
        return None
    with open_store(suite, reports_dir=reports_dir) as store:
        [record] = store.get([key]) or [None]
    if record is None or record.status == "ok":
        return None
    what = "failed" if record.status == "failed" else "was skipped"
    return (
        f"{suite}: cell {key} {what} in its latest run, so it has no model to predict with: "
        f"{record.error or 'no reason recorded'}"
    )


def verified_checkpoint(cell, cache, root: Path, suite_path: PathLike):
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
