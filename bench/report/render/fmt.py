"""Number formatting for report cells. Every function returns a short string and maps
missing values (``None``/NaN) to ``MISSING``; none of them raise on bad input."""

from __future__ import annotations

import math

__all__ = [
    "MISSING",
    "fmt_count",
    "fmt_delta_ci",
    "fmt_duration",
    "fmt_mean_ci",
    "fmt_p",
    "fmt_points",
    "fmt_probability",
    "fmt_ratio",
    "fmt_seconds",
    "fmt_unit",
    "fmt_units",
]

MISSING = "—"


def _is_missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _sig3(x: float) -> str:
    """Three significant figures for 1 <= |x| < 1000, e.g. 1.23, 12.3, 123."""
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_seconds(s: float | None) -> str:
    """``0.0123`` → ``12.3 ms``; µs, ms, s, min or h, whichever keeps the number readable."""
    if _is_missing(s):
        return MISSING
    s = float(s)
    if s == 0:
        return "0 s"
    a = abs(s)
    if a < 1e-3:
        return f"{_sig3(s * 1e6)} µs"
    if a < 1:
        return f"{_sig3(s * 1e3)} ms"
    if a < 120:
        return f"{_sig3(s)} s"
    if a < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def fmt_duration(s: float | None) -> str:
    """Wall-clock durations: ``3725`` → ``1 h 2 min 5 s``; under a minute as ``fmt_seconds``."""
    if _is_missing(s):
        return MISSING
    s = float(s)
    if s < 60:
        return fmt_seconds(s)
    total = int(round(s))
    h, rem = divmod(total, 3600)
    m, sec = divmod(rem, 60)
    parts = [f"{h} h"] if h else []
    return " ".join([*parts, f"{m} min", f"{sec} s"])


def fmt_count(n: float | None) -> str:
    """Integer with thousands separators: ``12345`` → ``12,345``."""
    if _is_missing(n):
        return MISSING
    return f"{int(round(float(n))):,}"


def fmt_mean_ci(
    mean: float, half_width: float, n: int, scale: float = 100.0, digits: int = 1, signed: bool = False
) -> str:
    """``mean ± half_width`` after multiplying by ``scale`` (fractions → percent by default).

    With ``n == 1`` (or a NaN half-width) no interval is shown: ``74.4 (n=1)``.
    """
    if n == 0 or _is_missing(mean):
        return MISSING
    sign = "+" if signed else ""
    m = f"{mean * scale:{sign}.{digits}f}"
    if _is_missing(half_width):
        return f"{m} (n={n})"
    return f"{m} ± {half_width * scale:.{digits}f}"


def fmt_points(x: float | None, scale: float = 100.0, digits: int = 1) -> str:
    """A signed difference of fractions in percentage points: ``0.032`` → ``+3.2``."""
    if _is_missing(x):
        return MISSING
    return f"{float(x) * scale:+.{digits}f}"


def fmt_unit(unit: int | tuple[int, int]) -> str:
    """A statistical unit (``Record.unit``) in words: ``seed 3`` or ``fold 2, seed 3``."""
    return f"fold {unit[0]}, seed {unit[1]}" if isinstance(unit, tuple) else f"seed {unit}"


def fmt_units(n_units: int, n_folds: int = 0) -> str:
    """A count of units: ``5`` (seeds), or ``50 (10 folds x 5 seeds)`` when the units are folds x seeds."""
    if not n_folds:
        return str(n_units)
    seeds = n_units // n_folds
    exact = seeds * n_folds == n_units
    return f"{n_units} ({n_folds} folds × {seeds} seeds)" if exact else f"{n_units} (over {n_folds} folds)"


def fmt_p(p: float) -> str:
    """``0.0342`` → ``0.034``; below 0.001 → ``<0.001``; NaN → ``—``."""
    if _is_missing(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_probability(p: float) -> str:
    """``0.973`` → ``0.97``; NaN → ``—``."""
    if _is_missing(p):
        return MISSING
    return f"{p:.2f}"


def fmt_ratio(x: float) -> str:
    """``3.24`` → ``3.2×``; ``1234.6`` → ``1,235×``."""
    if _is_missing(x):
        return MISSING
    return f"{x:,.0f}×" if x >= 100 else f"{x:.2g}×"


def fmt_delta_ci(delta: float, ci_low: float, ci_high: float, n_pairs: int) -> str:
    """A paired Δ in points with its interval: ``+1.2 [-0.3, +2.7]``; without an interval the Δ alone
    (one pair says so)."""
    text = fmt_points(delta)
    if _is_missing(ci_low):
        return f"{text} (no interval: 1 pair)" if n_pairs == 1 else text
    return f"{text} [{fmt_points(ci_low)}, {fmt_points(ci_high)}]"
