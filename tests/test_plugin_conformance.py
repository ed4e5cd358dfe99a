"""One conformance test over every entry of every registry (``bench.core.registry``).

Shared rules, for datasets, features, backbones, heads, simulators and executors alike: the
entry derives from its kind's base class, its ``name`` equals its registry key, it has a class
docstring, every option (``Params`` field) has a description, and it runs on its tiny test
parameters - or, when it cannot work here (``unavailable()`` / ``probe()``: no data root, no
GPU, an optional package missing), the test is skipped with that reason. Running includes each
kind's own contract (the ``RawData`` contract, feature arrays, backbone and head shapes, exact
simulators agreeing with ``default.qubit``, executors returning every task's result). New
registry entries are picked up automatically; the shipped backend profiles, which are not
registry entries, must resolve to backends of the same ``Backend`` contract. Deeper,
kind-specific checks live next to each kind (tests/data, tests/backbones, tests/heads,
tests/quantum).
"""

from __future__ import annotations

import operator
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from bench.backbones.base import BaseBackbone
from bench.controls.base import ControlKind
from bench.core import registry
from bench.core.plugin import Plugin
from bench.core.registry import (
    BACKBONES,
    CONTROLS,
    DATASETS,
    EXECUTORS,
    FEATURES,
    HEADS,
    SIMULATORS,
    Registry,
)
from bench.data.base import BaseDataset
from bench.data.local import env_var
from bench.features.base import BaseFeature
from bench.heads.base import BaseHead
from bench.quantum.base import Backend
from bench.quantum.layer import QuantumLayer
from bench.quantum.resolve import backend_for, evaluation_backends
from bench.run.executors import Executor, Node
from bench.spec.profile_files import PACKAGE_PROFILES, load_all
from bench.spec.suite import ControlsSpec, HeadRef
from tests.data.dataset_layouts import BUILDERS, assert_rawdata_contract

KINDS: dict[str, tuple[Registry, type]] = {
    "dataset": (DATASETS, BaseDataset),
    "feature": (FEATURES, BaseFeature),
    "backbone": (BACKBONES, BaseBackbone),
    "head": (HEADS, BaseHead),
    "simulator": (SIMULATORS, Backend),  # entries are backend instances
    "executor": (EXECUTORS, Executor),
    "control": (CONTROLS, ControlKind),  # entries are control-kind instances
}
ENTRIES = [(kind, name) for kind, (registry, _) in KINDS.items() for name in registry.names()]
IDS = [f"{kind}:{name}" for kind, name in ENTRIES]
EMBEDDED = {"audio": "urban-synth", "image": "digits"}  # datasets that need no files
N_QUBITS, N_CLASSES, BATCH = 2, 3, 4
SHIPPED_PROFILES = load_all([PACKAGE_PROFILES])

pytestmark = pytest.mark.usefixtures("no_data_env")  # never the developer's own data roots


def _entry(kind: str, name: str):
    return KINDS[kind][0].get(name)


def _cls(kind: str, name: str) -> type:
    entry = _entry(kind, name)
    return entry if isinstance(entry, type) else type(entry)


@pytest.fixture(scope="module")
def raw():
    """``raw(modality)``: the embedded dataset of that modality on its test params (loaded once)."""
    loaded = {}

    def get(modality: str):
        if modality not in loaded:
            cls = DATASETS.get(EMBEDDED[modality])
            loaded[modality] = cls.from_dict(cls.test_params).load()
        return loaded[modality]

    return get


# ------------------------------------------------------------------ shared rules


@pytest.mark.parametrize(("kind", "name"), ENTRIES, ids=IDS)
def test_derives_from_its_base_and_is_registered_under_its_name(kind, name):
    entry, base = _entry(kind, name), KINDS[kind][1]
    assert isinstance(entry, base) if kind in ("simulator", "control") else issubclass(entry, base)
    assert entry.name == name
    assert (_cls(kind, name).__doc__ or "").strip(), f"{kind} {name} has no docstring"
    assert DECLARES[kind](_cls(kind, name)), f"{kind} {name} does not declare its kind's attributes"


DECLARES = {
    "dataset": lambda cls: (
        cls.modality in EMBEDDED and any(FEATURES.get(f).modality == cls.modality for f in FEATURES.names())
    ),
    "feature": lambda cls: cls.modality in EMBEDDED,
    "backbone": lambda cls: len(cls.test_input_shape) == 3,
    "head": lambda cls: isinstance(cls.uses_circuit, bool),
    "simulator": lambda cls: True,
    "executor": lambda cls: isinstance(cls.supports_progress, bool) and "workers" in cls.test_params,
    "control": lambda cls: (
        all(isinstance(v, str) and v.strip() for v in (cls.summary, cls.label, cls.marker))
        and isinstance(cls.runs_circuit, bool)
    ),
}


@pytest.mark.parametrize(("kind", "name"), ENTRIES, ids=IDS)
def test_every_option_is_documented_and_test_params_validate(kind, name):
    cls = _cls(kind, name)
    if not issubclass(cls, Plugin):
        assert not hasattr(cls, "Params"), f"{kind} {name} has options but is not a Plugin"
        return
    for field, info in cls.Params.model_fields.items():
        assert info.description, f"{kind} {name}: option {field} has no description"
    cls.Params(**cls.test_params)


@pytest.mark.parametrize(("kind", "name"), ENTRIES, ids=IDS)
def test_runs_on_its_test_params(kind, name, raw, tmp_path, monkeypatch):
    if kind == "dataset" and name in BUILDERS:  # a file dataset reads a tiny fixture copy of its layout
        monkeypatch.setenv(env_var(name), str(BUILDERS[name](tmp_path).root))
    reason = PROBES[kind](_entry(kind, name))
    if reason is not None:
        assert reason.strip() and "\n" not in reason.strip(), f"{kind} {name}: reason is not one line"
        pytest.skip(f"{kind} {name} unavailable here: {reason}")
    RUNS[kind](_entry(kind, name), raw)


def _plugin(cls) -> Plugin:
    return cls.from_dict(cls.test_params)


PROBES = {
    "dataset": lambda cls: _plugin(cls).unavailable(),
    "feature": lambda cls: _plugin(cls).unavailable(),
    "backbone": lambda cls: _plugin(cls).unavailable(),
    "head": lambda cls: _plugin(cls).unavailable(),
    "simulator": lambda backend: backend.probe(),
    "executor": lambda cls: cls.probe(),
    "control": lambda kind: None,
}


# ------------------------------------------------------------------ each kind's own run


def _run_dataset(cls, raw) -> None:
    plugin = _plugin(cls)
    data = raw(cls.modality) if cls.name == EMBEDDED[cls.modality] else plugin.load()
    assert_rawdata_contract(plugin, data)


def _run_feature(cls, raw) -> None:
    data = raw(cls.modality)
    out = _plugin(cls).transform(data)
    assert out.dtype == np.float32 and out.ndim == 4 and len(out) == len(data.x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, _plugin(cls).transform(data))
    other = next(m for m in EMBEDDED if m != cls.modality)
    with pytest.raises(ValueError, match="modality"):
        _plugin(cls).transform(raw(other))


def _run_backbone(cls, raw) -> None:
    plugin = _plugin(cls)
    torch.manual_seed(0)
    net = plugin.build(plugin.test_input_shape, N_CLASSES)
    net.eval()
    seen = []
    handle = net.cam_layer().register_forward_hook(lambda m, i, o: seen.append(o.shape))
    x = torch.rand((BATCH, *plugin.test_input_shape), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        emb, logits = net.embed(x), net(x)
    handle.remove()
    assert emb.shape == (BATCH, net.embedding_dim) and emb.dtype == torch.float32
    assert logits.shape == (BATCH, N_CLASSES)
    assert len(seen) == 2 and len(seen[0]) == 4 and seen[0][0] == BATCH  # a spatial map on the forward path


def _run_head(cls, raw) -> None:
    head = _plugin(cls)
    sim = SIMULATORS.get("default.qubit") if cls.uses_circuit else None
    model = head.build(
        N_QUBITS, N_CLASSES, 1 if cls.uses_circuit else None, sim, torch.Generator().manual_seed(0)
    )
    x = torch.rand(BATCH, N_QUBITS, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    out = model(x)
    assert out.shape == (BATCH, N_CLASSES) and out.dtype == torch.float64
    if not cls.uses_circuit:
        assert model.quantum is None and model.param_counts()[1] == 0


def _layer_outputs(backend: Backend) -> tuple[torch.Tensor, torch.Tensor]:
    layer = QuantumLayer(N_QUBITS, 1, backend, torch.Generator().manual_seed(0))
    x = torch.rand(BATCH, N_QUBITS, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    out = layer(x)
    out.sum().backward()
    return out.detach(), layer.weights.grad


def _run_simulator(backend: Backend, raw) -> None:
    assert not backend.evaluate_only and backend.circuits_per_input == 1 and backend.execution_stats() is None
    out, grad = _layer_outputs(backend)
    assert out.shape == (BATCH, N_QUBITS) and out.dtype == torch.float64
    reference, reference_grad = _layer_outputs(SIMULATORS.get("default.qubit"))
    torch.testing.assert_close(out, reference, atol=1e-5, rtol=0)  # exact simulators agree
    if backend.differentiable:
        torch.testing.assert_close(grad, reference_grad, atol=1e-5, rtol=0)
    backend.close()


def _run_executor(cls, raw) -> None:
    executor = cls(**cls.test_params)
    executor.start(())
    try:
        tasks = [-3, -1, 2, 5]
        assert sorted(executor.run(operator.neg, tasks)) == sorted((t, -t) for t in tasks)  # picklable fns
        graph = [Node("a", operator.neg, 2), Node("b", operator.add, 3, after=("a",))]
        assert {node.key: result for node, result in executor.run_graph(graph)} == {"a": -2, "b": 1}
    finally:
        executor.close()


def _treatments() -> list[HeadRef]:
    """Every registered circuit head on its test params, as a suite's head entry."""
    out = []
    for name in HEADS.names():
        cls = HEADS.get(name)
        if cls.uses_circuit:
            params = cls.Params(**cls.test_params).model_dump(mode="json")
            out.append(HeadRef(name=name, params=params, label=name))
    return out


def _run_control(kind: ControlKind, raw) -> None:
    """The kind applies to some circuit head; each control it derives is a valid head entry labelled
    ``<treatment>~<kind>`` that builds, runs, and runs a circuit exactly when the kind says so."""
    derived = [kind.control_of(h, N_QUBITS, 1, ControlsSpec()) for h in _treatments()]
    assert any(c is not None for c in derived), f"control {kind.name} applies to no registered head"
    for treatment, control in zip(_treatments(), derived, strict=True):
        if control is None:
            continue
        assert control.label == f"{treatment.label}~{kind.name}"
        head = HEADS.get(control.name).from_dict(control.params)
        sim = SIMULATORS.get("default.qubit") if head.uses_circuit else None
        layers = 1 if head.uses_circuit else None
        model = head.build(N_QUBITS, N_CLASSES, layers, sim, torch.Generator().manual_seed(0))
        x = torch.rand(BATCH, N_QUBITS, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
        assert model(x).shape == (BATCH, N_CLASSES)
        if kind.runs_circuit:
            assert model.quantum is not None
        else:
            assert model.param_counts()[1] == 0, f"{kind.name} trains circuit weights"


RUNS = {
    "dataset": _run_dataset,
    "feature": _run_feature,
    "backbone": _run_backbone,
    "head": _run_head,
    "simulator": _run_simulator,
    "executor": _run_executor,
    "control": _run_control,
}


@pytest.mark.parametrize("profile", sorted(SHIPPED_PROFILES))
def test_every_shipped_profile_resolves_to_declared_backends(profile):
    """Profile backends (not registry entries) implement the same contract."""
    suite = SimpleNamespace(name="conformance", profiles={profile: SHIPPED_PROFILES[profile]})
    backends = [backend for _, backend in evaluation_backends(suite, profile, seed=0)]
    if not SHIPPED_PROFILES[profile].evaluate_only:
        backends = [backend_for(suite, profile)]
    for backend in backends:
        assert isinstance(backend, Backend) and backend.name.startswith(profile)
        reason = backend.probe()
        assert reason is None or (reason.strip() and "\n" not in reason.strip())
        assert backend.circuits_per_input >= 1 and isinstance(backend.evaluate_only, bool)


def test_every_registry_is_covered():
    registries = [v for v in vars(registry).values() if isinstance(v, Registry)]
    assert sorted(id(r) for r in registries) == sorted(id(r) for r, _ in KINDS.values())
    assert set(KINDS) == set(DECLARES) == set(PROBES) == set(RUNS)
    assert {kind for kind, _ in ENTRIES} == set(KINDS)  # no registry is empty
