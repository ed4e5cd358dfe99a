"""Run one cell: a pure function from the cell spec to a ``Record``.

Stages: embeddings (cached) -> compression fitted on train -> head trained on the cell's
training simulator (cached by the training spec, so cells that differ only in backend share
one trained head; with a ``select`` sweep, one per candidate, the best on validation kept, see
``bench.selection``) -> evaluation on the cell's own backend, whose outputs must match the
trainer's within ``training.agreement_tol`` -> circuit timing -> record. Evaluate-only backends
(shots, noise, fake devices, IBM) replace the last stages by ``bench.evaluate_only``. Training
only ever sees the train and val splits; the test split is scored after selection. Any
exception becomes a ``failed`` record carrying the error; it never propagates.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

import numpy as np
import torch

from bench.cache import Cache, cache_key
from bench.compress import fit_compressor
from bench.data.base import SPLITS
from bench.embeddings import EmbeddingSet, embeddings_for
from bench.grid import Cell
from bench.heads.base import HeadModel
from bench.metrics import classification_metrics
from bench.quantum.resolve import backend_for, is_evaluate_only
from bench.quantum.timing import time_circuit
from bench.record import Record
from bench.registry import HEADS, SIMULATORS
from bench.seeding import derive_seed
from bench.selection import candidates, describe, pick
from bench.training import EpochCallback, train_head


class BackendDisagreement(RuntimeError):
    """An exact backend's outputs differ from the training simulator's beyond tolerance."""


def _blank_record(cell: Cell) -> Record:
    return Record(
        key=cell.key, status="ok", dataset=cell.dataset.label, head=cell.head.label, n_qubits=cell.n_qubits,
        n_layers=cell.n_layers, backend=cell.backend, seed=cell.seed, spec=cell.spec, trained_on=cell.trained_on,
        protocol=cell.suite.backbone.protocol,
        control=cell.control, treatment=cell.treatment,
    )


def _inputs(cell: Cell, emb: EmbeddingSet) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], Any]:
    compressor = fit_compressor(emb.x["train"], cell.n_qubits, cell.suite.compression)
    x = {s: torch.from_numpy(compressor.transform(emb.x[s])) for s in SPLITS}
    y = {s: torch.from_numpy(emb.y[s]).long() for s in SPLITS}
    return x, y, compressor


def _build_model(cell: Cell, n_classes: int, option: dict | None = None) -> HeadModel:
    plugin = HEADS.get(cell.head.name).from_dict({**cell.head.params, **(option or {})})
    simulator = SIMULATORS.get(cell.trained_on) if cell.trained_on else None
    gen = torch.Generator().manual_seed(
        derive_seed(cell.seed, "head-init", cell.stream_label, cell.n_qubits, cell.n_layers)
    )
    return plugin.build(cell.n_qubits, n_classes, cell.n_layers, simulator, gen)


def _logits(model: HeadModel, x: torch.Tensor) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        return model(x).numpy()


def _train(cell: Cell, model: HeadModel, x, y, compressor, on_epoch: EpochCallback | None) -> dict:
    """Train on ``x["train"]``, select epochs on ``x["val"]`` (``x`` holds no test split)."""
    start = time.perf_counter()
    outcome = train_head(
        model, x["train"], y["train"], x["val"], y["val"], cell.suite.training,
        derive_seed(cell.seed, "head-shuffle", cell.stream_label, cell.n_qubits, cell.n_layers), on_epoch,
    )
    seconds = time.perf_counter() - start
    executions = model.quantum.circuit_executions if model.quantum is not None else 0
    logits = {s: _logits(model, x[s]) for s in ("train", "val")}
    acc = {s: float((logits[s].argmax(1) == y[s].numpy()).mean()) for s in ("train", "val")}
    val_loss = float(torch.nn.functional.cross_entropy(torch.from_numpy(logits["val"]), y["val"]))
    return {
        "state": outcome.state, "best_epoch": outcome.best_epoch, "epochs_run": outcome.epochs_run,
        "history": outcome.history, "seconds": seconds, "executions": executions,
        "train_accuracy": acc["train"], "val_accuracy": acc["val"], "val_loss": val_loss,
        "compressor": compressor,
    }


def _fit(cell: Cell, cache: Cache, x, y, compressor, n_classes: int, on_epoch) -> tuple:
    """Train every ``select`` candidate on train/val only and keep the best on validation.

    Returns ``(model, trained, selection, all_cached, seconds)``: ``model`` holds the kept state,
    ``seconds`` is the training time of all candidates together (the cost of the choice)."""
    seen = ("train", "val")
    x_seen, y_seen = {s: x[s] for s in seen}, {s: y[s] for s in seen}
    options = candidates(getattr(cell.head, "select", {}))
    fitted = []
    for option in options:
        model = _build_model(cell, n_classes, option)
        key = {**cell.train_key, "candidate": option} if option else cell.train_key
        trained, hit = cache.get_or_compute(
            "heads", cache_key(key), lambda m=model: _train(cell, m, x_seen, y_seen, compressor, on_epoch)
        )
        fitted.append((model, trained, hit))
    chosen = pick([(t["val_accuracy"], t.get("val_loss", float("nan"))) for _, t, _ in fitted])
    model, trained, _ = fitted[chosen]
    model.load_state_dict(trained["state"])
    selection = describe(options, [t for _, t, _ in fitted], chosen)
    seconds = sum(t["seconds"] for _, t, _ in fitted)
    return model, trained, selection, all(hit for _, _, hit in fitted), seconds


def _evaluate(cell: Cell, model: HeadModel, x, y, trained: dict, record: Record, n_classes: int) -> None:
    """Score the test split on the cell's backend (once, after selection); check agreement with the
    trainer; time circuits."""
    reference = _logits(model, x["test"]) if cell.backend not in (None, cell.trained_on) else None
    if cell.backend is not None:
        model.use_simulator(backend_for(cell.suite, cell.backend))
        model.quantum.circuit_executions = 0
    start = time.perf_counter()
    logits = _logits(model, x["test"])
    record.timings["evaluation_s"] = time.perf_counter() - start
    diff = float(np.abs(logits - reference).max()) if reference is not None and len(logits) else 0.0
    tol = cell.suite.training.agreement_tol
    if diff > tol:
        raise BackendDisagreement(
            f"{cell.backend} outputs differ from {cell.trained_on} by {diff:.3g} (> agreement_tol {tol:g})"
        )
    scores = classification_metrics(logits, y["test"].numpy(), n_classes)
    record.metrics.update(
        test_accuracy=scores["accuracy"], test_macro_f1=scores["macro_f1"],
        test_cross_entropy=scores["cross_entropy"], agreement_max_abs_diff=diff,
    )
    record.predictions, record.confusion = scores["predictions"], scores["confusion"]
    if model.quantum is not None and cell.backend is not None:
        eval_executions = model.quantum.circuit_executions
        record.metrics["circuit_executions_eval"] = eval_executions
        record.circuit_executions = trained["executions"] + eval_executions
        batch = x["train"][: cell.suite.training.batch_size]
        record.timings.update(time_circuit(model.quantum, batch, cell.suite.training.timing_repeats))


def _run(cell: Cell, cache: Cache, record: Record, on_epoch: EpochCallback | None, jobs_path) -> Record:
    s = cell.suite
    if s.backbone.protocol == "finetune":
        from bench.finetune import run_finetune

        return run_finetune(cell, cache, record, on_epoch)
    emb = embeddings_for(cell.dataset, s.features, s.backbone, cell.seed, cache)
    record.timings.update(emb.timings)
    record.cache_hits.update(emb.cache_hits)
    record.class_names = list(emb.class_names)
    record.labels = emb.y["test"].astype(int).tolist()
    n_classes = len(emb.class_names)
    x, y, compressor = _inputs(cell, emb)
    model, trained, record.selection, record.cache_hits["head"], record.timings["head_training_s"] = _fit(
        cell, cache, x, y, compressor, n_classes, on_epoch
    )
    record.n_params_classical, record.n_params_quantum = model.param_counts()
    if getattr(model, "param_target", None):
        record.metrics["param_target"] = model.param_target
        record.metrics["param_ratio"] = model.trainable_count() / model.param_target
    record.gate_trajectory = [h["gate"] for h in trained["history"] if "gate" in h]
    record.metrics.update(
        train_accuracy=trained["train_accuracy"], val_accuracy=trained["val_accuracy"],
        best_epoch=trained["best_epoch"], epochs_run=trained["epochs_run"],
        circuit_executions_training=trained["executions"],
        backbone_val_accuracy=emb.backbone_metrics["val_accuracy"],
        backbone_test_accuracy=emb.backbone_metrics["test_accuracy"],
        skipped_items=len(emb.skipped),
    )
    record.circuit_executions = trained["executions"]
    if is_evaluate_only(cell.suite, cell.backend):
        from bench.evaluate_only import evaluate_only

        evaluate_only(cell, model, x, y, trained, record, n_classes, jobs_path or cache.root / "jobs.sqlite")
    else:
        _evaluate(cell, model, x, y, trained, record, n_classes)
    record.metrics["overfit_gap"] = record.metrics["train_accuracy"] - record.metrics["test_accuracy"]
    return record


def run_cell(cell: Cell, cache: Cache, on_epoch: EpochCallback | None = None, jobs_path=None) -> Record:
    """Compute the record of ``cell``. Never raises: failures come back as ``status="failed"``.

    ``jobs_path`` is the IBM job ledger (``bench.quantum.ledger``); default ``<cache>/jobs.sqlite``.
    """
    record = _blank_record(cell)
    try:
        return _run(cell, cache, record, on_epoch, jobs_path)
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        failed = _blank_record(cell)
        failed.status = "failed"
        failed.error = f"{type(exc).__name__}: {message} [at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}]"
        failed.timings, failed.cache_hits = record.timings, record.cache_hits
        return failed
