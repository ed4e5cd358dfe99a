"""The trained-head payload: typed in code, the same plain dict in the cache as before it was typed."""

from __future__ import annotations

import math

from bench.cell.trained import FinetunedHead, TrainedHead, record_training
from bench.results.record import Record

COMMON = dict(state={"w": 1}, best_epoch=2, epochs_run=3, history=[{"gate": 0.1}, {"loss": 1.0}])
COMMON |= dict(seconds=1.5, executions=7, train_accuracy=0.9, val_accuracy=0.8)

FROZEN_KEYS = [
    *("state", "best_epoch", "epochs_run", "history", "seconds", "executions"),
    *("train_accuracy", "val_accuracy", "val_loss", "compressor"),
]
FINETUNE_KEYS = [
    *("state", "backbone_state", "compression_state", "angles", "test_logits", "best_epoch", "epochs_run"),
    *("history", "seconds", "executions", "train_accuracy", "val_accuracy", "input", "class_names"),
]


def test_cache_payloads_keep_the_keys_and_order_each_protocol_always_stored():
    assert list(TrainedHead(**COMMON, val_loss=0.5, compressor="c").payload()) == FROZEN_KEYS
    assert list(FinetunedHead(**COMMON, class_names=["a"]).payload()) == FINETUNE_KEYS


def test_a_payload_round_trips_and_a_missing_val_loss_is_nan():
    head = TrainedHead(**COMMON, val_loss=0.5)
    assert TrainedHead.from_payload(head.payload()) == head
    finetuned = FinetunedHead.from_payload(FinetunedHead(**COMMON).payload())
    assert math.isnan(finetuned.val_loss) and finetuned.executions == 7


class _Model:
    def param_counts(self):
        return 10, 4


def test_record_training_fills_the_record_once_for_both_protocols():
    record = Record(key="k", status="ok", dataset="d", head="h", n_qubits=2, n_layers=1, backend="b", seed=0)
    record_training(record, FinetunedHead(**COMMON), _Model(), skipped_items=0)
    assert (record.n_params_classical, record.n_params_quantum, record.circuit_executions) == (10, 4, 7)
    assert record.gate_trajectory == [0.1]
    assert list(record.metrics) == [
        *("train_accuracy", "val_accuracy", "best_epoch", "epochs_run", "circuit_executions_training"),
        "skipped_items",
    ]
