"""Evaluate-only backends: score a head trained on an exact simulator on a noisy one.

Shots, noise channels, fake devices and hardware never train (hardware gradients would cost
thousands of circuits per step) and cannot agree with the trainer, so they get no agreement
check. Instead ``evaluate_only`` scores the trained head on a stratified, seeded test subset
(``profile.eval_samples``; the same items for every evaluate-only backend of a cell) and
records, next to the usual metrics (computed on the subset):

* ``test_accuracy_ci_low/high`` - 95 % Wilson interval of the subset accuracy;
* ``exact_subset_accuracy`` and ``delta_vs_exact`` - the trainer's accuracy on the same items
  and the (paired) difference;
* ``zne_*`` - the same for the ZNE-mitigated variant when the profile has mitigation, and
  ``zne_circuits`` (items x scale factors);
* ``eval_samples``, ``shots_per_circuit``, ``circuit_executions_eval``, ``shots_executed``,
  ``jobs_submitted``, ``jobs_fetched`` (Qiskit paths; they describe the run: a resumed run fetches),
  ``qpu_seconds`` (reported usage; absent when the service reports none), ``qpu_seconds_estimated``
  (billed paths), ``noise_strength`` (channel p or gamma);
* timings: ``evaluation_s``, ``circuit_forward_per_batch_s`` and ``circuit_latency_s`` (and,
  for analytic noise, ``circuit_forward_backward_per_batch_s``); Qiskit paths also
  ``transpile_s`` and ``circuit_execution_s`` (job wall time, queue included).

``record.predictions``/``labels``/``confusion`` then describe the subset, whose test-split
indices are in ``record.backend_info["eval_indices"]``; job ids go to ``record.jobs``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from bench.cell.metrics import classification_metrics
from bench.cell.subsets import stratified_subset, wilson_interval
from bench.cell.trained import TrainedHead
from bench.core.seeding import derive_seed
from bench.quantum.resolve import evaluation_backends, profile_of
from bench.quantum.timing import time_circuit
from bench.results.record import Record


def subset_seed(cell) -> int:
    """Seed of the evaluation subset: shared by every evaluate-only backend of the same trained head (subsets
    of different ``eval_samples`` are nested, see ``bench.cell.subsets``)."""
    return derive_seed(cell.seed, "eval-subset", cell.dataset.label)


def _context(cell, jobs_path: str | Path):
    from bench.quantum.qiskit.execute import ExecutionContext

    jobs_path = Path(jobs_path)
    return ExecutionContext(
        cell.key, str(jobs_path), str(jobs_path.parent / "rehearsal-jobs"), cell.suite.budget.max_qpu_seconds
    )


def _scores(logits: np.ndarray, labels: np.ndarray, n_classes: int, exact_correct: np.ndarray, prefix: str):
    scores = classification_metrics(logits, labels, n_classes)
    correct = logits.argmax(1) == labels
    low, high = wilson_interval(int(correct.sum()), len(labels))
    metrics = {
        f"{prefix}test_accuracy": scores["accuracy"],
        f"{prefix}test_accuracy_ci_low": low,
        f"{prefix}test_accuracy_ci_high": high,
        f"{prefix}test_macro_f1": scores["macro_f1"],
        f"{prefix}test_cross_entropy": scores["cross_entropy"],
        f"{prefix}delta_vs_exact": scores["accuracy"] - float(exact_correct.mean()),
    }
    return metrics, scores


def evaluate_only(
    cell, model, x: dict, y: dict, trained: TrainedHead, record: Record, n_classes: int, jobs_path: str | Path
) -> None:
    """Score ``model`` on ``cell.backend`` (an evaluate-only profile); fill ``record`` in place."""
    profile = profile_of(cell.suite, cell.backend)
    labels_all = y["test"].numpy()
    idx = stratified_subset(labels_all, profile.eval_samples, subset_seed(cell))
    xs, labels = x["test"][torch.from_numpy(idx)], labels_all[idx]
    model.eval()
    with torch.no_grad():  # the model still runs on its exact training simulator here
        exact_correct = model(xs).numpy().argmax(1) == labels
    seed = derive_seed(cell.seed, "sampling", cell.backend, cell.head.label, cell.n_qubits, cell.n_layers)
    variants = evaluation_backends(cell.suite, cell.backend, seed, _context(cell, jobs_path))
    circuits = 0
    start = time.perf_counter()
    try:
        for variant, backend in variants:
            model.use_simulator(backend)
            model.eval()
            with torch.no_grad():
                logits = model(xs).numpy()
            prefix = "" if variant == "raw" else "zne_"
            metrics, scores = _scores(logits, labels, n_classes, exact_correct, prefix)
            record.metrics.update(metrics)
            if backend.execution_stats() is None:  # else the backend counts its own circuits
                circuits += len(idx) * backend.circuits_per_input
            if variant == "raw":
                record.predictions, record.confusion = scores["predictions"], scores["confusion"]
        record.timings["evaluation_s"] = time.perf_counter() - start
        _account(cell, record, profile, variants, circuits, len(idx))
        _time_circuits(cell, model, x, record, variants[0][1], len(idx))
    finally:
        variants[0][1].close()  # the variants share one connection
    record.labels = labels.astype(int).tolist()
    record.metrics.update(
        evaluate_only=1.0, eval_samples=float(len(idx)), exact_subset_accuracy=float(exact_correct.mean())
    )
    if profile.noise_strength is not None:
        record.metrics["noise_strength"] = float(profile.noise_strength)
    if profile.mitigation is not None:
        record.metrics["zne_circuits"] = float(len(idx) * len(profile.mitigation.scale_factors))
    record.backend_info.update(
        kind=profile.kind,
        profile=profile.summary(),
        eval_indices=idx.tolist(),
        variants=[v for v, _ in variants],
    )


def _account(cell, record: Record, profile, variants, pennylane_circuits: int, n_items: int) -> None:
    """Circuits, shots, jobs and QPU seconds of the evaluation."""
    backend = variants[0][1]
    stats = backend.execution_stats()
    if stats is None:
        circuits = pennylane_circuits
        shots = circuits * (profile.shots or 0)
        record.backend_info["usage_source"] = "none (simulator)"
    else:
        circuits, shots = stats.circuits, stats.shots
        record.jobs = list(stats.job_ids)
        record.metrics.update(
            jobs_submitted=float(stats.jobs_submitted), jobs_fetched=float(stats.jobs_fetched)
        )
        if stats.usage_seconds is not None:
            record.metrics["qpu_seconds"] = stats.usage_seconds
        billed = backend.billed
        if billed:
            record.metrics["qpu_seconds_estimated"] = stats.estimated_seconds
        record.backend_info["usage_source"] = (
            "reported by the service"
            if stats.usage_seconds is not None
            else "cost-model estimate (no usage reported)"
            if billed
            else "none (local simulator)"
        )
        record.timings.update(transpile_s=stats.transpile_s, circuit_execution_s=stats.execution_s)
        if circuits:
            batch = cell.training.batch_size
            record.timings["circuit_latency_s"] = stats.execution_s / circuits
            record.timings["circuit_forward_per_batch_s"] = stats.execution_s * min(batch, n_items) / n_items
    record.metrics.update(
        shots_per_circuit=float(profile.shots or 0),
        circuit_executions_eval=float(circuits),
        shots_executed=float(shots),
    )
    record.circuit_executions += circuits


def _time_circuits(cell, model, x: dict, record: Record, backend, n_items: int) -> None:
    """PennyLane backends: time forward (and, when differentiable, forward+backward) on a training batch.
    Qiskit backends are timed from their evaluation jobs instead (no extra, possibly billed, jobs)."""
    if backend.execution_stats() is not None or model.quantum is None:
        return
    model.use_simulator(backend)
    batch = x["train"][: cell.training.batch_size]
    timings = time_circuit(
        model.quantum, batch, cell.training.timing_repeats, backward=backend.differentiable
    )
    record.timings.update(timings)
