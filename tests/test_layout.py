"""The package's shape: stages as subpackages, no import cycle, no import of another module's private names.

Imports are read from the source with ``ast`` (nothing is imported), including imports inside
functions: a lazy import that closes a cycle is still a cycle of the design.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bench"
STAGES = ("core", "spec", "plan", "run", "cell", "results", "report", "timing", "history", "cli")
PLUGINS = ("data", "features", "backbones", "heads", "controls", "quantum")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """``(module, names)`` for every ``bench`` import in ``path`` (``names`` empty for ``import x``)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "bench":
            names = [a.name for a in node.names]
            submodules = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in known]
            out.extend((m, []) for m in submodules)
            rest = [n for n in names if f"{node.module}.{n}" not in known]
            if rest:
                out.append((node.module, rest))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names if a.name.split(".")[0] == "bench")
    return out


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {m for m, _ in imports_of(path, known) if m != name} for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None. Package ``__init__`` edges count."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node], _ = 2, stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_of_another_modules_private_name():
    known = modules()
    offenders = [
        f"{name} imports {mod}.{n}"
        for name, path in known.items()
        for mod, names in imports_of(path, known)
        for n in names
        if n.startswith("_") and not n.startswith("__") and mod != name
    ]
    assert offenders == []


@pytest.mark.parametrize("package", STAGES + PLUGINS)
def test_every_stage_and_plugin_kind_is_a_documented_subpackage(package):
    init = PACKAGE / package / "__init__.py"
    assert init.is_file()
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init} has no docstring"


def test_no_stage_module_left_at_the_top_level():
    """Only the package and its entry point; the public API is the package ``bench.api`` (a facade
    over the stages)."""
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"]
    assert (PACKAGE / "api" / "__init__.py").is_file()


CLI_MAY_IMPORT = ("bench.api", "bench.cli", "bench.core")
"""What the command line is built on: the public API, itself, and the core types (errors, exit codes)."""
CLI_IMPORTS_ALLOWED = {
    ("bench.cli.parser", "bench.run.interrupts"): "the process's signal handling and interrupt exit codes",
}
"""``(cli module, stage module)`` pairs allowed besides ``CLI_MAY_IMPORT``, and why."""


def stage_imports_of_cli(name: str, path: Path, known: dict[str, Path]) -> list[str]:
    """The imports of ``bench.cli`` module ``name`` that reach past the API into a stage module."""
    return [
        f"{name} imports {mod}"
        for mod, _ in imports_of(path, known)
        if mod != "bench"  # the package itself (its version)
        and not any(mod == allowed or mod.startswith(allowed + ".") for allowed in CLI_MAY_IMPORT)
        and (name, mod) not in CLI_IMPORTS_ALLOWED
    ]


def test_the_cli_is_a_view_of_the_api():
    """Every command (and the helpers and views they use) calls ``bench.api``, never a stage
    (``bench.run``, ``bench.cell``, ``bench.report``, ...) directly."""
    known = modules()
    commands = [n for n in known if n.startswith("bench.cli.commands.")]
    assert len(commands) >= 14, commands
    offenders = [
        line
        for name, path in known.items()
        if name == "bench.cli" or name.startswith("bench.cli.")
        for line in stage_imports_of_cli(name, path, known)
    ]
    assert offenders == []


def test_the_cli_check_sees_a_planted_stage_import(tmp_path):
    planted = tmp_path / "command.py"
    planted.write_text(
        "from bench.api import run_suite\nfrom bench.cli import views\n"
        "from bench.core.errors import UserError\n"
        "def run(args):\n    from bench.run.driver import run_suite_outcome\n    import bench.report\n",
        encoding="utf-8",
    )
    found = stage_imports_of_cli("bench.cli.commands.planted", planted, modules())
    assert found == [
        "bench.cli.commands.planted imports bench.run.driver",
        "bench.cli.commands.planted imports bench.report",
    ]


def test_the_api_package_imports_nothing_on_import():
    """``import bench`` stays light: ``bench.api`` only names where each public name lives."""
    init = PACKAGE / "api" / "__init__.py"
    assert third_party_imports(init) == {"__future__", "importlib"}
    assert [m for m, _ in imports_of(init, modules())] == []


COMPUTING = ("bench.cell", "bench.data", "bench.features", "bench.backbones", "bench.heads", "bench.quantum")
COMPUTING += ("bench.run", "bench.plan", "bench.timing", "bench.results.cache", "bench.results.store")


def test_the_report_reads_records_only():
    """``bench.report`` draws from records and saved arrays; it never loads data, runs models or circuits."""
    known = modules()
    offenders = [
        f"{name} imports {mod}"
        for name, path in known.items()
        if name.startswith("bench.report")
        for mod, _ in imports_of(path, known)
        if mod.startswith(COMPUTING)
    ]
    assert offenders == []


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of every non-``bench`` module ``path`` imports (inside functions too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
    return out - {"bench"}


def test_only_the_cli_renders_to_the_terminal():
    """The library reports through return values and events (``bench.run.events``); only
    ``bench.cli`` imports rich, and only it parses command lines (argparse)."""
    offenders = [
        f"{name} imports {lib}"
        for name, path in modules().items()
        if not name.startswith("bench.cli")
        for lib in sorted(third_party_imports(path) & {"rich", "argparse"})
    ]
    assert offenders == []


def test_the_rendering_check_sees_a_planted_import(tmp_path):
    planted = tmp_path / "stage.py"
    planted.write_text(
        "def f():\n    from rich.console import Console\n    import argparse\n", encoding="utf-8"
    )
    assert third_party_imports(planted) == {"rich", "argparse"}


LISTINGS_ALLOWED = {
    (
        "bench.quantum.profiles",
        "SIMULATORS",
    ): "PennyLane's own diff-method limits per device name (default.mixed too)",
    ("bench.api.benchmarks", "SIMULATORS"): "the default backends of the step and width benchmarks",
    ("bench.timing", "HEADS"): "built-in benchmark suites and synthetic stores (suite content)",
    ("bench.timing", "SIMULATORS"): "built-in benchmark suites and synthetic stores (suite content)",
    ("bench.report.sections.conclusion", "CONTROLS"): "the roles the conclusion rules give controls",
}
"""``(module or package, registry)`` pairs that may name several entries of that registry, and why."""


def _allowed(module: str, registry: str) -> bool:
    return any(
        reg == registry and (module == where or module.startswith(where + "."))
        for where, reg in LISTINGS_ALLOWED
    )


def registry_listings(path: Path, registries: dict[str, list[str]]) -> list[tuple[int, str, list[str]]]:
    """``(line, registry, names)`` for every tuple/list/set literal or dict whose keys hold two or more
    names of one registry: a listing of plugins, which belongs in the registry (and the plugins)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            items = node.keys
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = node.elts
        else:
            continue
        strings = {n.value for n in items if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for registry, names in registries.items():
            if len(hit := sorted(strings & set(names))) >= 2:
                out.append((node.lineno, registry, hit))
    return out


def registry_names() -> dict[str, list[str]]:
    from bench.core import registry

    return {k: v.names() for k, v in vars(registry).items() if isinstance(v, registry.Registry)}


def test_no_registry_entry_is_listed_outside_its_plugin():
    """Plugins (heads, control kinds, simulators, ...) are listed once, in ``bench.core.registry``; a
    plugin's own module may name its siblings, everything else asks the registry."""
    registries, known = registry_names(), modules()
    from bench.core import registry

    homes = {
        reg: {target.split(":")[0] for target in getattr(registry, reg)._entries.values()}
        for reg in registries
    }
    offenders = [
        f"{name}:{line} lists {reg} entries {hit}"
        for name, path in known.items()
        if name != "bench.core.registry"
        for line, reg, hit in registry_listings(path, registries)
        if name not in homes[reg] and not _allowed(name, reg)
    ]
    assert offenders == []


def test_the_listing_check_sees_a_planted_listing(tmp_path):
    planted = tmp_path / "stage.py"
    planted.write_text('KINDS = ("matched-mlp", "beta-zero")\nLABELS = {"quantum": 1, "classical": 2}\n')
    found = registry_listings(planted, registry_names())
    assert [(line, reg) for line, reg, _ in found] == [(1, "CONTROLS"), (2, "HEADS")]


# The run report's sections (bench.report.sections): registered once, named nowhere else.

REPORT_MACHINERY = (
    "bench.report",
    "bench.report.render",
    "bench.report.figures",
    "bench.report.sections.base",
)
"""Modules (and packages) that build every report and so must never name a section."""
REPORT_TEMPLATES = PACKAGE / "report" / "render" / "templates"
JINJA_TAG = re.compile(r"{[{%#](.*?)[}%#]}", re.S)


def report_sections() -> dict[str, str]:
    """Registered section name -> the module that holds it."""
    from bench.report import sections

    return {s.name: t.split(":")[0] for t, s in zip(sections.SECTIONS, sections.registered(), strict=True)}


def _machinery(module: str) -> bool:
    return module == "bench.report" or any(
        module == m or module.startswith(m + ".") for m in REPORT_MACHINERY[1:]
    )


def section_references(path: Path, name: str, sections: dict[str, str], known: dict[str, Path]) -> list[str]:
    """How the module ``name`` at ``path`` names a section: an import of a section's module, or (in the
    report machinery) a string equal to a section's name."""
    found = [
        f"imports {mod} (section {sec})"
        for mod, _ in imports_of(path, known)
        for sec, home in sections.items()
        if mod == home and name not in (home, "bench.report.sections")
    ]
    if _machinery(name):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in sections:
                found.append(f"line {node.lineno} names section {node.value!r}")
    return found


def template_references(text: str, sections: dict[str, str]) -> list[str]:
    """Section names used inside the jinja tags of a template (the text around them may say anything)."""
    words = {w for tag in JINJA_TAG.findall(text) for w in re.findall(r"[A-Za-z_]\w*", tag)}
    return sorted(words & set(sections))


def test_report_sections_are_named_only_by_their_module_and_the_registry():
    """Adding a section is its module plus its line in ``bench.report.sections.SECTIONS``: no other
    module imports a section's module, and the writer, renderers, figure writer and templates never
    name a section (they lay out generic blocks)."""
    sections, known = report_sections(), modules()
    assert len(sections) >= 10 and set(sections.values()) <= set(known)
    offenders = [
        f"{name}: {ref}"
        for name, path in known.items()
        for ref in section_references(path, name, sections, known)
    ]
    offenders += [
        f"{t.name}: names section {ref!r}"
        for t in sorted(REPORT_TEMPLATES.glob("index.*.j2"))
        for ref in template_references(t.read_text(encoding="utf-8"), sections)
    ]
    assert offenders == []


def test_the_section_check_sees_planted_references(tmp_path):
    sections, known = report_sections(), modules()
    planted = tmp_path / "stage.py"
    planted.write_text(
        "from bench.report.sections.gaps import gap_table\ndef f(s):\n    return s.name == 'noise'\n",
        encoding="utf-8",
    )
    assert section_references(planted, "bench.cli.x", sections, known) == [
        "imports bench.report.sections.gaps (section gaps)"
    ]
    assert section_references(planted, "bench.report.render.x", sections, known)[1:] == [
        "line 3 names section 'noise'"
    ]
    assert section_references(planted, "bench.report.sections.gaps", sections, known) == []
    assert template_references("## Noise\n{{ noise.md }}{% if plots %}<summary>", sections) == [
        "noise",
        "plots",
    ]
