"""Synthetic records for the report tests: one dataset, four heads, 4/8 qubits, 1/2 layers,
two exact backends, three seeds, plus one failed and one skipped record; ``demo_records`` adds
the demo suite's matched controls (8 qubits, 2 layers: 4 for quantum, 5 for each hybrid), 122
records in all, about the size of ``suites/audio.yaml``'s 120 cells."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest

from bench.results.record import Record

CLASS_NAMES = ["cat", "dog", "bird"]
HEADS = ("classical", "quantum", "hybrid-fixed", "hybrid-gated")
QUBITS = (4, 8)
LAYERS = (1, 2)
BACKENDS = ("default.qubit", "lightning.qubit")
SEEDS = (0, 1, 2)
N_TEST = 60
CONTROL_ACCURACY = {
    "matched-mlp": 0.74,
    "no-entanglement": 0.62,
    "tanh-linear": 0.45,
    "beta-zero": 0.70,
    "frozen-circuit": 0.50,
}
CONTROL_KINDS = {
    "quantum": ("matched-mlp", "no-entanglement", "tanh-linear", "frozen-circuit"),
    "hybrid-fixed": tuple(CONTROL_ACCURACY),
    "hybrid-gated": tuple(CONTROL_ACCURACY),
}


def _macro_f1(pred: np.ndarray, y: np.ndarray, k: int) -> float:
    f1s = []
    for c in range(k):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def make_record(
    head: str,
    n_qubits: int,
    seed: int,
    n_layers: int | None = None,
    backend: str | None = None,
    accuracy: float | None = None,
    dataset: str = "toy",
    status: str = "ok",
    error: str | None = None,
    control: str | None = None,
) -> Record:
    """A self-consistent record; ``accuracy`` fixes the test accuracy exactly when given. With
    ``control`` (a kind), ``head`` is the treatment's label and the record is that control."""
    treatment = head if control else None
    head = f"{head}~{control}" if control else head
    key = f"{dataset}/{head}/q{n_qubits}/L{n_layers}/{backend}/s{seed}"
    if status != "ok":
        return Record(
            key=key,
            status=status,
            dataset=dataset,
            head=head,
            n_qubits=n_qubits,
            n_layers=n_layers,
            backend=backend,
            seed=seed,
            error=error,
        )
    k = len(CLASS_NAMES)
    y = np.arange(N_TEST) % k
    rng = np.random.default_rng(zlib.crc32(repr((head, n_qubits, n_layers, seed)).encode()))
    if accuracy is None and control:
        accuracy = CONTROL_ACCURACY[control]
        accuracy += rng.uniform(-0.03, 0.03)
    if accuracy is None:
        accuracy = {"classical": 0.70, "quantum": 0.55, "hybrid-fixed": 0.72, "hybrid-gated": 0.71}[head]
        accuracy = min(1.0, accuracy + 0.02 * (n_qubits == 8) + rng.uniform(-0.05, 0.05))
    n_wrong = int(round((1 - accuracy) * N_TEST))
    pred = y.copy()
    wrong = rng.choice(N_TEST, size=n_wrong, replace=False)
    pred[wrong] = (y[wrong] + 1) % k
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (y, pred), 1)
    acc = float(np.mean(pred == y))
    has_circuit = head != "classical" and control not in ("matched-mlp", "tanh-linear", "beta-zero")
    speed = 0.4 if backend == "lightning.qubit" else 1.0
    forward = 1e-4 * 2**n_qubits * (n_layers or 1) * speed
    training_s = (30.0 * forward * 1e3 if backend == "default.qubit" else 0.0) if has_circuit else 0.5
    timings = {
        "features_s": 1.0,
        "backbone_s": 10.0,
        "embedding_s": 2.0,
        "head_training_s": training_s,
        "circuit_forward_per_batch_s": forward if has_circuit else math.nan,
        "circuit_forward_backward_per_batch_s": 3 * forward if has_circuit else math.nan,
        "circuit_latency_s": forward / 64 if has_circuit else math.nan,
        "evaluation_s": 0.2 + 5 * forward,
    }
    trajectory = []
    if head == "hybrid-gated":
        trajectory = [float(1 / (1 + math.exp(-(e - 6) / 2))) * (0.3 + 0.1 * seed) for e in range(10)]
    return Record(
        key=key,
        status="ok",
        dataset=dataset,
        head=head,
        n_qubits=n_qubits,
        n_layers=n_layers,
        backend=backend,
        seed=seed,
        trained_on="default.qubit" if has_circuit else None,
        metrics={
            "test_accuracy": acc,
            "test_macro_f1": _macro_f1(pred, y, k),
            "test_cross_entropy": 0.8,
            "train_accuracy": min(1.0, acc + 0.1),
            "val_accuracy": acc,
            "overfit_gap": min(1.0, acc + 0.1) - acc,
            "best_epoch": 7,
            "epochs_run": 10,
            "agreement_max_abs_diff": 0.0,
        },
        confusion=confusion.tolist(),
        class_names=list(CLASS_NAMES),
        predictions=pred.tolist(),
        labels=y.tolist(),
        n_params_classical=10 * n_qubits + 3,
        n_params_quantum=3 * n_qubits * (n_layers or 0),
        circuit_executions=1000 * n_qubits if has_circuit else 0,
        timings=timings,
        gate_trajectory=trajectory,
        provenance={"git_sha": "abc123", "packages": {"pennylane": "0.40.0"}},
        control=control,
        treatment=treatment,
    )


def build_records() -> list[Record]:
    records = []
    for q in QUBITS:
        for seed in SEEDS:
            records.append(make_record("classical", q, seed))
            for head in HEADS[1:]:
                for n_layers in LAYERS:
                    for backend in BACKENDS:
                        records.append(make_record(head, q, seed, n_layers, backend))
    records.append(
        make_record(
            "quantum",
            8,
            3,
            2,
            "default.qubit",
            status="failed",
            error="RuntimeError: out of memory | at step 3\nTraceback: ...",
        )
    )
    records.append(
        make_record("hybrid-gated", 8, 3, 2, "ibm_fake", status="skipped", error="qiskit not installed")
    )
    records[0].provenance = {"git_sha": "old999", "packages": {"pennylane": "0.39.0"}}
    return records


def build_demo_records() -> list[Record]:
    """``build_records`` plus the matched controls of every 8-qubit, 2-layer treatment."""
    records = build_records()
    for seed in SEEDS:
        for head, kinds in CONTROL_KINDS.items():
            for kind in kinds:
                circuit = kind in ("no-entanglement", "frozen-circuit")
                backend = "default.qubit" if circuit else None
                records.append(make_record(head, 8, seed, 2, backend, control=kind))
    return records


@pytest.fixture(scope="session")
def demo_records() -> list[Record]:
    """122 records: ``synthetic_records`` plus 42 matched controls (see the module docstring)."""
    return build_demo_records()


@pytest.fixture(scope="session")
def synthetic_records() -> list[Record]:
    """78 ok records + 1 failed + 1 skipped (see module docstring)."""
    return build_records()


@pytest.fixture(scope="session")
def record_factory():
    """``make_record`` as a fixture, for hand-made cases."""
    return make_record


@pytest.fixture(scope="session")
def demo_report(demo_records, tmp_path_factory):
    """``write_report`` of ``demo_records`` (written once per session): ``{"md": path, "html": path}``."""
    from bench.report import write_report

    return write_report(demo_records, tmp_path_factory.mktemp("demo-report"), {"suite": "demo"})
