"""Runs of a suite: start or resume one, decide which cells it reuses, list runs, diff provenance.

Policies (stored with the run, so resuming an interrupted run keeps its policy):
- ``resume`` (plain ``bench run``): continue the latest run; a cell already ok in it is done,
  and a cell it has no record of reuses the latest ok record of the same cell key (same spec)
  from any earlier run. Nothing is recomputed that the store already holds.
- ``new`` (``--new-run``): a new run that recomputes every cell.
- ``changed-only`` (``--new-run --changed-only``): a new run that reuses a cell's latest ok
  record only when its package versions (``VERSION_KEYS``) and project git SHA equal this
  process's; every other cell is recomputed.
Reused records are copied into the run unchanged (the store notes the run that computed them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bench.core.errors import UserError
from bench.core.provenance import provenance
from bench.plan.planner import PlannedCell
from bench.results.record import Record
from bench.results.store import ResultsStore, RunInfo

POLICIES = ("resume", "new", "changed-only")
MACHINE_KEYS = ("cpu", "cpu_count", "gpu")
"""Provenance keys of the machine fingerprint: runtimes are compared only between equal fingerprints."""
KEY_PACKAGES = ("torch", "pennylane", "pennylane-lightning", "qiskit", "qiskit-aer")


@dataclass(frozen=True)
class ActiveRun:
    """The run a ``bench run`` invocation writes into."""

    run_id: str
    policy: str
    resumed: bool  # True when continuing an earlier run
    fresh_after: float | None = None  # a new run ignores cache entries written before it started


def _fresh_after(info: RunInfo) -> float | None:
    """A new run's start (POSIX time): artefacts cached before it are recomputed, its own reused."""
    if info.policy == "resume":
        return None
    return datetime.fromisoformat(info.started).timestamp()


def version_keys(prov: dict[str, Any]) -> list[str]:
    """Provenance keys that decide whether a record is reusable by ``changed-only``."""
    return sorted(k for k in prov if k.startswith("version.")) + ["git_sha"]


def provenance_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``["torch 2.1.0 -> 2.2.0", "git_sha abc -> def"]`` for version keys and git SHA that differ."""
    out = []
    for key in sorted(set(version_keys(old)) | set(version_keys(new))):
        a, b = old.get(key), new.get(key)
        if a != b:
            out.append(f"{key.removeprefix('version.')} {a or '-'} -> {b or '-'}")
    return out


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"training.lr": 0.05, ...}`` (lists stay values)."""
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key in value:
        out.update(_flat(value[key], f"{prefix}.{key}" if prefix else str(key)))
    return out


def spec_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``["training.lr: 0.05 -> 0.02"]``: every setting of a cell spec (or any nested mapping)
    that differs, ``-`` for one missing on a side, in key order."""
    a, b = _flat(old), _flat(new)
    return [
        f"{key}: {_shown(a.get(key, '-'))} -> {_shown(b.get(key, '-'))}"
        for key in sorted(set(a) | set(b))
        if a.get(key, "-") != b.get(key, "-")
    ]


def _shown(value: Any) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def machine_fingerprint(prov: dict[str, Any]) -> str:
    """``CPU model / N cores / GPU`` (empty parts as ``?``): equal strings mean comparable runtimes."""
    cpu, cores, gpu = (str(prov.get(k) or "?") for k in MACHINE_KEYS)
    return f"{cpu} / {cores} cores / GPU {gpu}"


def begin_run(store: ResultsStore, new_run: bool, changed_only: bool, started: datetime) -> ActiveRun:
    """Resume the latest run (plain ``bench run``), or register a new one (``--new-run``)."""
    if changed_only and not new_run:
        raise UserError("--changed-only: only applies to a new run; add --new-run")
    runs = store.run_list()
    if not new_run and runs:
        latest = runs[-1]
        policy = latest.policy if latest.policy in POLICIES else "resume"
        return ActiveRun(latest.run_id, policy, True, _fresh_after(latest))
    policy = "changed-only" if changed_only else ("new" if new_run else "resume")
    run_id = store.new_run(started, policy, provenance())
    return ActiveRun(run_id, policy, False, _fresh_after(store.run(run_id)))


def _reusable(policy: str, record: Record, current: dict[str, Any]) -> bool:
    if policy == "resume":
        return True
    if policy == "changed-only":
        return not provenance_changes(record.provenance, current)
    return False


def plan_reuse(
    store: ResultsStore, run: ActiveRun, planned: list[PlannedCell], force: bool
) -> tuple[list[PlannedCell], dict[str, str]]:
    """Re-classify ``planned`` (from ``plan(suite, None)``: pending or skip) for ``run``.

    Returns the cells with state ``done`` (ok in this run, or reusable by the run's policy),
    ``retry`` (the run holds a failed or skipped record), ``pending`` or ``skip``; and
    ``{key: run to copy from}`` for the reusable ones (``force``: nothing is done or reused).
    """
    in_run = {} if force else store.status_of(run.run_id)
    candidates = {} if force or run.policy == "new" else store.latest_ok()
    current = provenance()
    out, reuse = [], {}
    for p in planned:
        key = p.cell.key
        if in_run.get(key) == "ok":
            out.append(replace(p, state="done", reason=""))
            continue
        candidate = candidates.get(key) if key not in in_run else None
        if candidate and candidate[0] != run.run_id and _reusable(run.policy, candidate[1], current):
            reuse[key] = candidate[0]
            out.append(replace(p, state="done", reason=""))
        elif p.state == "skip":
            out.append(p)
        else:
            out.append(replace(p, state="retry" if key in in_run else "pending"))
    return out, reuse


def copy_reused(store: ResultsStore, run: ActiveRun, reuse: dict[str, str]) -> None:
    """Copy each reusable record into ``run`` (one commit per cell)."""
    for key, source in reuse.items():
        store.reuse(key, source, run.run_id)


@dataclass(frozen=True)
class RunOverview:
    """One run as ``python -m bench runs`` lists it (``run_rows``); ``asdict`` is its ``--json`` entry."""

    run_id: str
    started: str  # UTC, ``YYYY-MM-DDTHH:MM:SS``
    state: str
    policy: str
    git_sha: str
    versions: dict[str, str]  # ``KEY_PACKAGES`` -> version (``?`` when not recorded)
    machine: str  # ``machine_fingerprint`` of its provenance
    changes: list[str]  # provenance changes vs the previous run (none for the first)
    ok: int
    failed: int
    skipped: int
    reused: int  # records copied from an earlier run


def run_rows(store: ResultsStore) -> list[RunOverview]:
    """One ``RunOverview`` per run, oldest first: id, started, state, policy, git SHA, key package
    versions, machine fingerprint, provenance changes vs the previous run, and cell counts
    (``reused``: copied from an earlier run)."""
    rows, previous = [], None
    for info in store.run_list():
        prov = info.provenance or info.summary.get("provenance") or {}
        status = store.status_of(info.run_id)
        origins = store.origins(info.run_id)
        counts = {s: sum(v == s for v in status.values()) for s in ("ok", "failed", "skipped")}
        rows.append(
            RunOverview(
                run_id=info.run_id,
                started=info.started[:19],
                state=info.state,
                policy=info.policy,
                git_sha=prov.get("git_sha", "?"),
                versions={p: prov.get(f"version.{p}", "?") for p in KEY_PACKAGES},
                machine=machine_fingerprint(prov),
                changes=provenance_changes(previous, prov) if previous is not None else [],
                **counts,
                reused=sum(origin != info.run_id for origin in origins.values()),
            )
        )
        previous = prov
    return rows


def resolve_run(
    runs: list[RunInfo], name: str | None, default: RunInfo | None, what: str, where: str
) -> RunInfo:
    """The run named ``name`` (an id, a unique id prefix, or ``latest``/``previous``), else ``default``.
    A name is never a path: an empty name, one with ``/`` or ``\\``, or one starting with ``.`` is
    refused before any lookup (a report folder is named after the run it resolves to)."""
    if name is not None and (not name.strip() or "/" in name or "\\" in name or name.startswith(".")):
        shown = ", ".join(r.run_id for r in runs[-10:]) or "none"
        raise UserError(
            f"{where}: --{what} {name!r} is not a run id (an id is YYYYMMDD-HHMMSS, as "
            f"`python -m bench runs` lists; runs: {shown})"
        )
    if name is None:
        if default is None:
            raise UserError(f"{where}: no {what} run to compare (runs: {len(runs)}); run the suite again")
        return default
    ids = [r.run_id for r in runs]
    if name == "latest" and runs:
        return runs[-1]
    exact = [r for r in runs if r.run_id == name] or [r for r in runs if r.run_id.startswith(name)]
    if len(exact) != 1:
        shown = ", ".join(ids[-10:]) or "none"
        problem = "matches several runs" if exact else "is not a run of this suite"
        raise UserError(f"{where}: --{what} {name!r} {problem} (runs: {shown})")
    return exact[0]
