"""The trends page: every run of a suite on one page, per configuration, with detected steps.

``reports/<suite>/trends/index.{md,html}`` (rewritten after every ``bench run``):
- runs: date, id, state, git SHA, suite settings (``training.lr: 0.05 -> 0.02``, from the cell specs)
  and package versions that changed since the previous run, machine;
- change points (``bench.history.changepoints``) in test accuracy (mean over seeds; a split is a
  step when ``bench.stats.paired_comparison`` of the per-seed accuracies after it against those
  before it (each seed's mean over the runs of a side) says better or worse *and* the step is at
  least ``MIN_ACCURACY_STEP_PP`` percentage points: between two runs, exactly ``bench compare``'s
  rule, so the two cannot disagree; no step with fewer than 5 seeds) and in
  circuit forward+backward time per batch (median over seeds; detection on log time; minimum step a factor
  ``MIN_TIME_FACTOR``; only runs on the latest run's machine fingerprint, since times from other
  machines are not comparable);
- per-configuration tables (last ``TABLE_RUNS`` runs) and figures (all runs, at most ``MAX_PANELS``
  configurations, those with steps first; x = run, at most ``MAX_TICK_LABELS`` runs labelled with
  their number, start time, git SHA and changed versions, under the bottom panel of each column; y
  zoomed to the data; red dashed lines at change points, ▲ better / ▼ worse as in the report's
  forest plot).

The page is linear in the records: each run is read once, field by field inside SQLite, into a
``RunSummary`` kept under ``trends/runs/`` while the run is unchanged, so a rewrite after a nightly
run reads that run only; the step test skips the power figures it does not use; figures and the
tables' runs are bounded.
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

from bench.core.files import atomic_write
from bench.history.changepoints import change_points
from bench.history.compare import configuration
from bench.history.runs import MACHINE_KEYS, machine_fingerprint, provenance_changes, spec_changes
from bench.results.record import Record
from bench.results.store import ResultsStore, RunInfo
from bench.stats import BETTER, WORSE, mean_ci, paired_comparison

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
    seeds: dict[int | tuple[int, int], float] = field(default_factory=dict)  # accuracy % per unit


@dataclass
class Trends:
    runs: list[RunInfo]
    machine: str  # fingerprint of the latest run's records
    accuracy: dict[str, list[Point | None]] = field(default_factory=dict)
    time: dict[str, list[Point | None]] = field(default_factory=dict)
    steps: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (metric, config) -> run indexes
    settings: list[list[str]] = field(
        default_factory=list
    )  # per run: suite settings changed since the previous


Unit = int | tuple[int, int]


def _accuracy_point(seeds: dict[Unit, float]) -> Point | None:
    """Mean ± 95 % CI over units of ``seeds`` (accuracy % per unit, in record order)."""
    values = list(seeds.values())
    if not values:
        return None
    mean, half = mean_ci(values)
    noise = float(np.std(values, ddof=1)) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    return Point(mean, half, noise, len(values), seeds)


def accuracy_points(per_config: list[dict[Unit, float]]) -> list[Point | None]:
    """``_accuracy_point`` of each entry, the entries with equal unit counts computed together:
    the same numpy reductions row by row as ``mean_ci`` on each alone, so the numbers are identical
    (an entry holding a NaN goes through ``_accuracy_point``)."""
    out: list[Point | None] = [None] * len(per_config)
    by_n: dict[int, list[int]] = {}
    for i, seeds in enumerate(per_config):
        if len(seeds) > 1:
            by_n.setdefault(len(seeds), []).append(i)
        else:
            out[i] = _accuracy_point(seeds)
    for n, rows in by_n.items():
        x = np.array([list(per_config[i].values()) for i in rows], dtype=float)
        finite = ~np.isnan(x).any(axis=1)
        mean, sd = x.mean(axis=1), x.std(axis=1, ddof=1)
        sem = sd / math.sqrt(n)
        half = _t_quantile(n - 1) * sem
        for row, i in enumerate(rows):
            if finite[row]:
                point = Point(float(mean[row]), float(half[row]), float(sem[row]), n, per_config[i])
            else:
                point = _accuracy_point(per_config[i])
            out[i] = point
    return out


@functools.lru_cache(maxsize=256)
def _t_quantile(df: int) -> float:
    """The 97.5 % Student-t quantile ``mean_ci`` uses for a 95 % interval."""
    return float(sps.t.ppf((1.0 + 0.95) / 2.0, df=df))


def _time_point(values: list[float]) -> Point | None:
    """Median over seeds of circuit times (seconds), with the standard error of their log."""
    if not values:
        return None
    logs = [math.log(v) for v in values]
    noise = float(np.std(logs, ddof=1)) / math.sqrt(len(logs)) if len(logs) > 1 else math.nan
    return Point(statistics.median(values), math.nan, noise, len(values))


def collect(store: ResultsStore, keep: Path | None = None) -> Trends:
    """Per configuration and run: accuracy and circuit time points, and their change points.

    Linear in the records, one run's records in memory at a time: each run is read once into a
    ``RunSummary`` (per configuration, accuracy per unit and circuit times; kept under ``keep``
    when given, so a rewrite reads only changed runs)."""
    runs = store.run_list()
    summaries = list(run_summaries(store, runs, keep))
    machine = summaries[-1].machine if summaries else ""
    trends = Trends(runs, machine, settings=run_settings_changes(store, runs))
    configs = sorted({config for summary in summaries for config in summary.accuracy})
    points = [
        dict(zip(configs, accuracy_points([s.accuracy.get(c, {}) for c in configs]), strict=True))
        for s in summaries
    ]
    for config in configs:
        acc = [run_points[config] for run_points in points]
        time = [_time_point(s.times_on(config, machine)) for s in summaries]
        trends.accuracy[config] = acc
        trends.steps[("accuracy", config)] = accuracy_steps(acc, MIN_ACCURACY_STEP_PP)
        if any(time):
            trends.time[config] = time
            trends.steps[("time", config)] = _steps(time, math.log(MIN_TIME_FACTOR), log=True)
    return trends


def settings_changes(per_run: list[list[Record]]) -> list[list[str]]:
    """Per run, the cell-spec settings that differ from the previous run's, over the
    configurations (and seeds) both have (``spec_changes``; empty for the first run)."""
    out: list[list[str]] = []
    previous: dict[str, dict] = {}
    for records in per_run:
        specs = {r.key.split("#", 1)[0]: r.spec for r in records if r.spec}
        found: dict[str, None] = {}
        for cell, spec in specs.items():
            if cell in previous:
                found.update(dict.fromkeys(spec_changes(previous[cell], spec)))
        out.append(list(found) if out else [])
        previous = specs
    return out


def run_settings_changes(store: ResultsStore, runs: list[RunInfo]) -> list[list[str]]:
    """``settings_changes`` of the runs, reading the records of two consecutive runs only where
    their suite hash differs (unchanged settings cost no read, so the page stays linear)."""
    out: list[list[str]] = [[] for _ in runs]
    for i in range(1, len(runs)):
        before, after = (r.summary.get("suite_hash") for r in (runs[i - 1], runs[i]))
        if before and after and before != after:
            pair = [store.get(run_id=runs[i - 1].run_id), store.get(run_id=runs[i].run_id)]
            out[i] = settings_changes(pair)[1]
    return out


def accuracy_steps(points: list[Point | None], min_effect: float) -> list[int]:
    """Change points of an accuracy series, accepted by the paired test over seeds (module docstring)."""
    values = [math.nan if p is None else p.value for p in points]

    def significant(left: list[int], right: list[int]) -> bool:
        test = paired_comparison(_seed_means(points, right), _seed_means(points, left), power_figures=False)
        return test.verdict in (BETTER, WORSE) and abs(100 * test.delta) >= min_effect

    return change_points(values, min_effect, accept=significant)


def _seed_means(points: list[Point | None], runs: list[int]) -> dict[int, float]:
    """Each seed's mean accuracy (fraction) over ``runs``."""
    sums: dict[int, list[float]] = {}
    for i in runs:
        for seed, acc in points[i].seeds.items():
            sums.setdefault(seed, []).append(acc / 100)
    return {seed: statistics.fmean(v) for seed, v in sums.items()}


@dataclass
class RunSummary:
    """What the trends page reads of one run, per configuration (``bench.history.compare.configuration``)
    in the order the records were written: ``accuracy`` maps every configuration with a record to
    the test accuracy % per unit of its ok records; ``times`` holds ``(machine index, seconds)`` of
    the circuit time of its ok records that have one, ``machines`` the fingerprints those indexes
    name; ``machine`` is the fingerprint of the run's first ok record ("" when none)."""

    machine: str = ""
    accuracy: dict[str, dict[Unit, float]] = field(default_factory=dict)
    times: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    machines: list[str] = field(default_factory=list)

    def times_on(self, config: str, machine: str) -> list[float]:
        """The circuit times of ``config``'s ok records measured on ``machine``."""
        if machine not in self.machines:
            return []
        index = self.machines.index(machine)
        return [seconds for m, seconds in self.times.get(config, ()) if m == index]


SUMMARY_PATHS = (
    "$.metrics.test_accuracy",
    f"$.timings.{TIME_KEY}",
    *(f"$.provenance.{k}" for k in MACHINE_KEYS),
)
SUMMARY_FORMAT = 2  # bump when RunSummary or SUMMARY_PATHS change: kept summaries are then re-read


def summarize_run(store: ResultsStore, run_id: str) -> RunSummary:
    """``run_id``'s records as a ``RunSummary``, read field by field in SQLite (``fields``)."""
    out = RunSummary()
    index: dict[tuple, int] = {}
    for key, status, (accuracy, seconds, *machine) in store.fields(run_id, SUMMARY_PATHS):
        config, unit = configuration(key)
        seeds = out.accuracy.setdefault(config, {})
        if status != "ok":
            continue
        where = index.get(tuple(machine))
        if where is None:
            where = index[tuple(machine)] = len(out.machines)
            prov = {k: str(v) for k, v in zip(MACHINE_KEYS, machine, strict=True) if v is not None}
            out.machines.append(machine_fingerprint(prov))
        if not out.machine:
            out.machine = out.machines[where]
        if accuracy is not None:
            seeds[unit] = 100 * float(accuracy)
        if seconds:  # a zero or missing time is no point
            out.times.setdefault(config, []).append((where, float(seconds)))
    return out


def run_summaries(store: ResultsStore, runs: list[RunInfo], keep: Path | None) -> Iterator[RunSummary]:
    """Each run's ``summarize_run``, in order; with ``keep``, read from ``keep/<run_id>.json`` while
    the run's records are unchanged (``ResultsStore.run_stamp``), else summarized and kept there."""
    for run in runs:
        stamp = store.run_stamp(run.run_id)
        path = keep / f"{run.run_id}.json" if keep is not None else None
        kept = _read_kept(path, stamp) if path is not None else None
        if kept is None:
            kept = summarize_run(store, run.run_id)
            if path is not None:
                _write_kept(path, stamp, kept)
        yield kept


def _read_kept(path: Path, stamp: str) -> RunSummary | None:
    try:
        data = json.loads(path.read_text())
        if data["format"] != SUMMARY_FORMAT or data["stamp"] != stamp:
            return None
        accuracy = {c: dict(zip(_units(units), values, strict=True)) for c, units, values in data["accuracy"]}
        times = {c: list(zip(where, seconds, strict=True)) for c, where, seconds in data["times"]}
        return RunSummary(str(data["machine"]), accuracy, times, [str(m) for m in data["machines"]])
    except (OSError, ValueError, KeyError, TypeError):  # missing, torn by hand, older layout: re-read
        return None


def _units(units: list) -> list:
    """Kept units back as ``Record.unit`` values (JSON stores a ``(fold, seed)`` unit as a list)."""
    if all(isinstance(u, int) for u in units):
        return units
    return [tuple(u) if isinstance(u, list) else u for u in units]


def _write_kept(path: Path, stamp: str, summary: RunSummary) -> None:
    data = {
        "format": SUMMARY_FORMAT,
        "stamp": stamp,
        "machine": summary.machine,
        "machines": summary.machines,
        "accuracy": [[c, list(units), list(units.values())] for c, units in summary.accuracy.items()],
        "times": [[c, [m for m, _ in v], [t for _, t in v]] for c, v in summary.times.items()],
    }
    atomic_write(path, lambda fh: fh.write(json.dumps(data).encode()), durable=False)


def _steps(points: list[Point | None], min_effect: float, log: bool) -> list[int]:
    values = [math.nan if p is None else (math.log(p.value) if log else p.value) for p in points]
    noises = [p.noise for p in points if p is not None and math.isfinite(p.noise)]
    return change_points(values, min_effect, statistics.median(noises) if noises else 0.0)


def run_label(runs: list[RunInfo], i: int) -> str:
    """``#3 2026-11-30 14:05 abc1234`` (run number, start, git SHA: two runs of one commit differ)
    plus the package versions that changed since the previous run."""
    run = runs[i]
    prov = run.provenance or run.summary.get("provenance") or {}
    label = f"#{i + 1} {run.started[:16].replace('T', ' ')} {str(prov.get('git_sha', '?'))[:7]}"
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
                "changed since previous run": "; ".join(
                    [*(t.settings[i] if i < len(t.settings) else []), *provenance_changes(before, prov)]
                    if before is not None
                    else []
                ),
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
            row[f"#{i + 1}"] = text + _step_mark(t, metric, config, i)
        rows.append(row)
    return pd.DataFrame(rows)


def step_direction(t: Trends, metric: str, config: str, i: int) -> str:
    """``"better"`` / ``"worse"`` for a change point at run ``i`` (higher accuracy or lower time is
    better), ``""`` when ``i`` is no change point of that series."""
    if i not in t.steps.get((metric, config), []):
        return ""
    series = t.accuracy[config] if metric == "accuracy" else t.time[config]
    before = [p.value for p in series[:i] if p is not None]
    after = [p.value for p in series[i:] if p is not None]
    if not before or not after:
        return ""
    up = after[0] > before[-1]
    return "better" if up == (metric == "accuracy") else "worse"


def _step_mark(t: Trends, metric: str, config: str, i: int) -> str:
    """`` ▲`` (better) / `` ▼`` (worse), as in the report's forest plot; ``""`` without a step."""
    return {"better": " ▲", "worse": " ▼"}.get(step_direction(t, metric, config, i), "")


def _plot(t: Trends, metric: str, path: Path) -> Path | None:
    from bench.report.figures.plots import new_figure, save_figure

    series = t.accuracy if metric == "accuracy" else t.time
    if not series or len(t.runs) < 1:
        return None
    order = sorted(series, key=lambda c: (not t.steps.get((metric, c)), c))[:MAX_PANELS]
    cols = min(3, len(order))
    rows = math.ceil(len(order) / cols)
    fig, axes = new_figure(rows, cols, 4.2, 2.8)
    ticks = run_ticks(len(t.runs))
    labels = [run_label(t.runs, i) for i in ticks]
    for k, (ax, config) in enumerate(zip(axes.flat, order, strict=False)):
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
            direction = step_direction(t, metric, config, i)
            if direction and i in xs:
                style = VERDICT_MARKS[direction]
                ax.plot([i], [ys[xs.index(i)]], linestyle="none", ms=7, zorder=4, **style)
        ax.set_title(config, fontsize=7)
        bottom = k + cols >= len(order)  # no panel below it: its column's run labels go here
        ax.set_xticks(ticks, labels if bottom else [], rotation=60, ha="right", fontsize=5)
        ax.set_xlim(-0.5, len(t.runs) - 0.5)
        ax.set_ylabel("test accuracy %" if metric == "accuracy" else "ms / batch", fontsize=7)
        if ys:  # a configuration whose every cell failed has no point to zoom to
            ax.set_ylim(*zoomed_limits(ys, err or None, metric))
    for ax in list(axes.flat)[len(order) :]:
        ax.set_visible(False)
    return save_figure(fig, path)


MAX_TICK_LABELS = 15


def run_ticks(n_runs: int) -> list[int]:
    """The runs labelled on a figure's x axis: every run up to ``MAX_TICK_LABELS`` runs, else evenly
    spaced ones counted back from the latest (which is always labelled)."""
    stride = max(1, math.ceil(n_runs / MAX_TICK_LABELS))
    return list(range(n_runs - 1, -1, -stride))[::-1]


VERDICT_MARKS = {
    "better": {"marker": "^", "color": "#1a9850"},
    "worse": {"marker": "v", "color": "#d73027"},
}
"""Change-point markers: the forest plot's ▲ green better, ▼ red worse."""


def zoomed_limits(values: list[float], err: list[float] | None, metric: str) -> tuple[float, float]:
    """y limits around the data (error bars included) with 15 % margins, at least 2 pp (accuracy)
    or ±10 % of the median (time) tall, so seed noise is not magnified and a step is not flattened."""
    low = [v - (e if err else 0) for v, e in zip(values, err or [0] * len(values), strict=True)]
    high = [v + (e if err else 0) for v, e in zip(values, err or [0] * len(values), strict=True)]
    lo, hi = min(low), max(high)
    floor = 2.0 if metric == "accuracy" else 0.2 * abs(statistics.median(values))
    span = max(hi - lo, floor, 1e-12)
    mid = (lo + hi) / 2
    lo, hi = mid - span / 2 - 0.15 * span, mid + span / 2 + 0.15 * span
    if metric == "accuracy":
        lo, hi = max(lo, 0.0), min(hi, 100.0)
    return (max(lo, 0.0), hi)


NOTE = (
    "One column per run (#1 oldest; the last {n} runs in the tables, all in the figures). Accuracy: mean ± "
    "95 % CI over seeds of ok cells. Circuit time: median forward+backward time per batch over seeds, on the "
    "latest run's machine only ({machine}). Red dashed line: a detected change point, marked ▲ (green, "
    "better: higher accuracy or less time) or ▼ (red, worse) as in the report's forest plot (binary "
    "segmentation; an accuracy step counts when it is at least {acc:g} pp and the paired t-test over seeds "
    "of bench compare calls it significant (5 seeds or more); a time step when it is at least ×{factor:g} "
    "and exceeds twice its noise; see bench/history/trends.py). Figures show at most {panels} "
    "configurations, those with steps first, and label at most {ticks} runs (the table above names "
    "every run)."
)


def write_trends(store: ResultsStore, suite: str, out_dir: Path) -> dict[str, Path]:
    """Write ``out_dir/index.{md,html}`` and ``out_dir/figures/*.png`` from every run in ``store``;
    ``out_dir/runs/`` keeps each run's summary for the next rewrite (``run_summaries``)."""
    from bench.report.render.page import PageSection, SectionFigure, write_page

    t = collect(store, out_dir / "runs")
    figures = out_dir / "figures"
    made = {}
    for metric in ("accuracy", "time"):
        path = figures / f"{metric}.png"
        made[metric] = f"figures/{path.name}" if _plot(t, metric, path) is not None else None
        if made[metric] is None:  # remove a stale figure (a new one replaces it atomically)
            path.unlink(missing_ok=True)
    note = NOTE.format(
        n=TABLE_RUNS,
        machine=t.machine or "none",
        acc=MIN_ACCURACY_STEP_PP,
        factor=MIN_TIME_FACTOR,
        panels=MAX_PANELS,
        ticks=MAX_TICK_LABELS,
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
