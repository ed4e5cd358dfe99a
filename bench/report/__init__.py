"""Turn a list of records into ``index.md``, ``index.html`` and ``figures/*.png``.

Public entry point: ``write_report``. Modules, one job each:
``stats`` (pure statistics), ``frame`` (records → DataFrame), ``tables`` (numeric and display
tables), ``markup`` (markdown/HTML table rendering), ``fmt`` (number formatting), ``plots``
(PNG figures), ``render`` (jinja2 templates in ``templates/``); the ablation: ``compare``
(treatment vs control statistics and verdicts), ``verdict`` and ``gaps`` (their tables),
``ablation_plots`` (accuracy vs qubits / layers with controls).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.report import noise, plots
from bench.report.ablation_plots import plot_controls_vs
from bench.report.compare import best_configurations, comparisons, reference_keys
from bench.report.frame import records_frame
from bench.report.gaps import gap_table
from bench.report.render import build_context, render_html, render_markdown
from bench.report.sections import ReportSection
from bench.report.tables import accuracy_table, failures_table, runtime_table
from bench.report.verdict import comparisons_table, verdict_table
from bench.results.record import Record

__all__ = ["write_report"]

FIGURES_DIR = "figures"


def _write_figures(
    records: list[Record], frame, figures_dir: Path, reference=None, best=None
) -> dict[str, str | None]:
    """Draw every figure; returns name → path relative to the report dir, or ``None`` for no data.
    A stale PNG from an earlier report in the same directory is removed when there is no data.
    ``reference`` (frame of the ablation's reference records) and ``best`` (best configurations)
    feed the ablation figures."""
    makers = {
        "accuracy_vs_qubits": lambda p: plots.plot_accuracy_vs_qubits(frame, p),
        "circuit_time_vs_qubits": lambda p: plots.plot_circuit_time_vs_qubits(frame, p),
        "confusion_matrices": lambda p: plots.plot_confusion_matrices(records, p),
        "gate_trajectories": lambda p: plots.plot_gate_trajectories(records, p),
        "noise_degradation": lambda p: noise.plot_degradation(records, p),
        "noise_devices": lambda p: noise.plot_devices(records, p),
    }
    if reference is not None and best is not None:
        makers["controls_vs_qubits"] = lambda p: plot_controls_vs(reference, best, "n_qubits", p)
        makers["controls_vs_layers"] = lambda p: plot_controls_vs(reference, best, "n_layers", p)
    out: dict[str, str | None] = {}
    for name, make in makers.items():
        path = figures_dir / f"{name}.png"
        path.unlink(missing_ok=True)
        out[name] = f"{FIGURES_DIR}/{path.name}" if make(path) is not None else None
    return out


def write_report(
    records: list[Record], out_dir: Path, summary: Mapping[str, Any], sections: Sequence[ReportSection] = ()
) -> dict[str, Path]:
    """Write ``out_dir/index.md``, ``out_dir/index.html`` and ``out_dir/figures/*.png``.

    ``records`` may be empty or contain failed/skipped records (listed, never averaged).
    ``summary`` may hold ``suite``, ``suite_path``, ``run_id``, ``started``, ``finished``,
    ``wall_s``, ``cells_total``, ``cells_ok``, ``cells_failed``, ``cells_skipped``,
    ``cells_run_now``, ``cells_reused`` and ``provenance`` (str → str); any may be missing.
    ``sections`` are extra sections (e.g. image diagnostics) whose figures are already under
    ``out_dir``; they follow the plots. Creates ``out_dir`` if needed, overwrites earlier
    report files there, and returns
    ``{"md": path, "html": path}``.
    """
    out_dir = Path(out_dir)
    figures_dir = out_dir / FIGURES_DIR
    figures_dir.mkdir(parents=True, exist_ok=True)
    frame = records_frame(records)
    reference = frame[frame["key"].isin(reference_keys(records))]
    comps = comparisons(records)
    tables = {
        "verdict": verdict_table(comps, records),
        "accuracy": accuracy_table(frame),
        "gaps": gap_table(reference),
        "comparisons": comparisons_table(comps),
        "runtime": runtime_table(frame),
        "failures": failures_table(frame),
        "noise": noise.noise_table(records),
    }
    best = best_configurations(records, comps if not comps.empty else None)  # no controls: plot the best
    figures = _write_figures(records, frame, figures_dir, reference, best)
    context = build_context(records, summary, tables, figures, sections)
    md_path, html_path = out_dir / "index.md", out_dir / "index.html"
    md_path.write_text(render_markdown(context), encoding="utf-8")
    html_path.write_text(render_html(context, out_dir), encoding="utf-8")
    return {"md": md_path, "html": html_path}
