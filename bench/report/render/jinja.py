"""Assemble the report context and render it through the jinja2 templates next to this module.

``build_context`` is the only place that decides what the report says; the two templates
(``templates/index.md.j2``, ``templates/index.html.j2``) only lay it out. Tables arrive in the
context pre-rendered twice (markdown and escaped HTML), figures as paths relative to the
report directory (or ``None`` for "no data").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bench.report.render.fmt import fmt_duration
from bench.report.render.html import page, table_html
from bench.report.render.markup import markdown_table, one_line
from bench.report.sections.gaps import GAPS_NOTE
from bench.report.sections.noise import NOISE_NOTE
from bench.report.sections.verdict import COMPARISONS_NOTE, CONCLUSION_NOTE, VERDICT_NOTE
from bench.results.record import Record

__all__ = [
    "ACCURACY_NOTE",
    "FIGURES",
    "FILES_NOTE",
    "build_context",
    "provenance_spread",
    "render_html",
    "render_markdown",
]

TEMPLATES = Path(__file__).parent / "templates"

ACCURACY_NOTE = (
    "Values are the mean ± the half-width of a 95 % Student-t confidence interval over seeds "
    "(a cell with one seed shows n=1 and no interval). Δ accuracy is paired by seed: for each seed, "
    "this head's test accuracy minus that of the classical head trained on the same compressed input "
    "(same dataset, qubit count and seed), in percentage points. The Δ verdict is the Verdict's paired "
    "t-test over units, Holm-corrected across the rows of this table: “better” / “worse” when the "
    "corrected p < 0.05, “too few” below 5 units, else no difference with the smallest |Δ| it could have "
    "detected (MDE, 80 % power). Exact backends only: "
    "noisy, shot-based, fake-device and hardware evaluations are in the Noise section. Exact backends that "
    "reproduced the trainer (agreement check passed, same test accuracy for every seed) are one row listing "
    "them (“default.qubit = lightning.qubit”); their per-backend timings are in the Runtime table."
)

FILES_NOTE = (
    "Files next to this report: index.html (this report in one self-contained file), index.md, every figure "
    "as figures/<name>.png and figures/<name>.svg (vector, for papers), and the Verdict, Accuracy and "
    "comparison tables as LaTeX (booktabs) in tables/verdict.tex, tables/accuracy.tex and "
    "tables/comparisons.tex."
)

RUNTIME_NOTE = (
    "Medians over ok records of heads with a circuit (all heads, datasets and seeds of that "
    "backend × qubits × layers). Circuit times are measured on the evaluation backend; head training "
    "time ignores cells that reused a head trained elsewhere (recorded as 0). Evaluate-only backends time "
    "their evaluation (Qiskit paths: job wall time, queue included, scaled to a batch); shots executed are "
    "their evaluation shots."
)

FIGURES: dict[str, tuple[str, str]] = {
    "forest": (
        "Δ test accuracy of every configuration against each of its controls",
        "One row per (configuration, control), grouped by dataset: Δ = treatment − control test accuracy in "
        "percentage points, paired by unit (seed, or fold × seed), with its 95 % t interval; right: Δ [CI] "
        "and the Holm-corrected p of the paired t-test. Verdict by colour and marker: ▲ green better, ▼ red "
        "worse (Holm-corrected p < 0.05), ○ grey no significant difference, ◇ light grey too few units "
        "(fewer than 5: no verdict). ★: the configuration of the table below (best on validation).",
    ),
    "cost_accuracy": (
        "Test accuracy against cost: head training time and trainable parameters",
        "One point per configuration and control (mean test accuracy over seeds, 95 % Student-t bars; one "
        "exact backend per configuration). Colour: the head (controls in their treatment's colour, hollow, "
        "marker by control kind; classical: black square). Log x: mean head-training time on the run's "
        "machine, and trainable parameters. Grey steps: the Pareto front (nothing else is both cheaper and "
        "more accurate), labelled.",
    ),
    "accuracy_vs_qubits": (
        "Test accuracy vs qubits",
        "One panel per dataset × layer count, one series per head in its colour (classical dotted, in every "
        "panel); mean over seeds with 95 % Student-t error bars, dodged sideways so they stay apart. Exact "
        "backends give the same predictions, so each configuration is drawn once (its reference backend).",
    ),
    "circuit_time_vs_qubits": (
        "Circuit forward time per batch vs qubits",
        "Median circuit forward time per batch (log scale); a grey shade and marker per backend (no head "
        "colour is reused), line style per layer count.",
    ),
    "confusion_matrices": (
        "Confusion matrices: classical baseline, best configuration and its best control",
        "Per dataset: the classical head on the same input, the best configuration on validation and its "
        "control with the best validation accuracy. Counts are summed over seeds; colour is row-normalised "
        "recall. Nothing here is chosen on the test split.",
    ),
    "gate_trajectories": (
        "Gate sigmoid(a) per epoch",
        "sigmoid(a) per epoch for gated hybrids: one panel per dataset × qubits × layers, one line per "
        "trained head and seed (line style per seed), in the head's colour.",
    ),
    "noise_degradation": (
        "Accuracy vs noise strength",
        "Test accuracy on the evaluation subset vs channel strength (exact at 0), mean over seeds with a "
        "95 % band; colour per head, marker per configuration; dashed: ZNE-mitigated.",
    ),
    "noise_devices": (
        "Accuracy per device",
        "Test accuracy on the evaluation subset per device / shot setting with 95 % intervals; colour per "
        "head, hatch per configuration; black tick: the exact simulator on the same items.",
    ),
    "controls_vs_qubits": (
        "Test accuracy vs qubits: best configuration and its controls",
        "Per dataset, the best configuration on validation (solid, its head's colour) and its matched "
        "controls (dashed, same colour, marker per control kind) across qubit counts at the best layer "
        "count; classical head dotted. Mean over seeds, 95 % Student-t error bars.",
    ),
    "controls_vs_layers": (
        "Test accuracy vs layers: best configuration and its controls",
        "Per dataset, the best configuration on validation (solid) and its matched controls (dashed, same "
        "colour) across layer counts at the best qubit count; classical head (no layers) as a dotted band. "
        "Mean over seeds, 95 % Student-t error bars.",
    ),
}
"""Figure name (file stem under ``figures/``) → (alt text, caption)."""

PLOTS = (
    ("accuracy_vs_qubits", "Accuracy vs qubits"),
    ("controls_vs_qubits", "Accuracy vs qubits: best configuration and its controls"),
    ("controls_vs_layers", "Accuracy vs layers: best configuration and its controls"),
    ("circuit_time_vs_qubits", "Circuit time vs qubits"),
    ("confusion_matrices", "Confusion matrices"),
    ("gate_trajectories", "Gate trajectories"),
)
"""The Plots section: (figure name, heading) in order; a figure without data is left out, heading
and all (``write_figures`` draws no figure from no data or from a single point on its x axis)."""

_SUMMARY_FIELDS = (
    ("suite", "Suite"),
    ("suite_path", "Suite file"),
    ("run_id", "Run ID"),
    ("started", "Started"),
    ("finished", "Finished"),
    ("wall_s", "Wall time"),
    ("cells_total", "Cells total"),
    ("cells_ok", "Cells ok"),
    ("cells_failed", "Cells failed"),
    ("cells_skipped", "Cells skipped"),
    ("cells_run_now", "Cells run in this run"),
    ("cells_reused", "Cells reused from the store"),
)


def render_table(df: pd.DataFrame, auto_align: bool = True) -> dict[str, Any]:
    return {
        "md": markdown_table(df, auto_align=auto_align),
        "html": Markup(table_html(df, auto_align=auto_align)),
        "empty": df.empty,
    }


def _kv_table(pairs: list[tuple[str, str]], key_label: str, value_label: str) -> dict[str, Any]:
    return render_table(pd.DataFrame(pairs, columns=[key_label, value_label]), auto_align=False)


def summary_pairs(summary: Mapping[str, Any], records: list[Record]) -> list[tuple[str, str]]:
    """Known summary keys in a fixed order with readable labels, then any other scalar keys,
    then what the records in this report actually contain."""
    pairs = []
    for key, label in _SUMMARY_FIELDS:
        if summary.get(key) is not None:
            value = fmt_duration(summary[key]) if key == "wall_s" else summary[key]
            pairs.append((label, one_line(value)))
    known = {k for k, _ in _SUMMARY_FIELDS} | {"provenance", "description", "settings_yaml"}
    for key in sorted(set(summary) - known):
        if isinstance(summary[key], str | int | float | bool):
            pairs.append((key, one_line(summary[key])))
    counts = {s: sum(r.status == s for r in records) for s in ("ok", "failed", "skipped")}
    detail = ", ".join(f"{n} {s}" for s, n in counts.items())
    pairs.append(("Records in this report", f"{len(records)} ({detail})"))
    return pairs


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = one_line(v)
    return out


def provenance_spread(records: list[Record], max_values: int = 5) -> list[tuple[str, str]]:
    """Provenance keys whose values differ between records (e.g. cells reused from a store
    written by another version), as ``(key, "v1, v2, …")``; empty when all records agree."""
    seen: dict[str, set[str]] = {}
    for r in records:
        for k, v in _flatten(r.provenance).items():
            seen.setdefault(k, set()).add(v)
    spread = []
    for k in sorted(seen):
        if len(seen[k]) > 1:
            values = sorted(seen[k])
            more = f", … ({len(values) - max_values} more)" if len(values) > max_values else ""
            spread.append((k, ", ".join(values[:max_values]) + more))
    return spread


def build_context(
    records: list[Record],
    summary: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, str | None],
    sections: Sequence[Any] = (),
    links: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Everything the templates need. ``tables`` holds display frames under ``accuracy``,
    ``runtime`` and ``failures`` (and, optionally, ``conclusion``, ``verdict``, ``gaps`` and
    ``comparisons``: empty when missing); ``figures`` maps figure names to relative paths or
    ``None``; ``sections`` are ``bench.report.sections.base.ReportSection`` objects shown after the
    plots; ``links`` (text, href relative to the report) are shown under the title
    (``report_links``). ``summary`` may carry the suite's ``description`` and ``settings_yaml``
    (shown in the Run summary)."""
    provenance = summary.get("provenance") or {}
    spread = provenance_spread(records)
    figure_context = {
        name: {"path": figures.get(name), "svg": _svg(figures.get(name)), "alt": alt, "caption": caption}
        for name, (alt, caption) in FIGURES.items()
    }
    return {
        "title": one_line(summary.get("suite") or "(unnamed suite)"),
        "description": str(summary.get("description") or "").strip(),
        "settings_yaml": str(summary.get("settings_yaml") or ""),
        "links": list(links),
        "control_backend_note": control_backend_note(records),
        "summary": _kv_table(summary_pairs(summary, records), "field", "value"),
        "verdict_note": VERDICT_NOTE,
        "conclusion_note": CONCLUSION_NOTE,
        "conclusion": render_table(tables.get("conclusion", pd.DataFrame())),
        "gaps_note": GAPS_NOTE,
        "comparisons_note": COMPARISONS_NOTE,
        "verdict": render_table(tables.get("verdict", pd.DataFrame())),
        "gaps": render_table(tables.get("gaps", pd.DataFrame())),
        "comparisons": render_table(tables.get("comparisons", pd.DataFrame())),
        "accuracy_note": ACCURACY_NOTE,
        "runtime_note": RUNTIME_NOTE,
        "accuracy": render_table(tables["accuracy"]),
        "runtime": render_table(tables["runtime"]),
        "failures": render_table(tables["failures"]),
        "noise": render_table(tables["noise"]) if "noise" in tables else render_table(pd.DataFrame()),
        "noise_note": NOISE_NOTE,
        "files_note": FILES_NOTE,
        "figures": figure_context,
        "plots": [(title, figure_context[name]) for name, title in PLOTS if figure_context[name]["path"]],
        "provenance": _kv_table(sorted(_flatten(provenance).items()), "key", "value") if provenance else None,
        "provenance_spread": _kv_table(spread, "key", "values in records") if spread else None,
        "sections": list(sections),
    }


def report_links(out_dir: Path, run_id: str | None) -> list[tuple[str, str]]:
    """Links from ``reports/<suite>/<run_id>/`` to the suite's trends page (rewritten after every
    run, so linked whenever the folder above holds the suite's store) and to the compare pages of
    this run that exist (``compare/<a>..<b>/``)."""
    suite_dir = Path(out_dir).parent
    links = []
    if (suite_dir / "results.sqlite").exists() or (suite_dir / "trends" / "index.html").exists():
        links.append(("trends of this suite", "../trends/index.html"))
    compare = suite_dir / "compare"
    if run_id and compare.is_dir():
        for page in sorted(compare.glob("*/index.html")):
            base, _, run = page.parent.name.partition("..")
            if run_id in (base, run):
                links.append((f"compare {page.parent.name}", f"../compare/{page.parent.name}/index.html"))
    return links


def control_backend_note(records: list[Record]) -> str:
    """Why circuit controls ran elsewhere than their treatment, when they did (``""`` otherwise):
    with no exact simulator in the grid they run on the training simulator
    (``bench.plan.grid.control_backend``)."""
    treated: dict[tuple, set[str]] = {}
    for r in records:
        if r.status == "ok" and not r.control and r.backend:
            treated.setdefault((r.dataset, r.head, r.n_qubits, r.n_layers), set()).add(r.backend)
    elsewhere = sorted(
        {
            (r.backend, ", ".join(sorted(treated[k])))
            for r in records
            if r.status == "ok" and r.control and r.backend
            for k in [(r.dataset, r.treatment, r.n_qubits, r.n_layers)]
            if k in treated and r.backend not in treated[k]
        }
    )
    if not elsewhere:
        return ""
    parts = "; ".join(f"on {mine} (treatments on {theirs})" for mine, theirs in elsewhere)
    return (
        f"Circuit controls ran {parts}: the grid has no exact simulator, so they were evaluated on the "
        "exact simulator that trained them. Exact simulators give the same predictions, so the accuracy "
        "comparison holds; their timings are not comparable with the treatments'."
    )


def _svg(path: str | None) -> str | None:
    return str(Path(path).with_suffix(".svg")) if path and path.endswith(".png") else None


def emphasis(text: str) -> Markup:
    """Escaped ``text`` with markdown ``*emphasis*`` turned into ``<em>`` (for notes in HTML)."""
    return Markup(re.sub(r"\*([^*\s][^*]*)\*", r"<em>\1</em>", str(escape(text))))


def template_environment(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",)) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["emphasis"] = emphasis
    return env


def render_markdown(context: Mapping[str, Any]) -> str:
    """The markdown report."""
    return template_environment(html=False).get_template("index.md.j2").render(**context)


def render_html(context: Mapping[str, Any], base_dir: Path | None = None) -> str:
    """The HTML report as one self-contained page (``bench.report.render.html.page``: inline CSS and script,
    a table of contents, sortable tables); with ``base_dir`` (the report directory) the figures
    are embedded as data URIs, else they stay relative links."""
    body = template_environment(html=True).get_template("index.html.j2").render(**context)
    return page(f"qhead-bench report: {context['title']}", body, base_dir)
