"""The timing-sweep report: a table of every point and a log-scale plot of time vs qubits.

``write_sweep_report(spec, points, out_dir)`` writes ``index.md``, ``index.html`` and
``figures/sweep_forward.png`` and ``.svg`` (forward and forward+backward per batch vs qubits, log y, one line
per backend x layers). Skipped and failed points stay in the table with their reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.core.files import write_text_atomic
from bench.report.figures.style import legend_outside, new_figure, save_figure
from bench.report.render.fmt import MISSING, fmt_count, fmt_seconds
from bench.report.render.html import page
from bench.report.render.jinja import template_environment

SWEEP_NOTE = (
    "Circuit execution only (no data loading, no optimiser): one broadcast call on a batch of random "
    "angle inputs, median of the repeats after one warm-up call; forward+backward differentiates the "
    "weights and is absent where the backend cannot differentiate a broadcast batch (shots, fake devices). "
    "Latency is forward per batch / batch size. Widths stop at the backend's practical maximum (reason in "
    "the table)."
)


def sweep_table(points) -> pd.DataFrame:
    rows = [
        {
            "backend": p.backend,
            "layers": str(p.n_layers),
            "qubits": str(p.n_qubits),
            "batch": str(p.batch_size),
            "forward / batch": fmt_seconds(p.forward_s),
            "forward+backward / batch": fmt_seconds(p.forward_backward_s),
            "per-circuit latency": fmt_seconds(p.latency_s),
            "circuits / batch": fmt_count(p.circuits_per_batch) if p.status == "ok" else MISSING,
            "shots / batch": fmt_count(p.shots_per_batch) if p.shots_per_batch else MISSING,
            "status": p.status if p.status == "ok" else f"{p.status}: {p.reason}",
        }
        for p in points
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "backend",
            "layers",
            "qubits",
            "batch",
            "forward / batch",
            "forward+backward / batch",
            "per-circuit latency",
            "circuits / batch",
            "shots / batch",
            "status",
        ],
    )


def plot_sweep(points, path: Path) -> Path | None:
    """Forward (solid) and forward+backward (dashed) seconds per batch vs qubits, log y."""
    ok = [p for p in points if p.status == "ok" and p.forward_s]
    if not ok:
        return None
    fig, axes = new_figure(1, 1, 7.0, 4.6, extra_w=2.2)
    ax = axes[0, 0]
    series = sorted({(p.backend, p.n_layers) for p in ok})
    for i, (backend, layers) in enumerate(series):
        pts = sorted(
            (p for p in ok if (p.backend, p.n_layers) == (backend, layers)), key=lambda p: p.n_qubits
        )
        color = f"C{i % 10}"
        ax.plot(
            [p.n_qubits for p in pts],
            [p.forward_s for p in pts],
            marker="o",
            color=color,
            label=f"{backend}, L={layers}",
        )
        back = [p for p in pts if p.forward_backward_s]
        if back:
            ax.plot(
                [p.n_qubits for p in back],
                [p.forward_backward_s for p in back],
                marker="x",
                color=color,
                linestyle="--",
            )
    ax.set_yscale("log")
    ax.set_xlabel("qubits")
    ax.set_ylabel("seconds per batch (solid: forward, dashed: forward+backward)")
    ax.grid(alpha=0.3, which="both")
    legend_outside(ax)
    return save_figure(fig, path)


def write_sweep_report(spec, points, out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    figure = plot_sweep(points, out_dir / "figures" / "sweep_forward.png")
    context = {
        "title": spec.name,
        "description": spec.description,
        "note": SWEEP_NOTE,
        "settings": f"batch {spec.batch_size}, {spec.repeats} repeats, max_seconds {spec.max_seconds:g}, "
        f"max_memory_gb {spec.max_memory_gb:g}",
        "table": sweep_table(points),
        "figure": "figures/sweep_forward.png" if figure else None,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    md, html = out_dir / "index.md", out_dir / "index.html"
    write_text_atomic(md, template_environment(html=False).get_template("sweep.md.j2").render(**context))
    body = template_environment(html=True).get_template("sweep.html.j2").render(**context)
    write_text_atomic(html, page(f"qhead-bench timing sweep: {spec.name}", body, out_dir))
    return {"md": md, "html": html}
