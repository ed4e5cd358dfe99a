"""Seeds a suite needs, from a pilot run's spread (``bench plan``'s "seeds needed" lines).

``pilot_needs(store)`` takes the latest run in the store that has treatment-vs-control comparisons
(``bench.report.compare.comparisons``: the Verdict's pairing), and for each comparison the
standard deviation of its unit deltas; ``bench.stats.units_needed`` turns that spread into the
units (seeds, or fold × seed pairs) the paired test needs for 80 % power against a 1 and a 2 pp
effect at α = 0.05. A comparison with fewer than two units has no spread and is left out.

Computing it imports pandas and SciPy (about a second). ``record_pilot(store)``, which the driver
calls after a run's report, keeps the result in ``PILOT_FILE`` beside the store with the digest of
its inputs (every run's id and record stamp, and the source of this module, ``bench.report.compare``
and ``bench.stats``); ``pilot_needs`` returns the kept result while that digest holds, so ``plan``
of a suite that ran imports neither. The file is published atomically; one that is missing,
damaged or stale only means computing the pilot again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.core.files import write_text_atomic
from bench.core.hashing import canonical_json
from bench.results.store import ResultsStore, RunInfo

__all__ = ["EFFECTS_PP", "PILOT_FILE", "Need", "Pilot", "pilot_needs", "record_pilot"]

EFFECTS_PP = (1.0, 2.0)
PILOT_FILE = ".pilot.json"
"""Beside the results store: the last computed pilot and the digest of its inputs."""
_CODE = ("history/pilot.py", "report/compare.py", "stats")


@dataclass(frozen=True)
class Need:
    """One comparison of the pilot: its spread and the units needed per effect in ``EFFECTS_PP``."""

    comparison: str  # "dataset · head · q8 · l2 vs control"
    units: int  # units in the pilot
    unit: str  # "seed" or "fold × seed"
    sd_pp: float  # standard deviation of the unit deltas, percentage points
    needed: tuple[float, ...]  # per effect; inf when beyond reach


@dataclass(frozen=True)
class Pilot:
    """The pilot run used (``run_id`` ``None`` when the store has none with comparisons) and its needs."""

    run_id: str | None
    needs: list[Need]


def pilot_needs(store: ResultsStore | None) -> Pilot:
    """See the module docstring; an empty store (or ``None``) gives ``Pilot(None, [])``, and a store
    whose ``PILOT_FILE`` is current gives the kept pilot, both without importing pandas or SciPy."""
    runs = store.run_list() if store is not None else []
    if not runs:
        return Pilot(None, [])
    digest = _inputs_digest(store, runs)
    kept = _read(_file(store), digest)
    return kept if kept is not None else _computed(store, runs)


def record_pilot(store: ResultsStore) -> Pilot:
    """``pilot_needs(store)``, kept in ``PILOT_FILE`` for the next ``plan`` unless the file is
    current already; a file that cannot be written is left alone (never raises ``OSError``)."""
    runs = store.run_list()
    digest = _inputs_digest(store, runs) if runs else ""
    kept = _read(_file(store), digest)
    if kept is not None:
        return kept
    pilot = _computed(store, runs) if runs else Pilot(None, [])
    body = {"digest": digest, "run_id": pilot.run_id, "needs": [asdict(n) for n in pilot.needs]}
    with contextlib.suppress(OSError):  # a read-only folder: the next plan computes it
        write_text_atomic(_file(store), json.dumps(body, indent=1) + "\n")
    return pilot


def _file(store: ResultsStore) -> Path:
    return Path(store.path).parent / PILOT_FILE


@functools.cache
def _code_version() -> str:
    root, digest = Path(__file__).resolve().parents[1], hashlib.sha256()
    for part in _CODE:
        base = root / part
        for path in sorted(base.rglob("*.py")) if base.is_dir() else [base]:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _inputs_digest(store: ResultsStore, runs: list[RunInfo]) -> str:
    stamps = [[r.run_id, store.run_stamp(r.run_id)] for r in runs]
    return hashlib.sha256(canonical_json([_code_version(), stamps]).encode()).hexdigest()


def _read(path: Path, digest: str) -> Pilot | None:
    """The pilot kept in ``path`` if it was computed from inputs of ``digest``, else ``None``."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("digest") != digest:
            return None
        needs = [Need(**{**n, "needed": tuple(n["needed"])}) for n in body["needs"]]
        return Pilot(body["run_id"], needs)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _computed(store: ResultsStore, runs: list[RunInfo]) -> Pilot:
    from bench.report.compare import comparisons

    for run in reversed(runs):
        comps = comparisons(store.get(run_id=run.run_id))
        needs = [_need(r) for _, r in comps.iterrows() if r["n_pairs"] >= 2 and math.isfinite(r["sd"])]
        if needs:
            return Pilot(run.run_id, needs)
    return Pilot(None, [])


def _need(r) -> Need:
    from bench.stats import units_needed

    label = f"{r['dataset']} · {r['head']} · q{r['n_qubits']} · l{r['n_layers']} vs {r['control']}"
    needed = tuple(units_needed(effect / 100, float(r["sd"])) for effect in EFFECTS_PP)
    return Need(label, int(r["n_pairs"]), r["unit"], 100 * float(r["sd"]), needed)
