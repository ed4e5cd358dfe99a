"""Per-cell checkpoints: everything needed to run a trained cell on new inputs.

Layout under ``reports/<suite>/checkpoints/`` (written by the run for every ok cell):

* ``cells/<cell file name>.pt`` - one per cell: the dataset and feature specs, class names,
  input geometry, compression, head (weights, qubits, layers, simulator), and for the
  finetune protocol the jointly trained backbone;
* ``backbones/<backbone key>.pt`` - frozen-protocol backbones, stored once and referenced by
  the cells that use them (copy the whole ``checkpoints/`` folder to move checkpoints).

Files hold only tensors, numbers, strings, lists and dicts, are written atomically, and load
with ``torch.load(weights_only=True)``. They are exported from the content-addressed cache
(``heads/``, ``backbone/``, ``finetune/`` entries), so a cell whose cache entries still exist
can be exported again at any time (``python -m bench predict`` does this when a file is missing).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from bench.cell.embeddings import backbone_key
from bench.cell.finetune import finetune_key
from bench.cell.model import CellModel, FixedCompression, LearnedCompression
from bench.cell.selection import candidate_key, candidates, pick
from bench.core.hashing import canonical_json
from bench.plan.grid import Cell
from bench.results.cache import Cache, cache_key
from bench.results.record import Record

CHECKPOINT_FORMAT = 1


def cell_file_name(key: str) -> str:
    """File name of a cell's checkpoint: the key with ``/`` -> ``__`` and ``#`` -> ``--``."""
    return key.replace("/", "__").replace("#", "--") + ".pt"


def cell_checkpoint_path(root: Path, key: str) -> Path:
    return Path(root) / "cells" / cell_file_name(key)


def _plain(obj: Any) -> Any:
    """JSON-able data as lists/dicts/str/numbers (what ``weights_only`` loading accepts)."""
    return json.loads(canonical_json(obj))


def _save(obj: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _missing(cell: Cell, what: str) -> FileNotFoundError:
    return FileNotFoundError(f"{what} of cell {cell.key} is not in the cache (run the cell first)")


def _tensor_state(state: dict) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in state.items()}


def chosen_head(cell: Cell, cache: Cache) -> tuple[dict[str, Any], dict | None]:
    """``(option, trained head entry)`` of the candidate the cell kept: with a ``select`` sweep, the
    best on validation by the cell's own rule (``bench.cell.selection.pick``); else ``({}, entry)``.
    The entry is ``None`` when a candidate is missing from the cache."""
    options = candidates(getattr(cell.head, "select", {}))
    entries = [cache.load("heads", cache_key(candidate_key(cell.train_key, o))) for o in options]
    if any(e is None for e in entries):
        return {}, None
    best = pick([(e["val_accuracy"], e.get("val_loss", float("nan"))) for e in entries])
    return options[best], entries[best]


def _frozen_parts(cell: Cell, cache: Cache, root: Path) -> dict:
    s = cell.suite
    option, head = chosen_head(cell, cache)
    bkey = backbone_key(cell.dataset, s.features, s.backbone, cell.seed)
    backbone_file = Path("backbones") / f"{bkey}.pt"
    if head is None:
        raise _missing(cell, "the trained head")
    if not (root / backbone_file).exists():
        bb = cache.load("backbone", bkey)
        if bb is None:
            raise _missing(cell, "the trained backbone")
        _save(
            {
                "format": CHECKPOINT_FORMAT,
                "name": s.backbone.name,
                "params": _plain(s.backbone.params),
                "input_shape": list(bb["input"]["feature_shape"]),
                "n_classes": len(bb["class_names"]),
                "state": _tensor_state(bb["state"]),
                "input": _plain(bb["input"]),
                "class_names": list(bb["class_names"]),
            },
            root / backbone_file,
        )
    shared = torch.load(root / backbone_file, map_location="cpu", weights_only=True, mmap=True)
    c = head["compressor"]
    compression = {
        "kind": "fixed",
        "angle_range": list(c.angle_range),
        **{k: torch.as_tensor(getattr(c, k)) for k in ("mean", "scale", "components", "low", "high")},
    }
    return {
        "backbone": {"file": backbone_file.as_posix()},
        "compression": compression,
        "head_state": head["state"],
        "head_option": option,
        "input": shared["input"],
        "class_names": shared["class_names"],
    }


def _finetune_parts(cell: Cell, cache: Cache) -> dict:
    entry = cache.load("finetune", finetune_key(cell))
    if entry is None:
        raise _missing(cell, "the finetuned model")
    b = cell.suite.backbone
    weight = entry["compression_state"]["linear.weight"]
    backbone = {
        "name": b.name,
        "params": _plain(b.params),
        "input_shape": list(entry["input"]["feature_shape"]),
        "n_classes": len(entry["class_names"]),
        "state": _tensor_state(entry["backbone_state"]),
    }
    compression = {
        "kind": "learned",
        "dim": int(weight.shape[1]),
        "n_outputs": int(weight.shape[0]),
        "angle_range": list(cell.suite.compression.angle_range),
        "state": _tensor_state(entry["compression_state"]),
    }
    return {
        "backbone": backbone,
        "compression": compression,
        "head_state": entry["state"],
        "input": _plain(entry["input"]),
        "class_names": list(entry["class_names"]),
    }


def export_checkpoint(cell: Cell, cache: Cache, root: Path) -> Path:
    """Write ``cells/<name>.pt`` (and the shared backbone file if needed) under ``root``.

    Raises ``FileNotFoundError`` when the cell's trained artefacts are not in ``cache``."""
    root = Path(root)
    s = cell.suite
    parts = (
        _finetune_parts(cell, cache)
        if s.backbone.protocol == "finetune"
        else _frozen_parts(cell, cache, root)
    )
    payload = {
        "format": CHECKPOINT_FORMAT,
        "key": cell.key,
        "protocol": s.backbone.protocol,
        "dataset": _plain(cell.dataset.model_dump()),
        "features": _plain(s.features.model_dump()),
        "class_names": parts["class_names"],
        "input": parts["input"],
        "backbone": parts["backbone"],
        "compression": parts["compression"],
        "head": {
            "name": cell.head.name,
            "label": cell.head.label,
            "params": _plain({**cell.head.params, **parts.get("head_option", {})}),
            "n_qubits": cell.n_qubits,
            "n_layers": cell.n_layers,
            "backend": cell.backend,
            "trained_on": cell.trained_on,
            "state": _tensor_state(parts["head_state"]),
        },
    }
    return _save(payload, cell_checkpoint_path(root, cell.key))


def export_for_record(cell: Cell, cache: Cache, root: Path, record: Record) -> None:
    """Export the checkpoint of an ok ``record``; a failure to do so fails the record (with why)."""
    if record.status != "ok":
        return
    try:
        export_checkpoint(cell, cache, root)
    except Exception as exc:
        record.status = "failed"
        record.error = f"checkpoint export failed: {type(exc).__name__}: {str(exc).strip()[:200]}"


@dataclass
class LoadedCell:
    """A checkpoint brought back to life: its metadata and the runnable ``CellModel``."""

    meta: dict
    model: CellModel
    simulator: str | None

    @property
    def class_names(self) -> list[str]:
        return list(self.meta["class_names"])


def _build_backbone(spec: dict):
    from bench.core.registry import BACKBONES

    plugin = BACKBONES.get(spec["name"]).from_dict(spec["params"])
    net = plugin.build(tuple(spec["input_shape"]), spec["n_classes"])
    net.load_state_dict(spec["state"])
    return net.eval()


def _build_compression(spec: dict):
    if spec["kind"] == "fixed":
        return FixedCompression(
            *(spec[k] for k in ("mean", "scale", "components", "low", "high")), tuple(spec["angle_range"])
        )
    layer = LearnedCompression(spec["dim"], spec["n_outputs"], tuple(spec["angle_range"]))
    layer.load_state_dict(spec["state"])
    return layer


def _build_head(spec: dict, n_classes: int, simulator: str | None):
    from bench.core.registry import HEADS, SIMULATORS

    plugin = HEADS.get(spec["name"]).from_dict(spec["params"])
    sim = SIMULATORS.get(simulator) if plugin.uses_circuit else None
    head = plugin.build(spec["n_qubits"], n_classes, spec["n_layers"], sim, torch.Generator().manual_seed(0))
    head.load_state_dict(spec["state"])
    return head.eval()


def read_checkpoint(path: Path) -> dict:
    """The raw contents of a cell checkpoint (metadata and state dicts), format-checked."""
    meta = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{path}: unknown checkpoint format {meta.get('format')!r} (expected {CHECKPOINT_FORMAT})"
        )
    return meta


def load_checkpoint(path: Path, simulator: str | None = None) -> LoadedCell:
    """Load a cell checkpoint. Circuits run on ``simulator``, default: the cell's own backend
    (``default.qubit`` for heads without a circuit, where it is unused)."""
    path = Path(path)
    meta = read_checkpoint(path)
    backbone_spec = meta["backbone"]
    if "file" in backbone_spec:
        backbone_spec = torch.load(
            path.parent.parent / backbone_spec["file"], map_location="cpu", weights_only=True, mmap=True
        )
    simulator = simulator or meta["head"]["backend"] or "default.qubit"
    n_classes = len(meta["class_names"])
    model = CellModel(
        _build_backbone(backbone_spec),
        _build_compression(meta["compression"]),
        _build_head(meta["head"], n_classes, simulator),
    )
    return LoadedCell(meta=meta, model=model.eval(), simulator=simulator)
