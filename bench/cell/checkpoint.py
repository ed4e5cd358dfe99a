"""Per-cell checkpoints: everything needed to run a trained cell on new inputs.

Layout under ``reports/<suite>/checkpoints/`` (written by the run for every ok cell):

* ``cells/<cell file name>.pt`` - one per cell: the dataset and feature specs, class names,
  input geometry, compression, head (weights, qubits, layers, simulator), and for the
  finetune protocol the jointly trained backbone;
* ``backbones/<backbone key>.pt`` - frozen-protocol backbones, stored once and referenced by
  the cells that use them (copy the whole ``checkpoints/`` folder to move checkpoints).

Files hold only tensors, numbers, strings, lists and dicts, are written atomically (mode from the
user's umask; not fsynced: a kill cannot tear them, and what an OS crash or power loss may leave
fails the checksum below, see ``ensure_checkpoint``), and load with
``torch.load(weights_only=True)``. Each carries a ``checksum``: the sha256 of its whole content
(every tensor's dtype, shape and bytes, every other value), checked on every load, so a flipped bit,
a truncated or a swapped file raises ``DamagedCheckpoint`` instead of giving a prediction. They are
exported from the content-addressed cache (``heads/``, ``backbone/``, ``finetune/`` entries), so a
cell whose cache entries still exist can be exported again at any time: ``ensure_checkpoint`` does
this when a file is missing, damaged or predates checksums (format 1), and otherwise raises a
``UserError`` naming the file and the command that regenerates it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from bench.cell.embeddings import backbone_key
from bench.cell.finetune import finetune_key
from bench.cell.model import CellModel, FixedCompression, LearnedCompression
from bench.cell.selection import candidate_key, candidates, pick
from bench.cell.trained import TrainedHead
from bench.core.errors import UserError
from bench.core.files import atomic_write
from bench.core.hashing import canonical_json
from bench.plan.grid import Cell
from bench.results.cache import Cache, cache_key
from bench.results.record import Record

CHECKPOINT_FORMAT = 2
"""2: adds ``checksum``. Format-1 files (no checksum) still load, but are re-exported when the
cache allows it."""
UNCHECKED_FORMATS = (1,)


class DamagedCheckpoint(Exception):
    """A checkpoint file that is missing, unreadable, truncated or fails its checksum."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


def cell_file_name(key: str) -> str:
    """File name of a cell's checkpoint: the key with ``/`` -> ``__`` and ``#`` -> ``--``."""
    return key.replace("/", "__").replace("#", "--") + ".pt"


def cell_checkpoint_path(root: Path, key: str) -> Path:
    return Path(root) / "cells" / cell_file_name(key)


def _plain(obj: Any) -> Any:
    """JSON-able data as lists/dicts/str/numbers (what ``weights_only`` loading accepts)."""
    return json.loads(canonical_json(obj))


def _feed(h: Any, obj: Any) -> None:
    """Feed ``obj`` (nested dicts / lists of tensors and plain values) into hash ``h``, unambiguously."""
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, dict):
        h.update(f"D{len(obj)}".encode())
        for key in sorted(obj, key=str):
            h.update(json.dumps(str(key)).encode())
            _feed(h, obj[key])
    elif isinstance(obj, list | tuple):
        h.update(f"L{len(obj)}".encode())
        for item in obj:
            _feed(h, item)
    else:
        h.update(b"V" + json.dumps(obj, sort_keys=True).encode())


def content_checksum(obj: dict) -> str:
    """sha256 (hex) of a checkpoint's content, its ``checksum`` entry left out."""
    h = hashlib.sha256()
    _feed(h, {k: v for k, v in obj.items() if k != "checksum"})
    return h.hexdigest()


def _save(obj: dict, path: Path) -> Path:
    obj = {**obj, "checksum": content_checksum(obj)}
    return atomic_write(path, lambda fh: torch.save(obj, fh), durable=False)


def read_verified(path: Path) -> dict:
    """Load a checkpoint file (cell or backbone) and check its checksum; ``DamagedCheckpoint``
    when it is missing, unreadable, truncated, of an unknown format or fails the check."""
    path = Path(path)
    if not path.is_file():
        raise DamagedCheckpoint(path, "file is missing")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DamagedCheckpoint(
            path, f"unreadable: truncated or not a checkpoint ({type(exc).__name__})"
        ) from None
    if not isinstance(obj, dict):
        raise DamagedCheckpoint(path, f"not a checkpoint (holds a {type(obj).__name__})")
    fmt = obj.get("format")
    if fmt in UNCHECKED_FORMATS:
        return obj
    if fmt != CHECKPOINT_FORMAT:
        raise DamagedCheckpoint(path, f"unknown checkpoint format {fmt!r} (expected {CHECKPOINT_FORMAT})")
    try:
        actual = content_checksum(obj)
    except Exception as exc:
        raise DamagedCheckpoint(path, f"unreadable content ({type(exc).__name__})") from None
    if obj.get("checksum") != actual:
        raise DamagedCheckpoint(path, "checksum mismatch (the file is damaged)")
    return obj


def _missing(cell: Cell, what: str) -> FileNotFoundError:
    return FileNotFoundError(f"{what} of cell {cell.key} is not in the cache (run the cell first)")


def _tensor_state(state: dict) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in state.items()}


def chosen_head(cell: Cell, cache: Cache) -> tuple[dict[str, Any], dict | None]:
    """``(option, trained head entry)`` of the candidate the cell kept: with a ``select`` sweep, the
    best on validation by the cell's own rule (``bench.cell.selection.pick``); else ``({}, entry)``.
    The entry is ``None`` when a candidate is missing from the cache."""
    options = candidates(cell.head.select)
    entries = [cache.load("heads", cache_key(candidate_key(cell.train_key, o))) for o in options]
    if any(e is None for e in entries):
        return {}, None
    heads = [TrainedHead.from_payload(e) for e in entries]
    best = pick([(h.val_accuracy, h.val_loss) for h in heads])
    return options[best], entries[best]


def _frozen_parts(cell: Cell, cache: Cache, root: Path) -> dict:
    s = cell.suite
    option, head = chosen_head(cell, cache)
    bkey = backbone_key(cell.dataset, s.features, s.backbone, cell.seed, cache, fold=cell.fold)
    backbone_file = Path("backbones") / f"{bkey}.pt"
    if head is None:
        raise _missing(cell, "the trained head")
    shared = _shared_backbone(root / backbone_file)
    if shared is None:
        bb = cache.load("backbone", bkey)
        if bb is None:
            raise _missing(cell, "the trained backbone")
        content = {
            "format": CHECKPOINT_FORMAT,
            "name": s.backbone.name,
            "params": _plain(s.backbone.params),
            "input_shape": list(bb["input"]["feature_shape"]),
            "n_classes": len(bb["class_names"]),
            "state": _tensor_state(bb["state"]),
            "input": _plain(bb["input"]),
            "class_names": list(bb["class_names"]),
        }
        _save(content, root / backbone_file)
        shared = _remember_backbone(root / backbone_file, content)
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


_verified_backbones: dict[Path, tuple[tuple[int, int, int], dict]] = {}
"""Shared backbone files this process verified: path -> (inode, size, mtime) and what cells need."""


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _remember_backbone(path: Path, content: dict) -> dict:
    summary = {"input": content["input"], "class_names": content["class_names"]}
    signature = _signature(path)
    if signature is not None:
        _verified_backbones[path] = (signature, summary)
    return summary


def _shared_backbone(path: Path) -> dict | None:
    """``input`` and ``class_names`` of a current-format shared backbone file, read and checked once
    per process while the file is unchanged (same inode, size, modification time); ``None`` when it
    is missing, damaged or of an older format (then it is exported again)."""
    signature = _signature(path)
    kept = _verified_backbones.get(path)
    if signature is not None and kept is not None and kept[0] == signature:
        return kept[1]
    try:
        content = read_verified(path)
    except DamagedCheckpoint:
        return None
    return _remember_backbone(path, content) if content.get("format") == CHECKPOINT_FORMAT else None


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
    notes: list[str] = field(default_factory=list)

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
    """The raw contents of a cell checkpoint (metadata and state dicts), checksum-checked
    (``DamagedCheckpoint`` otherwise)."""
    return read_verified(Path(path))


def _backbone_path(path: Path, meta: dict) -> Path | None:
    spec = meta["backbone"]
    return Path(path).parent.parent / spec["file"] if "file" in spec else None


def verify_checkpoint(path: Path) -> list[str]:
    """Check a cell checkpoint and the backbone file it references; return notes (a format-1
    file cannot be verified) or raise ``DamagedCheckpoint`` naming the damaged file."""
    meta = read_verified(path)
    files = [(path, meta)]
    backbone = _backbone_path(path, meta)
    if backbone is not None:
        files.append((backbone, read_verified(backbone)))
    return [
        f"{p}: written before checkpoints carried checksums (not verified)"
        for p, m in files
        if m.get("format") in UNCHECKED_FORMATS
    ]


def load_checkpoint(path: Path, simulator: str | None = None) -> LoadedCell:
    """Load a cell checkpoint, checksums checked (``DamagedCheckpoint`` otherwise). Circuits run
    on ``simulator``, default: the cell's own backend (``default.qubit`` for heads without a
    circuit, where it is unused)."""
    path = Path(path)
    meta = read_verified(path)
    backbone = _backbone_path(path, meta)
    backbone_spec = read_verified(backbone) if backbone is not None else meta["backbone"]
    simulator = simulator or meta["head"]["backend"] or "default.qubit"
    n_classes = len(meta["class_names"])
    try:
        model = CellModel(
            _build_backbone(backbone_spec),
            _build_compression(meta["compression"]),
            _build_head(meta["head"], n_classes, simulator),
        )
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise DamagedCheckpoint(path, f"does not fit its model ({type(exc).__name__})") from None
    return LoadedCell(meta=meta, model=model.eval(), simulator=simulator)


def regenerate_command(suite_path: Path | str | None) -> str:
    """The command that re-creates a suite's checkpoints when the cache no longer can."""
    return f"python -m bench run {suite_path or 'SUITE'} --force"


def ensure_checkpoint(
    cell: Cell, cache: Cache, root: Path, suite_path: Path | str | None = None
) -> LoadedCell:
    """The cell's checkpoint, loaded and verified. A missing, damaged or unverifiable (format 1)
    file is exported again from ``cache`` when its entries are there; otherwise a ``UserError``
    names the file and the command that regenerates it (a format-1 file then loads with a note)."""
    path = cell_checkpoint_path(Path(root), cell.key)
    try:
        notes = verify_checkpoint(path)
        problem = None if not notes else DamagedCheckpoint(path, "predates checksums")
    except DamagedCheckpoint as exc:
        problem, notes = exc, []
    if problem is None:
        return load_checkpoint(path)
    try:
        export_checkpoint(cell, cache, Path(root))
    except FileNotFoundError:
        if notes:
            loaded = load_checkpoint(path)
            loaded.notes.extend(notes)
            return loaded
        raise UserError(
            f"{problem.path}: {problem.reason}, and cell {cell.key.split('#')[0]} is no longer in the "
            f"cache {cache.root} to rebuild it from; regenerate it with `{regenerate_command(suite_path)}`"
        ) from None
    loaded = load_checkpoint(path)
    if problem.reason != "file is missing":
        loaded.notes.append(f"{problem}; rebuilt from the cache")
    return loaded
