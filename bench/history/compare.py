"""One run of a suite against another (``bench compare``): what moved, and is it a regression?

Per configuration (the cell key without its seed and spec hash: dataset x head x qubits x layers x
backend), pairing cells by seed:

- accuracy: Δ test accuracy (run - baseline) paired by seed through ``bench.stats.paired_comparison``
  (the report's test: Student t over the seed deltas, its 95 % interval; no verdict below
  ``bench.stats.MIN_UNITS`` seeds). A *regression* when the test says "worse" (p < 0.05) *and* the
  drop is at least ``threshold`` percentage points; an *improvement* likewise upwards. Otherwise
  "no significant change" with the smallest |Δ| it could have detected, "unchanged" when every
  seed has the same accuracy on both sides, or "too few seeds to conclude" with the seeds a
  2 pp effect needs (nothing is flagged: seed noise cannot be told apart).
- predictions: for exact simulators (or classical heads) with the same spec, package versions
  and git SHA on both sides, the test predictions must be identical; any difference is flagged
  as *non-determinism*.
- runtime: ratio (run / baseline) of the median head-training time and of the median circuit
  forward+backward time per batch, only when every record of the configuration on both sides
  comes from one machine fingerprint (CPU model, core count, GPU); otherwise "not comparable
  (different machine)". Slower is flagged when the ratio exceeds ``factor`` *and* a one-sided exact
  Mann-Whitney test over seeds says the run's times are larger (p <= ``RUNTIME_ALPHA``; with three
  seeds a side, every run time above every baseline time) *and* the medians differ by at least
  ``MIN_RUNTIME_EFFECT_S`` (1 s of head training, 5 ms per circuit call on a batch), as asv flags
  a change only when it is both larger than a factor and significant; the minimum effect keeps
  scheduler noise on millisecond timings from ever failing a job. With fewer than three seeds a
  side the ratio is shown, marked "not tested". Timings of a stage loaded from the cache are not
  measured in that run and are left out.
- what changed: per configuration, every setting of the cell spec that differs between the
  paired records (``training.lr: 0.05 -> 0.02``), package versions and git SHA
  (``provenance_changes``) and the machine fingerprint when it differs; ``Comparison.changes``
  is their union over configurations (suite settings first).
- failures: a seed ok in the baseline that failed in the run is a regression ("newly failing");
  cells missing from one side are listed, not flagged.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.core.exit_codes import ExitCode
from bench.core.registry import SIMULATORS
from bench.history.runs import machine_fingerprint, provenance_changes, spec_changes
from bench.results.record import Record
from bench.results.store import ResultsStore, RunInfo
from bench.stats import BETTER, TOO_FEW, WORSE, paired_comparison

DEFAULT_THRESHOLD_PP = 1.0
DEFAULT_FACTOR = 1.25
RUNTIME_ALPHA = 0.05
RUNTIME_KEYS = {
    "head training": "head_training_s",
    "circuit f+b / batch": "circuit_forward_backward_per_batch_s",
}
MIN_RUNTIME_EFFECT_S = {"head training": 1.0, "circuit f+b / batch": 0.005}
"""The smallest slow-down (median run - median baseline, seconds) flagged as a regression."""


@dataclass
class ConfigComparison:
    """One row of the comparison (see the module docstring for each verdict)."""

    configuration: str
    seeds_paired: int = 0
    base_accuracy: float = math.nan
    run_accuracy: float = math.nan
    delta_pp: float = math.nan
    delta_ci_pp: tuple[float, float] = (math.nan, math.nan)
    accuracy: str = ""
    predictions: str = ""
    runtime: dict[str, str] = field(default_factory=dict)
    cells: str = ""
    changes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    suite: str
    baseline: str
    run: str
    threshold_pp: float
    factor: float
    same_machine: bool
    provenance_changes: list[str]
    rows: list[ConfigComparison]

    @property
    def changes(self) -> list[str]:
        """Everything that differs between the two runs: suite settings (from the cell specs),
        then versions, git SHA and machine, each once."""
        found = dict.fromkeys(c for r in self.rows for c in r.changes)
        found.update(dict.fromkeys(self.provenance_changes))
        return sorted(found, key=lambda c: (not _is_setting(c), c))

    @property
    def regressions(self) -> list[str]:
        """``"configuration: what"`` for every flagged regression."""
        return [f"{r.configuration}: {flag}" for r in self.rows for flag in r.flags]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (NaN as ``null``), with ``regressions`` and the ``exit_code`` compare returns."""
        doc = {
            **asdict(self),
            "changes": self.changes,
            "regressions": self.regressions,
            "exit_code": int(ExitCode.REGRESSION if self.regressions else ExitCode.OK),
        }
        return _no_nan(doc)


def _no_nan(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


def configuration(key: str) -> tuple[str, int | tuple[int, int]]:
    """``("urban-synth/quantum/q2/l1/default.qubit", 0)`` from a cell key: the configuration and
    the unit (``Record.unit``). A fold cell's key (``.../default.qubit/f3/s0``) gives the
    configuration without its fold and the unit ``(3, 0)``, so runs compare over folds x seeds."""
    readable = key.split("#", 1)[0]
    head, _, seed = readable.rpartition("/s")
    seed_number = int(seed) if seed.isdigit() else -1
    parts = head.split("/")
    if len(parts) == FOLD_KEY_PARTS and parts[-1][:1] == "f" and parts[-1][1:].isdigit():
        return "/".join(parts[:-1]), (int(parts[-1][1:]), seed_number)
    return head, seed_number


FOLD_KEY_PARTS = 6
"""Parts of a fold cell's readable key before the seed: dataset/head/qN/lN/backend/fK."""


def _by_config(records: Iterable[Record]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in records:
        config, seed = configuration(r.key)
        out.setdefault(config, {})[seed] = r
    return out


def default_pair(runs: list[RunInfo]) -> tuple[RunInfo | None, RunInfo | None]:
    """``(baseline, run)``: the latest run and the latest complete run before it."""
    if not runs:
        return None, None
    run = runs[-1]
    return previous_complete(runs, run), run


def previous_complete(runs: list[RunInfo], run: RunInfo) -> RunInfo | None:
    earlier = [r for r in runs if r.seq < run.seq and r.state == "complete"]
    return earlier[-1] if earlier else None


def compare_runs(
    store: ResultsStore,
    suite: str,
    baseline: RunInfo,
    run: RunInfo,
    threshold_pp: float = DEFAULT_THRESHOLD_PP,
    factor: float = DEFAULT_FACTOR,
    keys: set[str] | None = None,
) -> Comparison:
    """Compare ``run`` with ``baseline`` (records of cells in ``keys`` only, when given)."""
    base_records = [r for r in store.get(run_id=baseline.run_id) if keys is None or r.key in keys]
    run_records = [r for r in store.get(run_id=run.run_id) if keys is None or r.key in keys]
    base, new = _by_config(base_records), _by_config(run_records)
    rows = [
        compare_configuration(c, base.get(c, {}), new.get(c, {}), threshold_pp, factor)
        for c in sorted(set(base) | set(new))
    ]
    fingerprints = {machine_fingerprint(r.provenance) for r in base_records + run_records}
    changes = provenance_changes(baseline.provenance, run.provenance)
    return Comparison(
        suite, baseline.run_id, run.run_id, threshold_pp, factor, len(fingerprints) <= 1, changes, rows
    )


def compare_configuration(
    config: str, base: dict[int, Record], run: dict[int, Record], threshold_pp: float, factor: float
) -> ConfigComparison:
    row = ConfigComparison(config)
    row.cells = _cells_note(base, run, row)
    paired = sorted(s for s in base if s in run and base[s].status == "ok" and run[s].status == "ok")
    row.seeds_paired = len(paired)
    row.changes = what_changed(list(base.values()), list(run.values()))
    if paired:
        _accuracy(row, [base[s] for s in paired], [run[s] for s in paired], threshold_pp)
        row.predictions = _predictions(row, [base[s] for s in paired], [run[s] for s in paired])
        row.runtime = _runtime(row, [base[s] for s in paired], [run[s] for s in paired], factor)
    return row


def what_changed(base: list[Record], run: list[Record]) -> list[str]:
    """Settings (``training.lr: 0.05 -> 0.02``), versions, git SHA and machine that differ
    between the records of one configuration, paired by seed (see the module docstring)."""
    by_unit = {r.unit: r for r in base}
    pairs = [(by_unit[r.unit], r) for r in run if r.unit in by_unit]
    found: dict[str, None] = {}
    for x, y in pairs:
        found.update(
            dict.fromkeys(c for c in spec_changes(x.spec, y.spec) if not c.startswith(("seed:", "fold.")))
        )
    for x, y in pairs:
        found.update(dict.fromkeys(provenance_changes(x.provenance, y.provenance)))
        old, new = machine_fingerprint(x.provenance), machine_fingerprint(y.provenance)
        if old != new:
            found[f"machine: {old} -> {new}"] = None
    return list(found)


def _is_setting(change: str) -> bool:
    """Whether a change line is a suite setting (``key.path: old -> new``), not a version or machine."""
    head = change.split(" ", 1)[0]
    return head.endswith(":") and head != "machine:"


def _unit_text(unit: int | tuple[int, int]) -> str:
    """``s3``, or ``f2/s3`` for a fold cell's unit (as in the cell key)."""
    return f"f{unit[0]}/s{unit[1]}" if isinstance(unit, tuple) else f"s{unit}"


def _cells_note(base: dict[int, Record], run: dict[int, Record], row: ConfigComparison) -> str:
    notes = []
    newly_failing = sorted(
        s for s in base if s in run and base[s].status == "ok" and run[s].status == "failed"
    )
    if newly_failing:
        seeds = ", ".join(_unit_text(s) for s in newly_failing)
        row.flags.append(f"newly failing ({seeds}): {run[newly_failing[0]].error}")
        notes.append(f"newly failing: {seeds}")
    fixed = sorted(s for s in base if s in run and base[s].status != "ok" and run[s].status == "ok")
    if fixed:
        notes.append("now ok: " + ", ".join(_unit_text(s) for s in fixed))
    for label, side, other in (("missing in run", base, run), ("new in run", run, base)):
        seeds = sorted(s for s in side if s not in other)
        if seeds:
            notes.append(f"{label}: " + ", ".join(_unit_text(s) for s in seeds))
    for label, side in (("failed in both", base), ("skipped", run)):
        bad = sorted(s for s in side if side[s].status == ("failed" if label != "skipped" else "skipped"))
        if label == "failed in both":
            bad = [s for s in bad if s in run and run[s].status == "failed"]
        if bad:
            notes.append(f"{label}: " + ", ".join(_unit_text(s) for s in bad))
    return "; ".join(notes) or "same cells"


def _accuracy(row: ConfigComparison, base: list[Record], run: list[Record], threshold_pp: float) -> None:
    a = {r.seed: r.metrics.get("test_accuracy", math.nan) for r in base}
    b = {r.seed: r.metrics.get("test_accuracy", math.nan) for r in run}
    row.base_accuracy = 100 * statistics.fmean(a.values())
    row.run_accuracy = 100 * statistics.fmean(b.values())
    test = paired_comparison(b, a)
    row.delta_pp, row.delta_ci_pp = 100 * test.delta, (100 * test.low, 100 * test.high)
    beyond = abs(row.delta_pp) >= threshold_pp
    if all(a[s] == b[s] for s in a):
        row.accuracy = "unchanged"
    elif test.verdict == WORSE and beyond:
        row.accuracy = "REGRESSION"
        row.flags.append(
            f"test accuracy {row.delta_pp:+.1f} pp (95 % CI {row.delta_ci_pp[0]:+.1f} to "
            f"{row.delta_ci_pp[1]:+.1f}, p={test.p:.3f}) beyond -{threshold_pp:g} pp"
        )
    elif test.verdict == BETTER and beyond:
        row.accuracy = "improved"
    elif test.verdict == TOO_FEW:
        row.accuracy = test.explanation()
    else:
        row.accuracy = f"no significant change (could have detected |Δ| ≥ {100 * test.mde:.1f} pp)"


def _exact(r: Record) -> bool:
    return not r.backend_info and (r.backend is None or (r.backend in SIMULATORS and "gpu" not in r.backend))


def _predictions(row: ConfigComparison, base: list[Record], run: list[Record]) -> str:
    checked = [
        (x, y)
        for x, y in zip(base, run, strict=True)
        if x.key == y.key and _exact(x) and not provenance_changes(x.provenance, y.provenance)
    ]
    if not checked:
        if not any(_exact(x) for x in base):
            return "not checked (not an exact simulator)"
        changed = row.changes[:2] + (["..."] if len(row.changes) > 2 else [])
        return "not checked: " + ("; ".join(changed) if changed else "spec changed")
    differ = [x.unit for x, y in checked if x.predictions != y.predictions]
    if differ:
        seeds = ", ".join(_unit_text(s) for s in differ)
        row.flags.append(f"non-determinism: predictions differ with the same spec and versions ({seeds})")
        return f"NON-DETERMINISM ({seeds})"
    return f"identical ({len(checked)} seeds)"


def _runtime(row: ConfigComparison, base: list[Record], run: list[Record], factor: float) -> dict[str, str]:
    machines = {machine_fingerprint(r.provenance) for r in base + run}
    if len(machines) > 1:
        return dict.fromkeys(RUNTIME_KEYS, "not comparable (different machine)")
    out = {}
    for label, key in RUNTIME_KEYS.items():
        a, b = _measured(base, key), _measured(run, key)
        if not a or not b:
            out[label] = "not measured"
            continue
        ratio = statistics.median(b) / statistics.median(a)
        effect = statistics.median(b) - statistics.median(a)
        text = f"×{ratio:.2f}"
        if min(len(a), len(b)) < 3:
            text += " (n<3 seeds: not tested)" if ratio > factor or ratio < 1 / factor else ""
        elif ratio > factor and _larger_p(b, a) <= RUNTIME_ALPHA:
            if effect < MIN_RUNTIME_EFFECT_S[label]:
                minimum = _seconds(MIN_RUNTIME_EFFECT_S[label])
                text += f" (+{_seconds(effect)}: below the {minimum} minimum effect)"
                out[label] = text
                continue
            row.flags.append(
                f"{label} {text} slower (+{_seconds(effect)}; beyond ×{factor:g}, p={_larger_p(b, a):.3f})"
            )
            text += " SLOWER"
        elif ratio < 1 / factor and _larger_p(a, b) <= RUNTIME_ALPHA:
            text += " faster"
        out[label] = text
    return out


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if abs(value) < 1 else f"{value:.1f} s"


def _larger_p(x: list[float], y: list[float]) -> float:
    """One-sided exact Mann-Whitney p-value for "``x`` tends to be larger than ``y``"."""
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(x, y, alternative="greater", method="exact").pvalue)


def _measured(records: list[Record], key: str) -> list[float]:
    """Positive timings measured in their own run (cached stages and reused heads are left out)."""
    cached = "head" if key == "head_training_s" else None
    return [
        float(r.timings[key])
        for r in records
        if r.timings.get(key) and float(r.timings[key]) > 0 and not (cached and r.cache_hits.get(cached))
    ]


ACCURACY_NOTE = (
    "Δ is run minus baseline test accuracy in percentage points, paired by seed; the interval is the 95 % "
    "Student-t interval over seeds, the test the report's paired t-test (bench.stats; no verdict below 5 "
    "seeds). REGRESSION: significantly worse (p < 0.05) by at least the threshold; improved: significantly "
    "better by at least the threshold. Predictions must be identical for exact simulators when spec, package "
    "versions and git SHA are unchanged. Runtime: ratio run / baseline of medians over seeds, compared only "
    "on one machine fingerprint (CPU model, cores, GPU); SLOWER when beyond the factor, a one-sided exact "
    "Mann-Whitney test over seeds gives p <= 0.05 (needs 3+ seeds per side; otherwise not tested) and the "
    "medians differ by at least 1 s of head training or 5 ms per circuit call on a batch."
)


def comparison_frame(comparison: Comparison):
    """The display table: one row per configuration."""
    import pandas as pd

    rows = []
    for r in comparison.rows:
        ci = r.delta_ci_pp
        delta = "" if math.isnan(r.delta_pp) else f"{r.delta_pp:+.1f}"
        interval = "" if math.isnan(ci[0]) else f"[{ci[0]:+.1f}, {ci[1]:+.1f}]"
        rows.append(
            {
                "configuration": r.configuration,
                "seeds": r.seeds_paired,
                "baseline acc %": "" if math.isnan(r.base_accuracy) else f"{r.base_accuracy:.1f}",
                "run acc %": "" if math.isnan(r.run_accuracy) else f"{r.run_accuracy:.1f}",
                "Δ pp": delta,
                "95 % CI": interval,
                "accuracy": r.accuracy,
                "predictions": r.predictions,
                **{k: r.runtime.get(k, "") for k in RUNTIME_KEYS},
                "cells": r.cells,
            }
        )
    return pd.DataFrame(rows)


def write_compare_page(comparison: Comparison, out_dir) -> dict:
    """``out_dir/index.{md,html}``: header, regressions, the per-configuration table."""
    import pandas as pd

    from bench.report.render.page import PageSection, write_page

    c = comparison
    intro = [
        f"Suite {c.suite}: run {c.run} against baseline {c.baseline}; threshold {c.threshold_pp:g} pp, "
        f"runtime factor ×{c.factor:g}.",
        "Machine: " + ("same fingerprint on both sides." if c.same_machine else "fingerprints differ."),
    ]
    flags = pd.DataFrame({"regression": c.regressions}) if c.regressions else pd.DataFrame()
    changed = pd.DataFrame({"what changed (baseline -> run)": c.changes}) if c.changes else pd.DataFrame()
    sections = [
        PageSection("Regressions", "", flags, "No regression flagged."),
        PageSection(
            "What changed",
            "Suite settings (from the cell specs), package versions, git SHA and machine.",
            changed,
            "Nothing: same settings, versions, git SHA and machine.",
        ),
        PageSection(
            "Per configuration", ACCURACY_NOTE, comparison_frame(c), "No configuration in either run."
        ),
    ]
    title = f"qhead-bench compare: {c.suite} {c.baseline}..{c.run}"
    return write_page(out_dir, title, intro, sections, run_links(Path(out_dir), c.baseline, c.run))


def run_links(out_dir: Path, baseline: str, run: str) -> list[tuple[str, str]]:
    """Links from ``reports/<suite>/compare/<a>..<b>/`` to both runs' reports and the trends
    page, for those that exist."""
    suite_dir = out_dir.parent.parent
    targets = [(f"baseline {baseline} report", baseline), (f"run {run} report", run), ("trends", "trends")]
    return [
        (text, f"../../{name}/index.md") for text, name in targets if (suite_dir / name / "index.md").exists()
    ]
