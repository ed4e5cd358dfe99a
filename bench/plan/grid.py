"""Grid expansion: a suite becomes a list of cells with stable keys.

Axes a head does not use are collapsed, not re-run: a classical head has no circuit, so it
yields one cell per dataset x qubits (its input width) x seed, with ``n_layers`` and
``backend`` set to ``None``. Quantum and hybrid heads span every axis.

Every quantum or hybrid cell is followed by its matched controls (``bench.spec.controls``): cells
whose ``control`` names the kind and whose ``treatment`` is the treatment head's label. Circuit
controls run on the treatment's training simulator only; the others have no backend.

A cell's ``key`` is readable (``urban-synth/quantum/q8/l2/default.qubit/s0``) plus a short
hash of its full spec, so changing any setting that affects a result gives new keys and the
store never mistakes an old record for a current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bench.core.hashing import stable_hash
from bench.core.registry import HEADS, SIMULATORS
from bench.spec.suite import HeadRef, PluginRef, Suite


@dataclass(frozen=True)
class Cell:
    """One unit of work: a head on one dataset, qubit count, layer count, backend and seed."""

    suite: Suite
    dataset: PluginRef
    head: HeadRef
    n_qubits: int
    n_layers: int | None
    backend: str | None
    seed: int
    trained_on: str | None
    control: str | None = None
    treatment: str | None = None

    @property
    def uses_circuit(self) -> bool:
        return self.backend is not None

    @property
    def stream_label(self) -> str:
        """Label that names this cell's random streams: a control shares its treatment's."""
        return self.treatment or self.head.label

    @cached_property
    def spec(self) -> dict[str, Any]:
        """Everything that determines this cell's result, as plain data."""
        s = self.suite
        return {
            "dataset": self.dataset.model_dump(),
            "features": s.features.model_dump(),
            "backbone": s.backbone.model_dump(),
            "compression": s.compression.model_dump(mode="json"),
            "training": s.training.model_dump(),
            "head": self.head.spec(),
            "n_qubits": self.n_qubits,
            "n_layers": self.n_layers,
            "backend": self.backend,
            "seed": self.seed,
            "trained_on": self.trained_on,
            **self._profile_spec(),
            **({"control": self.control, "treatment": self.treatment} if self.control else {}),
        }

    def _profile_spec(self) -> dict[str, Any]:
        """The backend's profile, when it has one: editing a profile gives new cell keys."""
        profile = self.suite.profiles.get(self.backend) if self.backend else None
        return {"backend_profile": profile.model_dump(mode="json")} if profile is not None else {}

    @cached_property
    def key(self) -> str:
        layers = f"l{self.n_layers}" if self.n_layers is not None else "l-"
        parts = [self.dataset.label, self.head.label, f"q{self.n_qubits}", layers, self.backend or "-"]
        return "/".join([*parts, f"s{self.seed}"]) + "#" + stable_hash(self.spec, 10)

    @cached_property
    def train_key(self) -> dict[str, Any]:
        """The spec of the trained head this cell evaluates; cells differing only in backend share it."""
        return {k: v for k, v in self.spec.items() if k not in ("backend", "backend_profile")}


def trainer_for(suite: Suite, n_qubits: int, backend: str) -> str:
    """Which simulator trains a circuit head, by the suite's ``training.train_on`` rule.

    ``each`` trains on the backend itself when it is a built-in simulator (profiles follow
    ``auto``); ``auto`` uses ``training.lightning_from_qubits`` when set, else the fastest
    available simulator for the width from measured timings (``bench.quantum.autoselect``).
    """
    rule = suite.training.train_on
    if rule == "each" and backend in SIMULATORS:
        return backend
    if rule in ("auto", "each"):
        threshold = suite.training.lightning_from_qubits
        if threshold is not None:
            return "lightning.qubit" if n_qubits >= threshold else "default.qubit"
        from bench.quantum.autoselect import fastest_trainer

        return fastest_trainer(n_qubits)
    return rule


def expand(suite: Suite) -> list[Cell]:
    """All cells of a suite, in a stable order that keeps cells sharing a trained head adjacent."""
    cells: list[Cell] = []
    for dataset in suite.datasets:
        for seed in suite.seeds:
            for head in suite.heads:
                uses_circuit = HEADS.get(head.name).uses_circuit
                for n_qubits in suite.qubits:
                    if not uses_circuit:
                        cells.append(Cell(suite, dataset, head, n_qubits, None, None, seed, None))
                        continue
                    for n_layers in suite.layers:
                        for backend in suite.backends:
                            trainer = trainer_for(suite, n_qubits, backend)
                            cells.append(
                                Cell(suite, dataset, head, n_qubits, n_layers, backend, seed, trainer)
                            )
                        cells.extend(control_cells(suite, dataset, head, n_qubits, n_layers, seed))
    return cells


def control_cells(
    suite: Suite, dataset: PluginRef, head: HeadRef, n_qubits: int, n_layers: int, seed: int
) -> list[Cell]:
    """The control cells of one treatment cell (see ``bench.spec.controls``)."""
    from bench.spec.controls import control_heads

    trainer = trainer_for(suite, n_qubits, suite.backends[0])
    return [
        Cell(
            suite,
            dataset,
            c.head,
            n_qubits,
            n_layers,
            trainer if c.runs_circuit else None,
            seed,
            trainer if c.runs_circuit else None,
            control=c.kind,
            treatment=head.label,
        )
        for c in control_heads(suite, head, n_qubits, n_layers)
    ]
