"""The ``finetune`` protocol: backbone, compression and head trained jointly, end to end.

For each trained head (cells that differ only in evaluation backend share it, as in the frozen
protocol) the backbone is built fresh with the same init as the frozen protocol's
(``derive_seed(seed, "backbone-init")``, plus its ``weights`` checkpoint if any), a PCA is fitted
on its training-split embeddings to initialise a ``LearnedCompression``, and the whole
``CellModel`` is trained on the features: backbone and compression with ``backbone.training``'s
optimizer, lr and weight decay; the head with Adam at ``training.lr``; epochs, batch size,
patience and the head's phases (the gated hybrid's warm-up) from ``training``. Selection is on
validation accuracy (ties: lower validation loss); the test split is scored once, after.

Every head of a dataset x seed starts from the same backbone init and sees the same batch
order and dropout stream, so the classical head stays the matched control. Embeddings are not
cached (they change while training); the trained weights and the resulting angles of every
split are, under ``finetune/<train key>``, which is also what checkpoints export.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from bench.backbones.train import make_optimizer
from bench.cell.compress import fit_compressor
from bench.cell.device import Compute, record_compute, resolve
from bench.cell.embeddings import features_for
from bench.cell.evaluate import evaluate_on_backend
from bench.cell.head_model import build_head_model, head_logits
from bench.cell.loop import EpochCallback, EpochResult, LoopSettings, Validation, fit
from bench.cell.model import CPU, CellModel, LearnedCompression, batched
from bench.cell.trained import FinetunedHead, record_training
from bench.cell.training import TrainOutcome, head_phases
from bench.core.registry import BACKBONES
from bench.core.seeding import derive_seed, seed_everything
from bench.data.base import SPLITS
from bench.plan.grid import Cell
from bench.results.cache import Cache, cache_key
from bench.results.record import Record
from bench.spec.suite import BackboneTraining, TrainingSpec


def _score(model: CellModel, x: np.ndarray, y: np.ndarray, batch: int, compute: Compute) -> Validation:
    model.eval()
    logits = torch.from_numpy(batched(model, x, batch, compute))
    target = torch.from_numpy(y).long()
    return Validation(
        float((logits.argmax(1) == target).float().mean()), float(F.cross_entropy(logits, target))
    )


def train_jointly(
    model: CellModel,
    x: dict[str, np.ndarray],
    y: dict[str, np.ndarray],
    training: TrainingSpec,
    backbone_training: BackboneTraining,
    seed: int,
    on_epoch: EpochCallback | None = None,
    compute: Compute = CPU,
) -> TrainOutcome:
    """Train ``model`` in place through the head's phases; load and return the best validation state.

    ``model`` must be on ``compute``'s device; batches move there and run under its autocast (the
    backbone's float32 layers; the float64 compression and head are left alone by autocast)."""
    shuffle = torch.Generator().manual_seed(seed)
    seed_everything(derive_seed(seed, "dropout"))
    body = [*model.backbone.parameters(), *model.compression.parameters()]
    optimizers = [
        make_optimizer(body, backbone_training),
        torch.optim.Adam(model.head.parameters(), lr=training.lr, weight_decay=training.weight_decay),
    ]
    xt, yt = torch.from_numpy(x["train"]), torch.from_numpy(y["train"]).long()

    def loss(idx: torch.Tensor) -> torch.Tensor:
        with compute.autocast():
            return F.cross_entropy(model(compute.to(xt[idx])), compute.to(yt[idx]))

    def row(e: EpochResult) -> dict:
        return {
            "epoch": e.epoch,
            "phase": e.phase,
            "val_accuracy": e.validation.accuracy,
            "val_loss": e.validation.loss,
            "train_loss": float(np.mean(e.losses)) if e.losses else float("nan"),
            **model.head.epoch_log(),
        }

    outcome = fit(
        model,
        head_phases(model.head, training.epochs),
        optimizers,
        loss,
        len(xt),
        lambda: _score(model, x["val"], y["val"], training.batch_size, compute),
        LoopSettings(training.batch_size, training.patience, training.epochs, min_batch=2),  # BatchNorm
        shuffle,
        row,
        on_epoch,
        compute.scaler(),
    )
    model.eval()
    return TrainOutcome.of(outcome)


def build_finetune_model(cell: Cell, feats: dict, x_train: np.ndarray, n_classes: int) -> CellModel:
    """The untrained ``CellModel`` of a finetune cell: seeded backbone (+ its weights), compression
    initialised from a PCA fit on its training embeddings, the cell's head."""
    spec = cell.suite.backbone
    seed_everything(derive_seed(cell.seed, "backbone-init"))
    plugin = BACKBONES.get(spec.name).from_dict(spec.params)
    net = plugin.build(feats["x"].shape[1:], n_classes)
    plugin.load_pretrained(net)
    net.eval()
    compressor = fit_compressor(batched(net.embed, x_train), cell.n_qubits, cell.suite.compression)
    return CellModel(net, LearnedCompression.from_compressor(compressor), build_head_model(cell, n_classes))


def _train(cell: Cell, feats: dict, x: dict, y: dict, on_epoch: EpochCallback | None) -> dict:
    """The cache payload of the ``FinetunedHead`` (see ``_trained``)."""
    return _trained(cell, feats, x, y, on_epoch).payload()


def _trained(cell: Cell, feats: dict, x: dict, y: dict, on_epoch: EpochCallback | None) -> FinetunedHead:
    start = time.perf_counter()
    n_classes = len(feats["class_names"])
    model = build_finetune_model(cell, feats, x["train"], n_classes)
    s = cell.suite
    compute = Compute(resolve(s.backbone.training.device), s.backbone.training.precision)
    with compute.active():
        model.to(compute.device)
        outcome = train_jointly(
            model,
            x,
            y,
            cell.training,
            s.backbone.training,
            derive_seed(cell.seed, "finetune"),
            on_epoch,
            compute,
        )
        seconds = time.perf_counter() - start
        angles = {
            split: batched(model.angles, x[split], cell.training.batch_size, compute) for split in SPLITS
        }
    model.to("cpu")
    executions = model.head.quantum.circuit_executions if model.head.quantum is not None else 0
    acc = {
        split: float((head_logits(model.head, torch.from_numpy(angles[split])).argmax(1) == y[split]).mean())
        for split in ("train", "val")
    }
    return FinetunedHead(
        state=model.head.state_dict(),
        backbone_state=model.backbone.state_dict(),
        compression_state=model.compression.state_dict(),
        angles=angles,
        test_logits=head_logits(model.head, torch.from_numpy(angles["test"])),
        best_epoch=outcome.best_epoch,
        epochs_run=outcome.epochs_run,
        history=outcome.history,
        seconds=seconds,
        executions=executions,
        train_accuracy=acc["train"],
        val_accuracy=acc["val"],
        input=feats["input"],
        class_names=feats["class_names"],
        compute=compute.info(),
    )


def finetune_key(cell: Cell) -> str:
    """Cache key (kind ``finetune``) of the jointly trained model a cell evaluates."""
    return cache_key({"stage": "finetune", **cell.train_key})


def run_finetune(
    cell: Cell, cache: Cache, record: Record, on_epoch: EpochCallback | None, jobs_path=None
) -> Record:
    """Fill ``record`` for a finetune cell (the frozen protocol's record, minus backbone-only fields)."""
    feats, record.cache_hits["features"] = features_for(
        cell.dataset, cell.suite.features, cache, fold=cell.fold
    )
    record.timings["features_s"] = feats["seconds"]
    parts = {split: feats["split"] == split for split in SPLITS}
    x = {split: feats["x"][m] for split, m in parts.items()}
    y = {split: feats["labels"][m] for split, m in parts.items()}
    record.class_names, record.labels = list(feats["class_names"]), y["test"].astype(int).tolist()
    n_classes = len(feats["class_names"])
    payload, record.cache_hits["head"] = cache.get_or_compute(
        "finetune", finetune_key(cell), lambda: _train(cell, feats, x, y, on_epoch)
    )
    trained = FinetunedHead.from_payload(payload)
    head = build_head_model(cell, n_classes)
    head.load_state_dict(trained.state)
    angles = {split: torch.from_numpy(trained.angles[split]) for split in SPLITS}
    labels = {split: torch.from_numpy(y[split]).long() for split in SPLITS}
    record.timings["head_training_s"] = trained.seconds
    record.compute = record_compute(trained.compute, trained.compute)
    record_training(record, trained, head, skipped_items=len(feats["skipped"]))
    evaluate_on_backend(cell, head, angles, labels, trained, record, n_classes)
    record.metrics["overfit_gap"] = record.metrics["train_accuracy"] - record.metrics["test_accuracy"]
    return record
