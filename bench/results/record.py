"""The result record of one cell: what the store keeps and the report reads.

A record is plain data (JSON-serialisable). Everything in ``metrics`` and ``predictions`` is a
pure function of the cell spec on CPU; ``timings`` and ``provenance`` describe the run that
produced it and are excluded from determinism checks (see ``Record.deterministic_view``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bench.core.versions import RECORD_SCHEMA_VERSION

Status = Literal["ok", "failed", "skipped"]

TIMING_KEYS = (
    "features_s",  # computing (or loading) features for the dataset
    "backbone_s",  # training (or loading) the backbone
    "embedding_s",  # embedding train/val/test through the frozen backbone
    "head_training_s",  # training the head, as measured when it was trained (cached heads: see cache_hits)
    "circuit_forward_per_batch_s",  # one forward circuit call on a batch (median), evaluation backend
    "circuit_forward_backward_per_batch_s",  # forward+backward on a batch (median), evaluation backend
    "circuit_latency_s",  # forward per batch / batch size
    "evaluation_s",  # scoring val+test on the evaluation backend
)

METRIC_KEYS = (
    "test_accuracy",
    "test_macro_f1",
    "test_cross_entropy",
    "train_accuracy",
    "val_accuracy",
    "overfit_gap",
    "best_epoch",
    "epochs_run",
    "agreement_max_abs_diff",
)
"""The metrics documented on ``Record.metrics``: the results table and the report frame always
give them a column, in this order."""


@dataclass
class Record:
    """One cell's outcome.

    Attributes:
        key: stable cell key (``bench.plan.grid.Cell.key``), unique within a suite.
        status: ``ok``, ``failed`` (``error`` says why) or ``skipped`` (``error`` says why).
        dataset, head, n_qubits, n_layers, backend, seed: the cell's axes. ``n_layers`` and
            ``backend`` are ``None`` for heads without a circuit.
        fold: the cell's test fold (``bench.data.folds``: fold ``k`` tests, the fold before it
            validates) for a dataset entry with ``folds`` or ``cv``; ``None`` otherwise (and in
            records written before folds existed). A statistical unit is ``unit``.
        spec: the full resolved cell spec (axes plus every setting that affects the result).
        trained_on: simulator that trained the head (``None`` for classical heads).
        protocol: how the backbone was used: ``frozen`` (trained once or loaded, then frozen;
            heads train on cached embeddings) or ``finetune`` (backbone and head trained
            jointly end to end for this head).
        metrics: ``test_accuracy``, ``test_macro_f1``, ``test_cross_entropy``, ``train_accuracy``,
            ``val_accuracy``, ``overfit_gap`` (train - test accuracy), ``best_epoch``,
            ``epochs_run``, ``agreement_max_abs_diff`` (this backend's outputs vs the training
            simulator's on a test batch; 0 when it trained here); a matched-mlp control adds
            ``param_target`` (its target's trainable parameters) and ``param_ratio`` (its own / target).
        confusion: test confusion matrix, rows = true class, columns = predicted.
        class_names: names of the classes, in index order.
        predictions, labels: test-split predicted and true class indices, in dataset order.
        n_params_classical, n_params_quantum: trainable parameter counts of the head (parameters
            that never train, e.g. a frozen circuit's, are not counted).
        circuit_executions: circuits executed for this cell (training + evaluation; a broadcast
            batch of B inputs counts B).
        timings: seconds, keys from ``TIMING_KEYS``.
        gate_trajectory: ``sigmoid(a)`` per epoch for gated hybrids, else empty.
        provenance: package versions, git SHA, CPU/GPU, suite hash, schema version.
        cache_hits: which stages (features, backbone, head) this run loaded from the cache;
            timings of a cached stage are those measured when it was computed.
        backend_info: how an evaluate-only backend ran (profile kind and summary, the test-split
            indices of its evaluation subset, variants, where QPU usage came from); see
            ``bench.cell.evaluate_only``. Empty for exact backends.
        jobs: IBM / rehearsal job ids of the evaluation, in submission order (volatile).
        control, treatment: for a matched control cell (``bench.spec.controls``), its kind and the
            label of the treatment head it controls; ``None`` otherwise.
        selection: how the kept model was chosen on validation (``bench.cell.selection.describe``).
        compute: where the classical parts ran (``bench.cell.device.record_compute``): ``device``
            (head training, ``cpu`` or ``cuda:N``, ``auto`` resolved), ``backbone_device``,
            ``precision`` (the backbone's) and ``reproducible`` (``bit``, or ``not-bit (reasons)``:
            CUDA or mixed precision). Empty in failed records and records written before it existed.
    """

    key: str
    status: Status
    dataset: str
    head: str
    n_qubits: int
    n_layers: int | None
    backend: str | None
    seed: int
    fold: int | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    trained_on: str | None = None
    protocol: str = "frozen"
    metrics: dict[str, float] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    predictions: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    n_params_classical: int = 0
    n_params_quantum: int = 0
    circuit_executions: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    gate_trajectory: list[float] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    cache_hits: dict[str, bool] = field(default_factory=dict)
    backend_info: dict[str, Any] = field(default_factory=dict)
    jobs: list[str] = field(default_factory=list)
    control: str | None = None
    treatment: str | None = None
    selection: dict[str, Any] = field(default_factory=dict)
    compute: dict[str, str] = field(default_factory=dict)
    schema_version: int = RECORD_SCHEMA_VERSION

    @property
    def unit(self) -> int | tuple[int, int]:
        """The statistical unit this record is one repeat of: its ``seed``, or ``(fold, seed)``
        for a cell with a fold. Treatment and control records pair by unit."""
        return self.seed if self.fold is None else (self.fold, self.seed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Record:
        return cls(**raw)

    def deterministic_view(self) -> dict[str, Any]:
        """The part of the record that must be identical when the same cell runs twice on CPU."""
        out = self.to_dict()
        for volatile in ("timings", "provenance", "cache_hits", "jobs"):
            out.pop(volatile)
        return out
