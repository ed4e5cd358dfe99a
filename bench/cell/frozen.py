"""The ``frozen`` protocol of one cell.

Stages: embeddings (cached) -> compression fitted on train -> head trained on the cell's
training simulator (cached by the training spec, so cells that differ only in backend share
one trained head; with a ``select`` sweep, one per candidate, the best on validation kept, see
``bench.cell.selection``) -> evaluation on the cell's own backend, whose outputs must match the
trainer's within ``training.agreement_tol`` -> circuit timing -> record. Evaluate-only backends
(shots, noise, fake devices, IBM) replace the last stages by ``bench.cell.evaluate_only``. Training
only ever sees the train and val splits; the test split is scored after selection. Any
exception becomes a ``failed`` record carrying the error; it never propagates.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from bench.cell.compress import fit_compressor
from bench.cell.device import Compute, record_compute, resolve
from bench.cell.embeddings import EmbeddingSet, embeddings_for
from bench.cell.evaluate import evaluate_on_backend
from bench.cell.evaluate_only import evaluate_only
from bench.cell.head_model import build_head_model, head_logits
from bench.cell.loop import EpochCallback
from bench.cell.selection import candidate_key, candidates, describe, pick
from bench.cell.trained import TrainedHead, record_training
from bench.cell.training import train_head
from bench.core.seeding import derive_seed
from bench.data.base import SPLITS
from bench.heads.models.base import HeadModel
from bench.plan.grid import Cell
from bench.quantum.resolve import is_evaluate_only
from bench.results.cache import Cache, cache_key
from bench.results.record import Record


def _inputs(cell: Cell, emb: EmbeddingSet) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], Any]:
    compressor = fit_compressor(emb.x["train"], cell.n_qubits, cell.suite.compression)
    x = {s: torch.from_numpy(compressor.transform(emb.x[s])) for s in SPLITS}
    y = {s: torch.tensor(emb.y[s], dtype=torch.long) for s in SPLITS}  # a copy: emb is shared
    return x, y, compressor


def _train(cell: Cell, model: HeadModel, x, y, compressor, on_epoch: EpochCallback | None) -> dict:
    """The cache payload of ``TrainedHead`` (see ``_trained``)."""
    return _trained(cell, model, x, y, compressor, on_epoch).payload()


def _trained(cell: Cell, model: HeadModel, x, y, compressor, on_epoch: EpochCallback | None) -> TrainedHead:
    """Train on ``x["train"]``, select epochs on ``x["val"]`` (``x`` holds no test split), on the
    cell's ``training.device``; the model is back on the CPU afterwards."""
    start = time.perf_counter()
    compute = Compute(resolve(cell.training.device))
    on = {s: (compute.to(x[s]), compute.to(y[s])) for s in ("train", "val")}
    with compute.active():
        outcome = train_head(
            model.to(compute.device),
            *on["train"],
            *on["val"],
            cell.training,
            derive_seed(cell.seed, "head-shuffle", cell.stream_label, cell.n_qubits, cell.n_layers),
            on_epoch,
        )
    model.to("cpu")
    seconds = time.perf_counter() - start
    executions = model.quantum.circuit_executions if model.quantum is not None else 0
    logits = {s: head_logits(model, x[s]) for s in ("train", "val")}
    acc = {s: float((logits[s].argmax(1) == y[s].numpy()).mean()) for s in ("train", "val")}
    val_loss = float(torch.nn.functional.cross_entropy(torch.from_numpy(logits["val"]), y["val"]))
    return TrainedHead(
        state=outcome.state,
        best_epoch=outcome.best_epoch,
        epochs_run=outcome.epochs_run,
        history=outcome.history,
        seconds=seconds,
        executions=executions,
        train_accuracy=acc["train"],
        val_accuracy=acc["val"],
        val_loss=val_loss,
        compressor=compressor,
        compute=compute.info(),
    )


def _fit(cell: Cell, cache: Cache, x, y, compressor, n_classes: int, on_epoch) -> tuple:
    """Train every ``select`` candidate on train/val only and keep the best on validation.

    Returns ``(model, trained, selection, all_cached, seconds)``: ``model`` holds the kept state,
    ``seconds`` is the training time of all candidates together (the cost of the choice)."""
    seen = ("train", "val")
    x_seen, y_seen = {s: x[s] for s in seen}, {s: y[s] for s in seen}
    options = candidates(cell.head.select)
    fitted = []
    for option in options:
        model = build_head_model(cell, n_classes, option)
        key = candidate_key(cell.train_key, option)
        payload, hit = cache.get_or_compute(
            "heads", cache_key(key), lambda m=model: _train(cell, m, x_seen, y_seen, compressor, on_epoch)
        )
        fitted.append((model, TrainedHead.from_payload(payload), hit))
    chosen = pick([(t.val_accuracy, t.val_loss) for _, t, _ in fitted])
    model, trained, _ = fitted[chosen]
    model.load_state_dict(trained.state)
    selection = describe(options, [t for _, t, _ in fitted], chosen)
    seconds = sum(t.seconds for _, t, _ in fitted)
    return model, trained, selection, all(hit for _, _, hit in fitted), seconds


def run_frozen(cell: Cell, cache: Cache, record: Record, on_epoch: EpochCallback | None, jobs_path) -> Record:
    """The ``frozen`` protocol: cached embeddings, compression fitted on train, head trained on
    train/val, test scored once on the cell's backend (or by ``evaluate_only``). Fills ``record``."""
    s = cell.suite
    emb = embeddings_for(cell.dataset, s.features, s.backbone, cell.seed, cache, fold=cell.fold)
    record.timings.update(emb.timings)
    record.cache_hits.update(emb.cache_hits)
    record.class_names = list(emb.class_names)
    record.labels = emb.y["test"].astype(int).tolist()
    n_classes = len(emb.class_names)
    x, y, compressor = _inputs(cell, emb)
    model, trained, record.selection, record.cache_hits["head"], record.timings["head_training_s"] = _fit(
        cell, cache, x, y, compressor, n_classes, on_epoch
    )
    if model.param_target:
        record.metrics["param_target"] = model.param_target
        record.metrics["param_ratio"] = model.trainable_count() / model.param_target
    record.compute = record_compute(trained.compute, emb.compute)
    record_training(
        record,
        trained,
        model,
        backbone_val_accuracy=emb.backbone_metrics["val_accuracy"],
        backbone_test_accuracy=emb.backbone_metrics["test_accuracy"],
        skipped_items=len(emb.skipped),
    )
    if is_evaluate_only(cell.suite, cell.backend):
        evaluate_only(cell, model, x, y, trained, record, n_classes, jobs_path)
    else:
        evaluate_on_backend(cell, model, x, y, trained, record, n_classes)
    record.metrics["overfit_gap"] = record.metrics["train_accuracy"] - record.metrics["test_accuracy"]
    return record
