"""Option reference generated from the models' field descriptions (``python -m bench options``).

``docs/options.md`` is this output (``python -m bench options --write`` rewrites it); a test keeps
the two identical, so every option a user can write is documented, with its default, exactly once.
Options the dataset loaders share (``root``, ``classes``, ``seed``, splits, audio cropping) are
printed once, in their own tables; each dataset then lists which shared groups it takes and a
table of its own options only (a shared option whose default or meaning it changes counts as its own).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from bench.core.plugin import Params
from bench.core.registry import BACKBONES, CONTROLS, DATASETS, FEATURES, HEADS, Registry
from bench.data.options import (
    AudioParams,
    FoldParams,
    FractionSplitParams,
    HoldoutParams,
    RootParams,
    SelectionParams,
)
from bench.spec.suite import (
    BackboneSpec,
    BackboneTraining,
    CompressionSpec,
    ControlsSpec,
    DatasetRef,
    HeadRef,
    Suite,
    TrainingSpec,
)

OPTIONS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "options.md"
"""The generated page in a source checkout (``python -m bench options --write`` rewrites it)."""

HEADER = (
    "# Option reference\n\n"
    "Every key a suite, a backend profile or a sweep file accepts, with its default. Generated from the\n"
    "code by `python -m bench options --write`; a test fails when this page is out of date."
)

SHARED_DATASET_OPTIONS: tuple[tuple[str, type[Params]], ...] = (
    ("local files", RootParams),
    ("class selection", SelectionParams),
    ("split by fractions", FractionSplitParams),
    ("official train/test split", HoldoutParams),
    ("official folds", FoldParams),
    ("audio clips", AudioParams),
)
"""Option groups the dataset loaders share, each printed once (see ``bench.data.options``)."""


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory else field.default
    if isinstance(value, BaseModel):
        return "see below"
    return f"`{value!r}`".replace("|", "\\|")


def model_table(model: type[BaseModel], names: list[str] | None = None) -> str:
    """A markdown table of ``model``'s fields (or only ``names``): key, default, meaning."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for name in names or list(model.model_fields):
        field = model.model_fields[name]
        rows.append(f"| `{name}` | {_default(field)} | {(field.description or '').replace('|', '/')} |")
    return "\n".join(rows)


def _plugin_doc(plugin: type) -> str:
    return (plugin.__doc__ or "").strip().splitlines()[0] if plugin.__doc__ else ""


def _registry_section(title: str, registry: Registry) -> list[str]:
    out = [f"## {title}"]
    for name in registry.names():
        plugin = registry.get(name)
        out.append(f"### `{name}`\n\n{_plugin_doc(plugin)}")
        out.append(model_table(plugin.Params) if plugin.Params.model_fields else "No options.")
    return out


def _controls_section() -> list[str]:
    """The control kinds, in registration order, from each kind's own declaration."""
    rows = ["| kind | what changes | runs a circuit | shown as |", "|---|---|---|---|"]
    for name in CONTROLS.in_order():
        kind = CONTROLS.get(name)
        rows.append(f"| `{name}` | {kind.summary} | {'yes' if kind.runs_circuit else 'no'} | {kind.label} |")
    return ["### Control kinds (`controls.kinds`)", "\n".join(rows)]


def _same_field(a, b) -> bool:
    return (a.annotation, a.default, a.default_factory, a.description) == (
        b.annotation,
        b.default,
        b.default_factory,
        b.description,
    )


def _shared_groups(params: type[Params]) -> tuple[list[str], list[str]]:
    """``(groups, own)``: the shared option groups ``params`` takes unchanged, and its other fields."""
    groups, shared = [], set()
    for title, group in SHARED_DATASET_OPTIONS:
        if issubclass(params, group):
            same = [n for n, f in group.model_fields.items() if _same_field(params.model_fields[n], f)]
            if same:
                groups.append(title)
                shared.update(same)
    return groups, [n for n in params.model_fields if n not in shared]


def _dataset_section() -> list[str]:
    out = ["## Datasets", "### Options shared by the dataset loaders"]
    for title, group in SHARED_DATASET_OPTIONS:
        out.append(f"**{title}**\n\n" + model_table(group))
    for name in DATASETS.names():
        plugin = DATASETS.get(name)
        groups, own = _shared_groups(plugin.Params)
        takes = f"Shared options: {', '.join(groups)}." if groups else "No shared options."
        out.append(f"### `{name}`\n\n{_plugin_doc(plugin)}\n\n{takes}")
        if own:
            out.append(model_table(plugin.Params, own))
    return out


def _native_params(name: str) -> type[BaseModel]:
    from bench.quantum.profiles import native_simulator

    return native_simulator(name).ProfileParams


def _backend_sections() -> list[str]:
    """Backend profiles (``backends/*.yaml`` or a suite's ``profiles``), the budget and sweep files."""
    from bench.quantum.profiles import BackendProfile, IbmSpec, MitigationSpec, NoiseSpec, native_simulators
    from bench.spec.suite import BudgetSpec
    from bench.timing.sweep import SweepSpec

    return [
        "## Budget, backend profiles and sweep files",
        "### `budget`",
        model_table(BudgetSpec),
        "### Backend profiles (`backends/<name>.yaml` or `profiles.<name>`)",
        model_table(BackendProfile),
        "### Profile `noise`",
        model_table(NoiseSpec),
        "### Profile `mitigation`",
        model_table(MitigationSpec),
        "### Profile `ibm`",
        model_table(IbmSpec),
        *(
            part
            for name in native_simulators()
            for part in (f"### Profile `params` of `device: {name}`", model_table(_native_params(name)))
        ),
        "### Timing sweep files (`python -m bench sweep FILE`)",
        model_table(SweepSpec),
    ]


def options_markdown() -> str:
    """Markdown reference of every suite key and plugin option, with defaults."""
    parts = [
        HEADER,
        "## Suites",
        "### Suite (top level)",
        model_table(Suite),
        "### `training` (heads)",
        model_table(TrainingSpec),
        "### `backbone`",
        model_table(BackboneSpec),
        "### `backbone.training`",
        model_table(BackboneTraining),
        "### `compression`",
        model_table(CompressionSpec),
        "### `datasets[]` (each entry)",
        model_table(DatasetRef),
        "### `heads[]` (each entry)",
        model_table(HeadRef),
        "### `controls`",
        model_table(ControlsSpec),
        *_controls_section(),
        *_dataset_section(),
        *_registry_section("Features", FEATURES),
        *_registry_section("Backbones", BACKBONES),
        *_registry_section("Heads", HEADS),
        *_backend_sections(),
    ]
    return "\n\n".join(parts) + "\n"
