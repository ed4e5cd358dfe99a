"""Loading a suite: YAML -> validated ``Suite`` with every plugin name and params resolved.

See ``bench.spec.suite`` for the two validation passes and the error format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from bench.core.errors import UserError, unknown_name_message
from bench.core.registry import BACKBONES, DATASETS, FEATURES, SIMULATORS, Registry
from bench.spec.device import cuda_problem, names_cuda
from bench.spec.folds import resolve_folds
from bench.spec.head_entries import expand_heads
from bench.spec.located import Located, labelled
from bench.spec.profile_files import load_profile, profile_dirs, profile_files
from bench.spec.suite import PluginRef, Suite, TrainingSpec
from bench.spec.yaml_source import KeyPath, load_yaml


def _available_first() -> list[str]:
    """The simulators, those that run here first (suggested first for a name that begins several)."""
    names = SIMULATORS.names()
    return sorted(names, key=lambda n: SIMULATORS.get(n).probe() is not None)


R = TypeVar("R", bound=PluginRef)


def _resolve_ref(ref: R, registry: Registry, at: KeyPath, loc: Located) -> R:
    try:
        plugin = registry.get(ref.name)
    except KeyError as exc:
        raise loc.error((*at, "name"), exc.args[0]) from None
    loc.check_numbers(ref.params, plugin.Params, (*at, "params"))
    try:
        params = plugin.Params(**ref.params)
    except ValidationError as exc:
        raise loc.from_validation(exc, plugin.Params, (*at, "params")) from None
    return ref.model_copy(update={"params": params.model_dump(mode="json")})


def _resolve(suite: Suite, loc: Located) -> Suite:
    suite = _resolve_backends(suite, loc)
    datasets = [
        resolve_folds(_resolve_ref(r, DATASETS, ("datasets", i), loc), r.params, ("datasets", i), loc)
        for i, r in enumerate(suite.datasets)
    ]
    datasets = labelled(datasets, "datasets", loc)
    heads = expand_heads(suite.heads, loc)
    features = _resolve_ref(suite.features, FEATURES, ("features",), loc)
    backbone_ref = _resolve_ref(suite.backbone.ref, BACKBONES, ("backbone",), loc)
    _check_modalities(datasets, features, loc)
    _check_train_on(suite.training, ("training",), loc)
    for i in range(len(suite.heads)):
        _check_head_training(suite, i, loc)
    _check_devices(suite, loc)
    for axis in ("qubits", "layers", "seeds", "backends"):
        values = getattr(suite, axis)
        if len(set(values)) != len(values):
            raise loc.error((axis,), f"duplicate values in {values}")
    for axis in ("qubits", "layers"):
        subset = getattr(suite.controls, axis)
        if subset is not None and not set(subset) <= set(getattr(suite, axis)):
            raise loc.error(("controls", axis), f"{subset} is not a subset of {axis} {getattr(suite, axis)}")
    backbone = suite.backbone.model_copy(update={"params": backbone_ref.params})
    return suite.model_copy(
        update={"datasets": datasets, "heads": heads, "features": features, "backbone": backbone}
    )


def _check_train_on(training: TrainingSpec, at: KeyPath, loc: Located) -> None:
    train_on = training.train_on
    if train_on not in ("auto", "each") and train_on not in SIMULATORS:
        allowed = ["auto", "each", *SIMULATORS.names()]
        raise loc.error((*at, "train_on"), f"unknown value '{train_on}' (allowed: {', '.join(allowed)})")


def _check_head_training(suite: Suite, i: int, loc: Located) -> None:
    """A head's ``training`` overrides: known keys of ``training``, valid values."""
    overrides, at = suite.heads[i].training, ("heads", i, "training")
    loc.check_numbers(overrides, TrainingSpec, at)
    try:
        merged = TrainingSpec(**{**suite.training.model_dump(), **overrides})
    except ValidationError as exc:
        raise loc.from_validation(exc, TrainingSpec, at) from None
    _check_train_on(merged, at, loc)


def _check_devices(suite: Suite, loc: Located) -> None:
    """Every device setting that names CUDA must find it on this machine (``auto`` falls back)."""
    settings: list[tuple[KeyPath, str]] = [
        (("training", "device"), suite.training.device),
        (("backbone", "training", "device"), suite.backbone.training.device),
    ]
    settings += [
        (("heads", i, "training", "device"), h.training["device"])
        for i, h in enumerate(suite.heads)
        if isinstance(h.training.get("device"), str)
    ]
    for at, device in settings:
        problem = cuda_problem(device) if names_cuda(device) else None
        if problem:
            raise loc.error(at, f"'{device}' requested but {problem} (allowed here: auto, cpu)")


def _check_modalities(datasets: list[PluginRef], features: PluginRef, loc: Located) -> None:
    """Every dataset must be of the kind (audio / image) the feature extractor reads."""
    reads = FEATURES.get(features.name).modality
    for i, ref in enumerate(datasets):
        kind = DATASETS.get(ref.name).modality
        if kind != reads:
            fits = [n for n in FEATURES.names() if FEATURES.get(n).modality == kind]
            raise loc.error(
                ("datasets", i, "name"),
                f"'{ref.name}' is {kind} data but feature "
                f"'{features.name}' reads {reads} (features for {kind}: {', '.join(fits)})",
            )


def _resolve_backends(suite: Suite, loc: Located) -> Suite:
    """Check every backend name; copy the file profiles it uses into ``suite.profiles``."""
    for name in suite.profiles:
        if name in SIMULATORS:
            message = f"'{name}' is a built-in simulator; give the profile another name"
            raise loc.error(("profiles", name), message)
    files = profile_files(profile_dirs(loc.path))
    profiles = dict(suite.profiles)
    for i, name in enumerate(suite.backends):
        if name in SIMULATORS or name in profiles:
            continue
        if name not in files:
            known = {*SIMULATORS.names(), *profiles, *files}
            message = unknown_name_message("backend", name, known, _available_first())
            raise loc.error(("backends", i), message)
        profiles[name] = load_profile(files[name])
    return suite.model_copy(update={"profiles": profiles})


def load_suite(path: str | Path) -> Suite:
    """Load and validate a suite file; raise ``UserError`` (one line) on any problem."""
    path = Path(path)
    data, lines = load_yaml(path)
    loc = Located(path, lines)
    if not isinstance(data, dict):
        raise UserError(
            f"{path}:1: <top level>: a suite must be a mapping of keys (got {type(data).__name__})"
        )
    loc.check_numbers(data, Suite)
    try:
        suite = Suite(**data)
    except ValidationError as exc:
        raise loc.from_validation(exc, Suite, ()) from None
    return _resolve(suite, loc)
