"""Scoring a trained head's test split on the cell's own exact backend, checked against the trainer."""

from __future__ import annotations

import time

import numpy as np

from bench.cell.head_model import head_logits
from bench.cell.metrics import classification_metrics
from bench.cell.trained import TrainedHead
from bench.heads.models.base import HeadModel
from bench.plan.grid import Cell
from bench.quantum.resolve import backend_for
from bench.quantum.timing import time_circuit
from bench.results.record import Record


class BackendDisagreement(RuntimeError):
    """An exact backend's outputs differ from the training simulator's beyond tolerance."""


def evaluate_on_backend(
    cell: Cell, model: HeadModel, x, y, trained: TrainedHead, record: Record, n_classes: int
) -> None:
    """Score the test split on the cell's backend (once, after selection); check agreement with the
    trainer; time circuits."""
    reference = head_logits(model, x["test"]) if cell.backend not in (None, cell.trained_on) else None
    if cell.backend is not None:
        model.use_simulator(backend_for(cell.suite, cell.backend))
        model.quantum.circuit_executions = 0
    start = time.perf_counter()
    logits = head_logits(model, x["test"])
    record.timings["evaluation_s"] = time.perf_counter() - start
    diff = float(np.abs(logits - reference).max()) if reference is not None and len(logits) else 0.0
    tol = cell.training.agreement_tol
    if diff > tol:
        raise BackendDisagreement(
            f"{cell.backend} outputs differ from {cell.trained_on} by {diff:.3g} (> agreement_tol {tol:g})"
        )
    scores = classification_metrics(logits, y["test"].numpy(), n_classes)
    record.metrics.update(
        test_accuracy=scores["accuracy"],
        test_macro_f1=scores["macro_f1"],
        test_cross_entropy=scores["cross_entropy"],
        agreement_max_abs_diff=diff,
    )
    record.predictions, record.confusion = scores["predictions"], scores["confusion"]
    if model.quantum is not None and cell.backend is not None:
        eval_executions = model.quantum.circuit_executions
        record.metrics["circuit_executions_eval"] = eval_executions
        record.circuit_executions = trained.executions + eval_executions
        batch = x["train"][: cell.training.batch_size]
        record.timings.update(time_circuit(model.quantum, batch, cell.training.timing_repeats))
