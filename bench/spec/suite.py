"""Suites: YAML files naming what to run, validated into frozen objects.

``bench.spec.loader.load_suite(path)`` parses and validates in two passes:

1. structure, types and ranges (pydantic, unknown keys forbidden);
2. plugin names (datasets, features, backbone, heads, backends) against the registries,
   and each plugin's ``params`` against that plugin's own ``Params`` model.

Any problem raises ``UserError`` with one line: ``<file>:<line>: <key path>: <what is wrong>
(allowed: ...)``. The result is a frozen ``Suite`` whose plugin params are normalised (every
default made explicit), so its hash, and every cell key, changes exactly when a setting does.
"""

from __future__ import annotations

import math
import typing
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from bench.core.errors import unknown_name_message
from bench.core.hashing import stable_hash
from bench.core.registry import CONTROLS
from bench.data.folds import MIN_FOLDS
from bench.quantum.profiles import BackendProfile
from bench.spec.device import DEFAULT_DEVICE, DEFAULT_PRECISION, DEVICE_FORMS, DeviceName, Precision


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DefaultsHidden(Frozen):
    """A model whose ``HIDDEN`` keys are left out of its plain data while they hold their defaults,
    so adding such a key changed no suite hash, cell key or cache key of a suite that leaves it unset."""

    HIDDEN: ClassVar[dict[str, Any]] = {}

    @model_serializer(mode="wrap")
    def _defaults_hidden(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        for key, default in self.HIDDEN.items():
            if data.get(key) == default:
                data.pop(key, None)
        return data


DEVICE_HELP = (
    f"Device of {{what}} ({DEVICE_FORMS}): 'auto' is CUDA when the machine running the "
    "cell sees a GPU (torch.cuda.is_available()), else the CPU; 'cuda' on a machine without a GPU is "
    "refused when the suite is loaded. Records say which device ran (`compute.{field}`) and whether the "
    "result is bit-reproducible (`compute.reproducible`: CUDA results are repeatable on one machine with "
    "deterministic algorithms, not across machines). Part of the cell key only when not 'cpu'."
)


class PluginRef(Frozen):
    """A plugin by registry name, with its options (validated by the plugin's ``Params``)."""

    ACCEPTS: ClassVar[str] = "a name or a mapping of keys (allowed: {keys})"

    name: str = Field(description="Registry name of the plugin.")
    params: dict[str, Any] = Field(default_factory=dict, description="Options of the plugin.")
    label: str = Field(
        "",
        pattern=r"^[A-Za-z0-9_.+~-]*$",
        description="Name shown in reports and cell keys; default: the plugin name, plus a short hash of the "
        "params when two entries of one axis share a name.",
    )


class DatasetRef(PluginRef):
    """A dataset entry: a plugin ref plus its folds (``bench.data.folds``; checked by ``bench.spec.folds``).

    ``folds`` and ``cv`` are left out of the entry's plain data when unset, so a suite without
    them has the same hash and cell keys as before these keys existed."""

    ACCEPTS: ClassVar[str] = "a name or a mapping of keys (allowed: {keys})"

    folds: list[int] | Literal["all"] | None = Field(
        None,
        description="Official cross-validation folds to run, each a cell axis like the seed: `all` or a "
        "list of fold numbers (urbansound8k 1-10, esc50 1-5). Fold k tests, the fold before it "
        "(cyclically) validates, the others train. Only for datasets with official folds.",
    )
    cv: int | None = Field(
        None,
        description="Generated K-fold cross-validation (K >= 3) for a dataset without official folds: "
        "stratified by class from the dataset's `seed`, whole groups (crema-d's speakers) kept in one "
        "fold; each fold is a cell axis, with the same test/validation rule as `folds`.",
    )

    @field_validator("folds", mode="before")
    @classmethod
    def _folds_form(cls, value: Any) -> Any:
        if value is None or value == "all":
            return value
        numbers = isinstance(value, list) and all(type(v) is int for v in value)
        if not numbers or not value:
            raise ValueError(f"expected all or a non-empty list of fold numbers (got {value!r})")
        if len(set(value)) != len(value):
            raise ValueError(f"duplicate values in {value}")
        return value

    @field_validator("cv", mode="before")
    @classmethod
    def _cv_form(cls, value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, int) or isinstance(value, bool) or value < MIN_FOLDS:
            raise ValueError(
                f"expected a number of folds >= {MIN_FOLDS} (one tests, one validates, the rest train) "
                f"(got {value!r})"
            )
        return value

    @model_validator(mode="after")
    def _one_way_of_folding(self) -> DatasetRef:
        if self.folds is not None and self.cv is not None:
            raise ValueError(
                "cv: give folds (the dataset's official folds) or cv (K generated folds), not both"
            )
        return self

    @model_serializer(mode="wrap")
    def _unset_folds_hidden(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        for key in ("folds", "cv"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def plain(self) -> PluginRef:
        """The entry without its folds: what a cell's spec and the feature cache key name."""
        return PluginRef(name=self.name, params=self.params, label=self.label)


class HeadRef(PluginRef):
    """A head entry: a plugin ref plus the head options to sweep (``grid``) or tune (``select``)."""

    grid: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="Head options swept as axes: each combination becomes its own head entry (own cells, "
        "controls and report rows), labelled <label>+<value> (strings) or <label>+<option><value>.",
    )
    select: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="Head options tuned on validation inside each cell: every combination is trained, the "
        "one with the best validation accuracy is kept (ties: lower validation loss, then list order), and "
        "the test split is scored once, after the choice. The record's `selection` says what was chosen.",
    )
    training: dict[str, Any] = Field(
        default_factory=dict,
        description="This head's overrides of the suite's `training` (any of its keys, e.g. {lr: 0.01}); "
        "they change the keys of this head's cells (and its controls') only, so other heads stay cached.",
    )

    def spec(self) -> dict[str, Any]:
        """Plain data for cell specs: ``grid`` (expanded away at load time), an empty ``select`` and
        ``training`` (the cell spec holds the head's effective training instead) are left out, so
        adding these keys changed no existing cell key."""
        return self.model_dump(exclude={"grid", "training", *(() if self.select else ("select",))})


def _registered_control_kind(name: str) -> str:
    if name not in CONTROLS:
        raise ValueError(unknown_name_message("control kind", name, CONTROLS.names()))
    return name


ControlKindName = Annotated[str, AfterValidator(_registered_control_kind)]
"""A control kind's name, checked against ``bench.core.registry.CONTROLS``."""


class ControlsSpec(Frozen):
    """Controls generated for every quantum or hybrid cell (see ``bench.spec.controls``)."""

    ACCEPTS: ClassVar[str] = (
        f"true (every control), false or [] (none), a list of kinds ({', '.join(CONTROLS.in_order())}) "
        "or a mapping of keys (allowed: {keys})"
    )

    kinds: list[ControlKindName] = Field(
        default_factory=CONTROLS.in_order,
        description="Which controls, by kind (one plugin each, listed under Control kinds; default: every "
        "kind). [] or `controls: false` turns them off.",
    )
    qubits: list[int] | None = Field(
        None, description="Generate controls only for circuit cells of these qubit counts (default: all)."
    )
    layers: list[int] | None = Field(
        None, description="Generate controls only for circuit cells of these layer counts (default: all)."
    )
    param_tolerance: float = Field(
        0.1, gt=0, lt=1, description="matched-mlp: allowed relative difference of trainable-parameter counts."
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return {} if value else {"kinds": []}
        if isinstance(value, list):
            return {"kinds": value}
        return value


def _as_ref(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class BackboneTraining(DefaultsHidden):
    """How the backbone is trained (once per dataset x seed), then frozen."""

    HIDDEN: ClassVar[dict[str, Any]] = {"device": DEFAULT_DEVICE, "precision": DEFAULT_PRECISION}

    epochs: int = Field(
        15,
        ge=0,
        description="Maximum training epochs. 0 (frozen protocol): use the backbone as built or loaded "
        "from its `weights` checkpoint, without training it on the task.",
    )
    batch_size: int = Field(32, ge=1, description="Mini-batch size.")
    lr: float = Field(1e-3, gt=0, description="Learning rate.")
    weight_decay: float = Field(0.0, ge=0, description="Weight decay.")
    patience: int = Field(4, ge=1, description="Early stopping: epochs without a better validation accuracy.")
    optimizer: Literal["adam", "sgd"] = Field(
        "adam", description="Optimizer of the backbone's parameters (also in the finetune protocol)."
    )
    momentum: float = Field(0.9, ge=0, lt=1, description="Momentum of the sgd optimizer (ignored by adam).")
    device: DeviceName = Field(
        DEFAULT_DEVICE,
        description=DEVICE_HELP.format(what="the backbone's training and embedding", field="backbone_device")
        + " In the finetune protocol the whole joint model trains here.",
    )
    precision: Precision = Field(
        DEFAULT_PRECISION,
        description="Backbone arithmetic: fp32, or mixed precision under torch.autocast - bf16 (CPU or "
        "CUDA) or fp16 (CUDA only, with a gradient scaler). Mixed precision is never bit-reproducible "
        "across machines (`compute.reproducible` says so). Heads stay float64. Part of the cell key only "
        "when not fp32.",
    )

    @model_validator(mode="after")
    def _fp16_on_cuda(self) -> BackboneTraining:
        if self.precision == "fp16" and not self.device.startswith("cuda"):
            raise ValueError(
                f"precision: fp16 needs device cuda or cuda:N (its gradient scaler is CUDA-only; device is "
                f"'{self.device}'); on the CPU use bf16 (allowed: fp32, bf16, fp16)"
            )
        return self


class BackboneSpec(Frozen):
    name: str = Field("small-cnn", description="Registry name of the backbone.")
    params: dict[str, Any] = Field(default_factory=dict, description="Options of the backbone.")
    protocol: Literal["frozen", "finetune"] = Field(
        "frozen",
        description="'frozen': the backbone is trained once per dataset x seed (or loaded), frozen, and its "
        "embeddings cached; heads train on them. 'finetune': backbone, compression (a linear map initialised "
        "from PCA) and head train jointly end to end for every trained head (backbone parameters with "
        "backbone.training's optimizer, lr and weight decay; epochs, batch size, patience and head lr from "
        "`training`); nothing is shared between heads.",
    )
    training: BackboneTraining = Field(default_factory=BackboneTraining)

    @property
    def ref(self) -> PluginRef:
        return PluginRef(name=self.name, params=self.params, label=self.name)


class CompressionSpec(Frozen):
    """Embedding -> ``n_qubits`` angles, fitted on the training split only."""

    method: Literal["pca"] = Field("pca", description="Dimensionality reduction to n_qubits features.")
    standardize: bool = Field(True, description="Standardise embeddings before the reduction.")
    angle_range: tuple[float, float] = Field(
        (0.0, math.pi), description="Features are min-max scaled (on train) into this angle range."
    )

    @model_validator(mode="after")
    def _ordered(self) -> CompressionSpec:
        low, high = self.angle_range
        if not low < high:
            raise ValueError(
                f"angle_range must be [low, high] with low < high (got {list(self.angle_range)})"
            )
        return self


class TrainingSpec(DefaultsHidden):
    """How heads are trained and how exact backends are checked against each other."""

    HIDDEN: ClassVar[dict[str, Any]] = {"device": DEFAULT_DEVICE}

    epochs: int = Field(40, ge=1, description="Maximum epochs per head.")
    batch_size: int = Field(64, ge=1, description="Mini-batch size (one broadcast circuit call per batch).")
    lr: float = Field(0.02, gt=0, description="Adam learning rate.")
    weight_decay: float = Field(0.0, ge=0, description="Adam weight decay.")
    patience: int = Field(8, ge=1, description="Early stopping: epochs without a better validation accuracy.")
    train_on: str = Field(
        "auto",
        description="'auto': train once on the fastest exact simulator for the circuit size, then check and "
        "time every backend of the grid; 'each': train on every built-in simulator of the grid; or a "
        "simulator name to pin. Evaluate-only profiles never train.",
    )
    lightning_from_qubits: int | None = Field(
        None,
        ge=1,
        description="With train_on=auto: circuits this wide or wider train on lightning.qubit; "
        "null: the fastest available simulator for the width, from measured timings "
        "(backends/trainer-timings.json, `python -m bench calibrate`).",
    )
    agreement_tol: float = Field(
        1e-6, gt=0, description="Max |output difference| allowed between an exact backend and the trainer."
    )
    timing_repeats: int = Field(3, ge=1, description="Repeats of each circuit timing (the median is kept).")
    device: DeviceName = Field(
        DEFAULT_DEVICE,
        description=DEVICE_HELP.format(what="head training", field="device")
        + " A circuit trained on torch.statevector then runs on that GPU (its CUDA path); other "
        "simulators run the circuit on the CPU. Evaluation on the backends stays on the CPU. A head's "
        "`training` may override it; backbone.training.device is set separately.",
    )


class BudgetSpec(Frozen):
    """Spending cap for the IBM cells of a suite (hardware and rehearsals), over all its runs."""

    max_qpu_seconds: float | None = Field(
        None,
        gt=0,
        description="Cap on QPU seconds (used + estimated for pending cells); a run that would "
        "exceed it refuses to start. Required for IBM hardware; rehearsals are uncapped without it.",
    )


class Suite(Frozen):
    """A validated suite. Axes: datasets (and their folds), heads, qubits, layers, backends, seeds."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Suite name; reports go to reports/<name>/.")
    description: str = Field("", description="Free text shown in the report.")
    datasets: list[DatasetRef] = Field(
        min_length=1,
        description="Datasets (name or {name, params, label, folds, cv}; see `datasets[]` below).",
    )
    features: PluginRef = Field(
        default_factory=lambda: PluginRef(name="logmel"),
        description="Feature extractor (name or {name, params}).",
    )
    backbone: BackboneSpec = Field(
        default_factory=BackboneSpec, description="Backbone and how it is trained."
    )
    compression: CompressionSpec = Field(default_factory=CompressionSpec, description="Embedding -> angles.")
    heads: list[HeadRef] = Field(
        min_length=1, description="Heads (name or {name, params, grid, select}; see `heads[]` below)."
    )
    qubits: list[typing.Annotated[int, Field(ge=1, le=30)]] = Field(
        min_length=1, description="Qubit counts; also the width of the compressed input every head sees."
    )
    layers: list[typing.Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: [1],
        min_length=1,
        description="Variational layer counts (circuit heads only).",
    )
    backends: list[str] = Field(
        default_factory=lambda: ["default.qubit"],
        min_length=1,
        description="Backends each circuit head is evaluated and timed on: a built-in simulator or a profile "
        "name (backends/*.yaml or `profiles`); see `python -m bench backends`.",
    )
    profiles: dict[str, BackendProfile] = Field(
        default_factory=dict,
        description="Backend profiles defined inline (name -> profile); other names in `backends` are looked "
        "up in backends/*.yaml.",
    )
    budget: BudgetSpec = Field(default_factory=BudgetSpec, description="QPU spending cap for IBM cells.")
    seeds: list[typing.Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: [0, 1, 2],
        min_length=1,
        description="Seeds; each seeds the backbone, compression, head init and shuffling of its cells.",
    )
    training: TrainingSpec = Field(default_factory=TrainingSpec, description="How heads are trained.")
    controls: ControlsSpec = Field(
        default_factory=ControlsSpec,
        description="Matched controls generated for every quantum or hybrid cell (on by default; see below).",
    )

    @field_validator("name")
    @classmethod
    def _inside_reports(cls, value: str) -> str:
        if set(value) == {"."}:
            raise ValueError(
                f"'{value}' is not a folder name (reports go to reports/<name>/); use letters, digits, "
                "'_', '.' and '-', not only dots"
            )
        return value

    _normalise_refs = field_validator("datasets", "heads", mode="before")(
        classmethod(lambda cls, v: [_as_ref(x) for x in v] if isinstance(v, list) else v)
    )
    _normalise_ref = field_validator("features", mode="before")(classmethod(lambda cls, v: _as_ref(v)))

    @property
    def hash(self) -> str:
        return stable_hash(self.model_dump())

    def training_for(self, head: HeadRef) -> TrainingSpec:
        """The training settings of ``head``'s cells: the suite's ``training`` with the head's
        ``training`` overrides applied (the suite's own object when there are none)."""
        if not head.training:
            return self.training
        return TrainingSpec(**{**self.training.model_dump(), **head.training})
