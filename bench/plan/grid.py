"""Grid expansion: a suite becomes a list of cells with stable keys.

Axes a head does not use are collapsed, not re-run: a classical head has no circuit, so it
yields one cell per dataset x qubits (its input width) x seed, with ``n_layers`` and
``backend`` set to ``None``. Quantum and hybrid heads span every axis.

Every quantum or hybrid cell is followed by its matched controls (``bench.spec.controls``): cells
whose ``control`` names the kind and whose ``treatment`` is the treatment head's label. Circuit
controls are trained like their treatment and evaluated on one backend the treatment runs on
(``control_backend``); the others have no backend.

A dataset entry with ``folds`` or ``cv`` adds the fold axis (``bench.data.folds``): every cell
of it exists once per fold x seed, its ``fold`` names the test fold, its spec gains ``fold``
(the folding and the test/validation fold numbers) and its key a ``f<k>`` part before the seed
(``urbansound8k/quantum/q8/l2/default.qubit/f3/s0``). Cells of entries without folds have
``fold=None`` and exactly the spec and key they had before folds existed.

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
from bench.data.folds import Fold
from bench.spec.folds import fold_axis
from bench.spec.suite import HeadRef, PluginRef, Suite, TrainingSpec


@dataclass(frozen=True)
class Cell:
    """One unit of work: a head on one dataset (fold), qubit count, layer count, backend and seed.

    ``dataset`` is the entry without its folds (``DatasetRef.plain``); ``fold`` is the cell's
    test fold, ``None`` for an entry without folds."""

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
    fold: Fold | None = None

    @property
    def uses_circuit(self) -> bool:
        return self.backend is not None

    @property
    def stream_label(self) -> str:
        """Label that names this cell's random streams: a control shares its treatment's."""
        return self.treatment or self.head.label

    @cached_property
    def training(self) -> TrainingSpec:
        """How this cell's head is trained: the suite's ``training`` with its head's overrides."""
        return self.suite.training_for(self.head)

    @cached_property
    def spec(self) -> dict[str, Any]:
        """Everything that determines this cell's result, as plain data."""
        s = self.suite
        return {
            "dataset": self.dataset.model_dump(),
            "features": s.features.model_dump(),
            "backbone": s.backbone.model_dump(),
            "compression": s.compression.model_dump(mode="json"),
            "training": self.training.model_dump(),
            "head": self.head.spec(),
            "n_qubits": self.n_qubits,
            "n_layers": self.n_layers,
            "backend": self.backend,
            "seed": self.seed,
            **({"fold": self.fold.spec()} if self.fold is not None else {}),
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
        unit = [f"s{self.seed}"] if self.fold is None else [f"f{self.fold.number}", f"s{self.seed}"]
        return "/".join([*parts, *unit]) + "#" + stable_hash(self.spec, 10)

    @cached_property
    def train_key(self) -> dict[str, Any]:
        """The spec of the trained head this cell evaluates; cells differing only in backend share it."""
        return {k: v for k, v in self.spec.items() if k not in ("backend", "backend_profile")}

    @cached_property
    def train_hash(self) -> str:
        """``stable_hash(train_key)``: equal for the cells that share one trained head."""
        return stable_hash(self.train_key)


def trainer_for(training: TrainingSpec, n_qubits: int, backend: str) -> str:
    """Which simulator trains a circuit head, by the ``train_on`` rule of its ``training``.

    ``each`` trains on the backend itself when it is a built-in simulator (profiles follow
    ``auto``); ``auto`` uses ``training.lightning_from_qubits`` when set, else the fastest
    available simulator for the width from measured timings (``bench.quantum.autoselect``).
    """
    rule = training.train_on
    if rule == "each" and backend in SIMULATORS:
        return backend
    if rule in ("auto", "each"):
        threshold = training.lightning_from_qubits
        if threshold is not None:
            return "lightning.qubit" if n_qubits >= threshold else "default.qubit"
        from bench.quantum.autoselect import fastest_trainer

        return fastest_trainer(n_qubits)
    return rule


def expand(suite: Suite) -> list[Cell]:
    """All cells of a suite, in a stable order that keeps cells sharing a trained head adjacent.
    Each trainer (``trainer_for``: it resolves the timing table) is taken once per width x backend."""
    cells: list[Cell] = []
    trainers = {(q, b): trainer_for(suite.training, q, b) for q in suite.qubits for b in suite.backends}
    for entry in suite.datasets:
        dataset = entry.plain()
        for fold in fold_axis(entry):
            for seed in suite.seeds:
                cells.extend(_unit_cells(suite, dataset, fold, seed, trainers))
    return cells


def _unit_cells(
    suite: Suite, dataset: PluginRef, fold: Fold | None, seed: int, trainers: dict[tuple[int, str], str]
) -> list[Cell]:
    """The cells of one dataset x fold x seed: every head, width, depth and backend, then controls."""
    cells: list[Cell] = []
    for head in suite.heads:
        uses_circuit = HEADS.get(head.name).uses_circuit
        for n_qubits in suite.qubits:
            if not uses_circuit:
                cells.append(Cell(suite, dataset, head, n_qubits, None, None, seed, None, fold=fold))
                continue
            for n_layers in suite.layers:
                for backend in suite.backends:
                    trainer = (
                        trainer_for(suite.training_for(head), n_qubits, backend)
                        if head.training
                        else trainers[(n_qubits, backend)]
                    )
                    cells.append(
                        Cell(suite, dataset, head, n_qubits, n_layers, backend, seed, trainer, fold=fold)
                    )
                cells.extend(control_cells(suite, dataset, head, n_qubits, n_layers, seed, fold, trainers))
    return cells


def control_backend(suite: Suite, trainer: str) -> str:
    """Where a circuit control is evaluated: where its treatment runs. The treatment's training
    simulator when the grid evaluates on it, else the grid's alphabetically first built-in
    simulator (the backend the report compares the treatment through), else - no exact simulator
    in the grid (noise or hardware profiles only) - the training simulator itself."""
    if trainer in suite.backends:
        return trainer
    exact = sorted(b for b in suite.backends if b in SIMULATORS)
    return exact[0] if exact else trainer


def control_cells(
    suite: Suite,
    dataset: PluginRef,
    head: HeadRef,
    n_qubits: int,
    n_layers: int,
    seed: int,
    fold: Fold | None = None,
    trainers: dict[tuple[int, str], str] | None = None,
) -> list[Cell]:
    """The control cells of one treatment cell (see ``bench.spec.controls``); ``trainers``: the
    suite's ``trainer_for`` per (qubits, backend), taken once by ``expand``."""
    from bench.spec.controls import control_heads

    key = (n_qubits, suite.backends[0])
    if trainers and key in trainers and not head.training:
        trainer = trainers[key]
    else:
        trainer = trainer_for(suite.training_for(head), *key)
    backend = control_backend(suite, trainer)
    return [
        Cell(
            suite,
            dataset,
            c.head,
            n_qubits,
            n_layers,
            backend if c.runs_circuit else None,
            seed,
            trainer if c.runs_circuit else None,
            control=c.kind,
            treatment=head.label,
            fold=fold,
        )
        for c in control_heads(suite, head, n_qubits, n_layers)
    ]


@dataclass(frozen=True)
class GridCost:
    """What a list of cells costs to run, in counts (``plan`` prints it): cells, their units per
    dataset (folds x seeds), the backbones (one per dataset x fold x seed) and the heads trained
    (cells differing only in evaluation backend share one)."""

    cells: int
    units: dict[str, tuple[int, int]]  # dataset label -> (folds, seeds); folds is 0 without folds
    backbones: int
    trained_heads: int
    finetune: bool = False  # every trained head trains its own backbone (``backbone.protocol``)

    def describe(self) -> str:
        """One line, e.g. ``700 cells; urbansound8k: 10 folds x 5 seeds = 50 units; 50 backbones, ...``."""
        per = "; ".join(
            f"{label}: {s} seed(s)" if not f else f"{label}: {f} folds x {s} seeds = {f * s} units"
            for label, (f, s) in self.units.items()
        )
        if self.finetune:
            return (
                f"{self.cells} cells; {per}; {self.trained_heads} heads trained jointly with their backbone"
            )
        return (
            f"{self.cells} cells; {per}; {self.backbones} backbones (dataset x fold x seed), "
            f"{self.trained_heads} trained heads"
        )


def grid_cost(cells: list[Cell]) -> GridCost:
    """The counts of ``GridCost`` for ``cells`` (e.g. ``expand(suite)``)."""
    folds: dict[str, set] = {}
    seeds: dict[str, set] = {}
    for c in cells:
        folds.setdefault(c.dataset.label, set()).add(c.fold)
        seeds.setdefault(c.dataset.label, set()).add(c.seed)
    return GridCost(
        cells=len(cells),
        units={label: (len(folds[label] - {None}), len(seeds[label])) for label in folds},
        backbones=len({(c.dataset.label, c.fold, c.seed) for c in cells}),
        trained_heads=len({c.train_hash for c in cells}),
        finetune=bool(cells) and cells[0].suite.backbone.protocol == "finetune",
    )
