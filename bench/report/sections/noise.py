"""The report's Noise section: accuracy under each noise setting next to exact, per head configuration.

Input is the list of records. Evaluate-only records (``metrics.evaluate_only``) give one row per
variant: the raw one and, with ZNE, a separate mitigated row. Each head configuration (dataset,
head, qubits, layers) starts with its exact row (full test split, from the exact backends).

For a noisy row, ``acc`` is the mean over seeds of the subset accuracy, with a 95 % Student-t
half-width over seeds, or the Wilson interval of the subset when there is one seed; ``exact``
is the trainer's accuracy on the *same* items, and ``Δ`` the paired per-seed difference.
Figures: accuracy vs channel strength (one panel per channel, exact at strength 0, ZNE dashed)
and accuracy per device (fake devices, hardware, shots), each with the exact reference.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from bench.report.figures.style import Palette, legend_outside, new_figure, save_figure
from bench.report.frame import AXES, UNIT
from bench.report.render.fmt import MISSING, fmt_count, fmt_mean_ci, fmt_points
from bench.report.sections.base import (
    Heading,
    Note,
    ReportInputs,
    ReportSection,
    Section,
    SectionContent,
    Table,
)
from bench.results.record import Record
from bench.stats import mean_ci

__all__ = ["NOISE_NOTE", "SECTION", "noise_frame", "noise_table", "plot_degradation", "plot_devices"]

NOISE_NOTE = (
    "Noisy simulators, fake devices and hardware only evaluate heads trained on an exact simulator, on a "
    "stratified, seeded test subset (n eval items, the same items for every noise setting of a head). "
    "'acc' is the mean over seeds ± a 95 % Student-t half-width (with one seed: the 95 % Wilson interval "
    "of the subset, in brackets); 'exact, same items' is the trainer's accuracy on those items and Δ their "
    "paired difference in percentage points. ZNE rows are the zero-noise-extrapolated version of the row "
    "above them (same jobs for fake devices and hardware). Circuits: those each estimate used (ZNE: one per "
    "item and scale factor). Bands and bars are clipped to [0, 1]. QPU s: usage reported by the service, or "
    "the cost-model estimate for rehearsals (marked ~)."
)

CONFIG = ["dataset", "head", "n_qubits", "n_layers"]


def _axes(r: Record) -> dict:
    """The record's cell axes (``bench.report.frame.AXES``) and its unit as columns."""
    return {**{axis: getattr(r, axis) for axis in AXES}, UNIT: r.unit}


def _variant_row(r: Record, variant: str) -> dict:
    m = r.metrics
    p = "" if variant == "raw" else "zne_"
    qpu = m.get("qpu_seconds")
    return {
        **_axes(r),
        "variant": variant,
        "kind": r.backend_info.get("kind", "?"),
        "profile": r.backend_info.get("profile", ""),
        "strength": m.get("noise_strength", math.nan),
        "channel": _channel(r.backend_info.get("profile", "")),
        "acc": m.get(f"{p}test_accuracy", math.nan),
        "ci_low": m.get(f"{p}test_accuracy_ci_low", math.nan),
        "ci_high": m.get(f"{p}test_accuracy_ci_high", math.nan),
        "exact": m.get("exact_subset_accuracy", math.nan),
        "n_eval": m.get("eval_samples", math.nan),
        "shots": m.get("shots_per_circuit", 0.0),
        "circuits": m.get("zne_circuits" if variant == "zne" else "eval_samples", math.nan),
        "qpu_s": qpu if qpu is not None else m.get("qpu_seconds_estimated", math.nan),
        "qpu_estimated": qpu is None and "qpu_seconds_estimated" in m,
    }


def _channel(profile_summary: str) -> str | None:
    for name in ("depolarizing", "amplitude_damping"):
        if name in profile_summary:
            return name
    return None


def noise_frame(records: list[Record]) -> pd.DataFrame:
    """One row per evaluate-only record and variant (see the module docstring)."""
    rows = []
    for r in records:
        if r.status != "ok" or not r.metrics.get("evaluate_only"):
            continue
        rows.append(_variant_row(r, "raw"))
        if "zne_test_accuracy" in r.metrics:
            rows.append(_variant_row(r, "zne"))
    return pd.DataFrame(rows)


def _exact_rows(records: list[Record]) -> pd.DataFrame:
    rows = [
        {
            **_axes(r),
            "acc": r.metrics.get("test_accuracy", math.nan),
        }
        for r in records
        if r.status == "ok" and r.backend is not None and not r.metrics.get("evaluate_only")
    ]
    frame = pd.DataFrame(rows)
    # exact backends agree (checked per cell), so one record per head configuration and seed
    return frame.drop_duplicates([*CONFIG, UNIT]) if not frame.empty else frame


def _acc_text(g: pd.DataFrame) -> str:
    n = g[UNIT].nunique()
    if n == 1:
        row = g.iloc[0]
        return f"{row['acc'] * 100:.1f} [{row['ci_low'] * 100:.1f}, {row['ci_high'] * 100:.1f}]"
    return fmt_mean_ci(*mean_ci(g["acc"]), n)


NOISE_COLUMNS = [
    "dataset",
    "head",
    "qubits",
    "layers",
    "backend",
    "kind",
    "mitigation",
    "seeds",
    "n eval",
    "acc %",
    "exact, same items %",
    "Δ vs exact (pp)",
    "shots/circuit",
    "circuits",
    "QPU s",
]


def noise_table(records: list[Record]) -> pd.DataFrame:
    """Display table: per head configuration, the exact row then one row per noise setting/variant."""
    noisy, exact = noise_frame(records), _exact_rows(records)
    if noisy.empty:
        return pd.DataFrame([], columns=NOISE_COLUMNS)
    out = []
    for config, g in noisy.groupby(CONFIG, sort=True, dropna=False):
        dataset, head, n_qubits, n_layers = config
        base = {"dataset": dataset, "head": head, "qubits": str(n_qubits), "layers": str(n_layers)}
        ex = _same_configuration(exact, config)
        if not ex.empty:
            out.append({**base, **_exact_cells(ex)})
        order = g.assign(_s=g["strength"].fillna(np.inf)).sort_values(["kind", "_s", "backend", "variant"])
        for (backend, variant), rows in order.groupby(["backend", "variant"], sort=False):
            out.append({**base, **_noisy_cells(backend, variant, rows)})
    return pd.DataFrame(out, columns=NOISE_COLUMNS)


def _same_configuration(exact: pd.DataFrame, config: tuple) -> pd.DataFrame:
    """The exact-backend rows of one (dataset, head, qubits, layers)."""
    if exact.empty:
        return exact
    dataset, head, n_qubits, n_layers = config
    return exact[
        (exact["dataset"] == dataset)
        & (exact["head"] == head)
        & (exact["n_qubits"] == n_qubits)
        & (exact["n_layers"] == n_layers)
    ]


def _exact_cells(ex: pd.DataFrame) -> dict[str, str]:
    """The row of a configuration's exact runs (full test set, mean over seeds)."""
    mean, hw = mean_ci(ex["acc"])
    backends = ", ".join(sorted(set(ex["backend"])))
    return {
        "backend": f"{backends} (full test)",
        "kind": "exact",
        "mitigation": MISSING,
        "seeds": str(ex[UNIT].nunique()),
        "n eval": "all",
        "acc %": fmt_mean_ci(mean, hw, ex[UNIT].nunique()),
        "exact, same items %": MISSING,
        "Δ vs exact (pp)": MISSING,
        "shots/circuit": MISSING,
        "circuits": MISSING,
        "QPU s": MISSING,
    }


def _noisy_cells(backend: str, variant: str, rows: pd.DataFrame) -> dict[str, str]:
    """The row of one noise setting (and mitigation variant) of a configuration, over its seeds."""
    deltas = rows["acc"] - rows["exact"]
    n = rows[UNIT].nunique()
    qpu = rows["qpu_s"].sum() if rows["qpu_s"].notna().any() else math.nan
    approx = "~" if rows["qpu_estimated"].any() else ""
    delta = fmt_mean_ci(*mean_ci(deltas), n, signed=True) if n > 1 else fmt_points(deltas.iloc[0])
    return {
        "backend": backend,
        "kind": rows["kind"].iloc[0],
        "mitigation": "ZNE" if variant == "zne" else MISSING,
        "seeds": str(n),
        "n eval": fmt_count(rows["n_eval"].median()),
        "acc %": _acc_text(rows),
        "exact, same items %": f"{rows['exact'].mean() * 100:.1f}",
        "Δ vs exact (pp)": delta,
        "shots/circuit": fmt_count(rows["shots"].iloc[0]) if rows["shots"].iloc[0] else "exact",
        "circuits": fmt_count(rows["circuits"].median()),
        "QPU s": MISSING if math.isnan(qpu) else f"{approx}{qpu:.1f}",
    }


def _label(config: tuple) -> str:
    dataset, head, n_qubits, n_layers = config
    return f"{head}, q={n_qubits}, L={n_layers}"


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


def _config_styles(configs: list[tuple], palette: Palette) -> dict[tuple, tuple[str, int]]:
    """Config → (head colour, index of the config among the configs of its head)."""
    seen: dict[str, int] = {}
    out = {}
    for c in configs:
        out[c] = (palette.color(c[1]), seen.get(c[1], 0))
        seen[c[1]] = seen.get(c[1], 0) + 1
    return out


def plot_degradation(records: list[Record], path: Path, palette: Palette | None = None) -> Path | None:
    """Accuracy vs channel strength: one panel per channel (at most 3 per row); exact at strength 0;
    ZNE dashed. Colour per head (``palette``), marker per configuration of that head; legend outside."""
    frame = noise_frame(records)
    if frame.empty or frame["channel"].isna().all():
        return None
    frame = frame[frame["channel"].notna()]
    channels = sorted(frame["channel"].unique())
    n_cols = min(3, len(channels))
    n_rows = math.ceil(len(channels) / n_cols)
    fig, grid = new_figure(n_rows, n_cols, 4.4, 3.4, extra_w=2.6)
    axes = list(grid.flat)
    for ax in axes[len(channels) :]:
        ax.set_axis_off()
    configs = sorted({tuple(c) for c in frame[CONFIG].itertuples(index=False)}, key=str)
    styles = _config_styles(configs, palette or Palette.for_heads(c[1] for c in configs))
    colors = {c: styles[c][0] for c in configs}
    markers = {c: _MARKERS[styles[c][1] % len(_MARKERS)] for c in configs}
    for ax, channel in zip(axes, channels, strict=False):
        panel = frame[frame["channel"] == channel]
        for config, g in panel.groupby(CONFIG, sort=True):
            for variant, style in (("raw", "-"), ("zne", "--")):
                gv = g[g["variant"] == variant]
                if gv.empty:
                    continue
                xs, ys, lo, hi = [0.0], [gv["exact"].mean()], [math.nan], [math.nan]
                for strength, gs in gv.groupby("strength"):
                    mean, hw = mean_ci(gs["acc"])
                    if math.isnan(hw):
                        lo_v, hi_v = gs["ci_low"].mean(), gs["ci_high"].mean()
                    else:
                        lo_v, hi_v = mean - hw, mean + hw
                    xs.append(float(strength))
                    ys.append(mean)
                    lo.append(max(0.0, lo_v))
                    hi.append(min(1.0, hi_v))
                label = _label(config) + (" (ZNE)" if variant == "zne" else "")
                ax.plot(xs, ys, marker=markers[config], linestyle=style, color=colors[config], label=label)
                ax.fill_between(xs[1:], lo[1:], hi[1:], alpha=0.12, color=colors[config], linewidth=0)
        ax.set_title(f"{channel.replace('_', ' ')} (exact at 0)", fontsize=10)
        ax.set_xlabel("channel strength after every gate (p or gamma)")
        ax.set_ylabel("test accuracy (subset)")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    legend_outside(axes[n_cols - 1])
    return save_figure(fig, path)


def plot_devices(records: list[Record], path: Path, palette: Palette | None = None) -> Path | None:
    """Accuracy per device (fake devices, hardware, shots) with interval bars; black: exact, same items.
    Bar colour per head (``palette``), hatch per configuration of that head; at most 16 inches wide."""
    frame = noise_frame(records)
    frame = frame[frame["kind"].isin(["fake-device", "ibm", "shots"])] if not frame.empty else frame
    if frame.empty:
        return None
    frame = frame.assign(bar=frame["backend"] + np.where(frame["variant"] == "zne", " (ZNE)", ""))
    configs = sorted({tuple(c) for c in frame[CONFIG].itertuples(index=False)}, key=str)
    bars = sorted(frame["bar"].unique())
    styles = _config_styles(configs, palette or Palette.for_heads(c[1] for c in configs))
    fig, axes = new_figure(1, 1, min(14.0, max(4.5, 0.9 * len(bars) * len(configs) + 1.5)), 3.8, extra_w=2.6)
    ax = axes[0, 0]
    width = 0.8 / max(len(configs), 1)
    for i, config in enumerate(configs):
        g = frame[(frame[CONFIG] == pd.Series(config, index=CONFIG)).all(axis=1)]
        for j, bar in enumerate(bars):
            gb = g[g["bar"] == bar]
            if gb.empty:
                continue
            mean, hw = mean_ci(gb["acc"])
            if math.isnan(hw):
                low, high = gb["ci_low"].mean(), gb["ci_high"].mean()
            else:
                low, high = max(0.0, mean - hw), min(1.0, mean + hw)
            x = j + (i - (len(configs) - 1) / 2) * width
            ax.bar(
                x,
                mean,
                width * 0.9,
                color=styles[config][0],
                hatch=_HATCHES[styles[config][1] % len(_HATCHES)],
                edgecolor="white",
                label=_label(config) if j == 0 else None,
                yerr=[[mean - low], [high - mean]],
                capsize=3,
            )
            exact_label = "exact simulator, same items" if i == 0 and j == 0 else None
            ax.plot(
                [x - width / 2, x + width / 2],
                [gb["exact"].mean()] * 2,
                color="black",
                linewidth=2,
                label=exact_label,
            )
    ax.set_xticks(range(len(bars)), bars, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("test accuracy (subset)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3, axis="y")
    legend_outside(ax)
    return save_figure(fig, path)


DEGRADATION = (
    "Accuracy vs noise strength",
    "Test accuracy on the evaluation subset vs channel strength (exact at 0), mean over seeds with a "
    "95 % band; colour per head, marker per configuration; dashed: ZNE-mitigated.",
)
DEVICES = (
    "Accuracy per device",
    "Test accuracy on the evaluation subset per device / shot setting with 95 % intervals; colour per "
    "head, hatch per configuration; black tick: the exact simulator on the same items.",
)


def build(inputs: ReportInputs) -> SectionContent:
    records, palette = inputs.records, inputs.palette
    degradation = inputs.figure(
        "noise_degradation", lambda p: plot_degradation(records, p, palette), *DEGRADATION
    )
    devices = inputs.figure("noise_devices", lambda p: plot_devices(records, p, palette), *DEVICES)
    table = noise_table(records)
    if table.empty:
        blocks = [
            Note("No noisy, shot-based, fake-device or hardware evaluations in this suite.", css="empty")
        ]
    else:
        blocks = [Note(NOISE_NOTE), Table(table), Heading("Accuracy vs noise strength"), degradation]
        blocks += [Heading("Accuracy per device"), devices]
    return SectionContent([ReportSection("Noise", blocks)])


SECTION = Section("noise", build)
