"""The trends page: every run of a suite on one page, per configuration, with detected steps.

``reports/<suite>/trends/index.{md,html}`` (rewritten after every ``bench run``):
- runs: date, id, state, git SHA, package versions that changed since the previous run, machine;
- change points (``bench.history.changepoints``) in test accuracy (mean over seeds; minimum step
  ``MIN_ACCURACY_STEP_PP`` percentage points, noise = median seed-to-seed standard error) and in
  circuit forward+backward time per batch (median over seeds; detection on log time; minimum step a factor
  ``MIN_TIME_FACTOR``; only runs on the latest run's machine fingerprint, since times from other
  machines are not comparable);
- per-configuration tables (last ``TABLE_RUNS`` runs) and figures (all runs; x = run, labelled
  with its date, git SHA and changed versions; red dashed lines at change points).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bench.history.changepoints import change_points
from bench.history.compare import configuration
from bench.history.runs import machine_fingerprint, provenance_changes
from bench.report.stats import mean_ci
from bench.results.record import Record
from bench.results.store import ResultsStore, RunInfo

MIN_ACCURACY_STEP_PP = 1.0
MIN_TIME_FACTOR = 1.25
TABLE_RUNS = 10
MAX_PANELS = 12
TIME_KEY = "circuit_forward_backward_per_batch_s"


@dataclass
class Point:
    value: float  # accuracy in % (mean over seeds) or seconds (median over seeds)
    half: float = math.nan  # 95 % CI half-width (accuracy), NaN when n < 2
    noise: float = math.nan  # standard error over seeds (of the value, or of log time)
    n: int = 0


@dataclass
class Trends:
    runs: list[RunInfo]
    machine: str  # fingerprint of the latest run's records
    accuracy: dict[str, list[Point | None]] = field(default_factory=dict)
    time: dict[str, list[Point | None]] = field(default_factory=dict)
    steps: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (metric, config) -> run indexes


def _accuracy_point(records: list[Record]) -> Point | None:
    values = [100 * r.metrics["test_accuracy"] for r in records if "test_accuracy" in r.metrics]
    if not values:
        return None
    mean, half = mean_ci(values)
    noise = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    return Point(mean, half, noise, len(values))


def _time_point(records: list[Record], machine: str) -> Point | None:
    values = [
        float(r.timings[TIME_KEY])
        for r in records
        if r.timings.get(TIME_KEY) and machine_fingerprint(r.provenance) == machine
    ]
    if not values:
        return None
    logs = [math.log(v) for v in values]
    noise = statistics.stdev(logs) / math.sqrt(len(logs)) if len(logs) > 1 else math.nan
    return Point(statistics.median(values), math.nan, noise, len(values))


def collect(store: ResultsStore) -> Trends:
    """Per configuration and run: accuracy and circuit time points, and their change points."""
    runs = store.run_list()
    per_run = [store.get(run_id=r.run_id) for r in runs]
    latest = [r for r in per_run[-1] if r.status == "ok"] if per_run else []
    machine = machine_fingerprint(latest[0].provenance) if latest else ""
    trends = Trends(runs, machine)
    configs = sorted({configuration(r.key)[0] for records in per_run for r in records})
    for config in configs:
        acc, time = [], []
        for records in per_run:
            ok = [r for r in records if r.status == "ok" and configuration(r.key)[0] == config]
            acc.append(_accuracy_point(ok))
            time.append(_time_point(ok, machine))
        trends.accuracy[config] = acc
        if any(time):
            trends.time[config] = time
        trends.steps[("accuracy", config)] = _steps(acc, MIN_ACCURACY_STEP_PP, log=False)
        if any(time):
            trends.steps[("time", config)] = _steps(time, math.log(MIN_TIME_FACTOR), log=True)
    return trends


def _steps(points: list[Point | None], min_effect: float, log: bool) -> list[int]:
    values = [math.nan if p is None else (math.log(p.value) if log else p.value) for p in points]
    noises = [p.noise for p in points if p is not None and math.isfinite(p.noise)]
    return change_points(values, min_effect, statistics.median(noises) if noises else 0.0)


def run_label(runs: list[RunInfo], i: int) -> str:
    """``2026-11-30 abc1234`` plus the package versions that changed since the previous run."""
    run = runs[i]
    prov = run.provenance or run.summary.get("provenance") or {}
    label = f"{run.started[:10]} {str(prov.get('git_sha', '?'))[:7]}"
    if i > 0:
        before = runs[i - 1].provenance or runs[i - 1].summary.get("provenance") or {}
        changed = [_short(c) for c in provenance_changes(before, prov) if not c.startswith("git_sha")]
        if changed:
            label += " (" + ", ".join(changed) + ")"
    return label


def _short(change: str) -> str:
    """``"torch 2.1 -> 2.2"`` -> ``"torch 2.2"``."""
    name, _, new = change.partition(" ")
    return f"{name} {new.rpartition(' -> ')[2]}"


def _runs_frame(t: Trends) -> pd.DataFrame:
    rows = []
    for i, run in enumerate(t.runs):
        prov = run.provenance or run.summary.get("provenance") or {}
        before = (t.runs[i - 1].provenance or {}) if i else None
        rows.append(
            {
                "#": i + 1,
                "run": run.run_id,
                "started": run.started[:19],
                "state": run.state,
                "git SHA": prov.get("git_sha", "?"),
                "changed since previous run": "; ".join(provenance_changes(before, prov)) if before else "",
                "machine": machine_fingerprint(prov),
            }
        )
    return pd.DataFrame(rows)


def _steps_frame(t: Trends) -> pd.DataFrame:
    rows = []
    for (metric, config), idx in sorted(t.steps.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        series = t.accuracy[config] if metric == "accuracy" else t.time[config]
        bounds = [0, *idx, len(series)]
        for k, i in enumerate(idx):
            before = [p.value for p in series[bounds[k] : i] if p is not None]
            after = [p.value for p in series[i : bounds[k + 2]] if p is not None]
            b, a = statistics.fmean(before), statistics.fmean(after)
            rows.append(
                {
                    "configuration": config,
                    "metric": "test accuracy %" if metric == "accuracy" else "circuit f+b / batch",
                    "first run after the step": f"#{i + 1} {t.runs[i].run_id} — {run_label(t.runs, i)}",
                    "before": f"{b:.1f}" if metric == "accuracy" else f"{b * 1e3:.3g} ms",
                    "after": f"{a:.1f}" if metric == "accuracy" else f"{a * 1e3:.3g} ms",
                    "change": f"{a - b:+.1f} pp" if metric == "accuracy" else f"×{a / b:.2f}",
                }
            )
    return pd.DataFrame(rows)


def _series_frame(t: Trends, metric: str) -> pd.DataFrame:
    series = t.accuracy if metric == "accuracy" else t.time
    first = max(0, len(t.runs) - TABLE_RUNS)
    rows = []
    for config, points in series.items():
        row = {"configuration": config}
        for i in range(first, len(t.runs)):
            p = points[i]
            if p is None:
                text = "—"
            elif metric == "accuracy":
                text = f"{p.value:.1f}" + (f" ± {p.half:.1f}" if math.isfinite(p.half) else "")
            else:
                text = f"{p.value * 1e3:.3g} ms"
            row[f"#{i + 1}"] = text + (" ▲" if i in t.steps.get((metric, config), []) else "")
        rows.append(row)
    return pd.DataFrame(rows)


def _plot(t: Trends, metric: str, path: Path) -> Path | None:
    from bench.report.plots import new_figure, save_figure

    series = t.accuracy if metric == "accuracy" else t.time
    if not series or len(t.runs) < 1:
        return None
    order = sorted(series, key=lambda c: (not t.steps.get((metric, c)), c))[:MAX_PANELS]
    cols = min(3, len(order))
    rows = math.ceil(len(order) / cols)
    fig, axes = new_figure(rows, cols, 4.2, 2.8)
    labels = [run_label(t.runs, i) for i in range(len(t.runs))]
    for ax, config in zip(axes.flat, order, strict=False):
        points = series[config]
        xs = [i for i, p in enumerate(points) if p is not None]
        ys = [points[i].value * (1 if metric == "accuracy" else 1e3) for i in xs]
        err = (
            [points[i].half if math.isfinite(points[i].half) else 0 for i in xs]
            if metric == "accuracy"
            else None
        )
        ax.errorbar(xs, ys, yerr=err, marker="o", ms=3, lw=1, capsize=2)
        for i in t.steps.get((metric, config), []):
            ax.axvline(i - 0.5, color="red", ls="--", lw=1)
        ax.set_title(config, fontsize=7)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=5)
        ax.set_ylabel("test accuracy %" if metric == "accuracy" else "ms / batch", fontsize=7)
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(order) :]:
        ax.set_visible(False)
    return save_figure(fig, path)


NOTE = (
    "One column per run (#1 oldest; the last {n} runs in the tables, all in the figures). Accuracy: mean ± "
    "95 % CI over seeds of ok cells. Circuit time: median forward+backward time per batch over seeds, on the "
    "latest run's machine only ({machine}). ▲ / red dashed line: a detected change point (binary "
    "segmentation; a step counts when it is at least {acc:g} pp or ×{factor:g} and exceeds twice its noise, "
    "see bench/history/changepoints.py). Figures show at most {panels} configurations, those with steps "
    "first."
)


def write_trends(store: ResultsStore, suite: str, out_dir: Path) -> dict[str, Path]:
    """Write ``out_dir/index.{md,html}`` and ``out_dir/figures/*.png`` from every run in ``store``."""
    from bench.report.page import PageSection, SectionFigure, write_page

    t = collect(store)
    figures = out_dir / "figures"
    made = {}
    for metric in ("accuracy", "time"):
        path = figures / f"{metric}.png"
        path.unlink(missing_ok=True)
        made[metric] = f"figures/{path.name}" if _plot(t, metric, path) is not None else None
    note = NOTE.format(
        n=TABLE_RUNS,
        machine=t.machine or "none",
        acc=MIN_ACCURACY_STEP_PP,
        factor=MIN_TIME_FACTOR,
        panels=MAX_PANELS,
    )
    sections = [
        PageSection("Runs", "", _runs_frame(t), "No run yet."),
        PageSection("Change points", note, _steps_frame(t), "No change point detected."),
        PageSection(
            "Test accuracy per run",
            "",
            _series_frame(t, "accuracy"),
            "No ok cell yet.",
            [
                SectionFigure(
                    "Test accuracy per run",
                    "Test accuracy % per configuration across runs.",
                    made["accuracy"],
                )
            ],
        ),
        PageSection(
            "Circuit time per run",
            "",
            _series_frame(t, "time"),
            "No circuit timing on this machine.",
            [SectionFigure("Circuit time per run", "Circuit forward+backward ms per batch.", made["time"])],
        ),
    ]
    intro = [f"Suite {suite}: {len(t.runs)} runs, {len(t.accuracy)} configurations."]
    return write_page(out_dir, f"qhead-bench trends: {suite}", intro, sections)
