"""What training a head produced, in both protocols, and the one place that copies it into a record.

``TrainedHead`` is the typed payload the protocols hand to evaluation, selection and checkpoints.
The cache keeps it as the plain dict it always was (``payload()`` / ``from_payload``), so cached
heads written before this type existed load unchanged, and cache files stay byte-compatible:

* the ``frozen`` protocol (cache kind ``heads``) adds ``val_loss`` and the fitted ``compressor``;
* a head trained elsewhere than the CPU at fp32 adds ``compute`` (``bench.cell.device``); one
  without it was trained on the CPU at fp32;
* the ``finetune`` protocol (cache kind ``finetune``) adds the jointly trained backbone and
  compression states, every split's angles, the test logits, the input description and class
  names (``FinetunedHead``); it records no validation loss (``val_loss`` is NaN, never stored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from bench.cell.device import CPU_INFO, is_default
from bench.results.record import Record


@dataclass
class TrainedHead:
    """A head after training on train/val: its kept state and how training went.

    Attributes:
        state: the head's ``state_dict`` at the kept (best-on-validation) epoch.
        best_epoch, epochs_run: the kept epoch and the epochs trained before early stopping.
        history: one dict per epoch (losses, accuracies, a gated head's ``gate``).
        seconds: wall time of training, measured when it was trained.
        executions: circuit executions during training (0 without a circuit).
        train_accuracy, val_accuracy: of the kept state.
        val_loss: validation cross-entropy of the kept state (NaN when the protocol has none).
        compressor: the fitted compression (frozen protocol), else ``None``.
        compute: where it trained (``bench.cell.device.Compute.info``); the CPU at fp32 by default.
    """

    state: dict
    best_epoch: int
    epochs_run: int
    history: list[dict[str, Any]]
    seconds: float
    executions: int
    train_accuracy: float
    val_accuracy: float
    val_loss: float = math.nan
    compressor: Any = None
    compute: dict[str, Any] = field(default_factory=lambda: dict(CPU_INFO))

    def payload(self) -> dict[str, Any]:
        """The cache's plain dict (the keys this protocol has always stored, plus ``compute`` when
        it trained elsewhere than the CPU at fp32)."""
        hidden = (*self._not_stored(), *(("compute",) if is_default(self.compute) else ()))
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in hidden}

    def _not_stored(self) -> tuple[str, ...]:
        return ()

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> TrainedHead:
        """The typed view of a cached dict (keys it lacks take their defaults)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in payload.items() if k in names})

    def training_metrics(self) -> dict[str, Any]:
        """The record metrics training determines, in record order."""
        return {
            "train_accuracy": self.train_accuracy,
            "val_accuracy": self.val_accuracy,
            "best_epoch": self.best_epoch,
            "epochs_run": self.epochs_run,
            "circuit_executions_training": self.executions,
        }


@dataclass
class FinetunedHead(TrainedHead):
    """A head trained jointly with its backbone and compression (the ``finetune`` protocol)."""

    backbone_state: dict = field(default_factory=dict)
    compression_state: dict = field(default_factory=dict)
    angles: dict[str, Any] = field(default_factory=dict)
    test_logits: Any = None
    input: dict[str, Any] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)

    def _not_stored(self) -> tuple[str, ...]:
        return ("val_loss", "compressor")

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        order = ("state", "backbone_state", "compression_state", "angles", "test_logits")
        return {**{k: data.pop(k) for k in order}, **data}


def record_training(record: Record, trained: TrainedHead, model, **protocol_metrics: Any) -> None:
    """Fill what training determines into ``record``: parameter counts, the gate trajectory, the
    training metrics (then ``protocol_metrics``, e.g. the backbone's accuracies), and the circuit
    executions so far (evaluation adds its own)."""
    record.n_params_classical, record.n_params_quantum = model.param_counts()
    record.gate_trajectory = [h["gate"] for h in trained.history if "gate" in h]
    record.metrics.update(**trained.training_metrics(), **protocol_metrics)
    record.circuit_executions = trained.executions


__all__ = ["FinetunedHead", "TrainedHead", "record_training"]
