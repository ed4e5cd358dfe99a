"""Records and runs out of a suite's store: the results DataFrame, its export, the list of runs.

``results`` is the table (columns: ``bench.results.table``, docs/api.md); ``export_results`` writes
it as CSV, Parquet or JSON lines (``python -m bench export``); ``list_runs`` and ``runs_overview``
give the suite's runs (``python -m bench runs``). A suite that never ran is a ``UserError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.suites import PathLike, folders, open_store
from bench.core.errors import UserError
from bench.results.store import RunInfo
from bench.spec.loader import load_suite

if TYPE_CHECKING:
    import pandas as pd

    from bench.history.runs import RunOverview


def list_runs(suite: PathLike, *, reports_dir: PathLike | None = None) -> list[RunInfo]:
    """The suite's runs, oldest first (id, start, policy, state, provenance, summary)."""
    with open_store(suite, reports_dir=reports_dir) as store:
        return store.run_list()


def runs_overview(
    suite: PathLike, *, reports_dir: PathLike | None = None, cache_dir: PathLike | None = None
) -> list[RunOverview]:
    """One ``RunOverview`` per run, oldest first, as ``python -m bench runs`` lists them: id, start,
    state, policy, git SHA, key package versions, machine, provenance changes vs the previous run,
    and its cells ok/failed/skipped/reused. ``cache_dir`` is checked like the CLI's, not read."""
    from bench.history.runs import run_rows

    folders(reports_dir, cache_dir)
    with open_store(suite, reports_dir=reports_dir) as store:
        return run_rows(store)


def results(
    suite: PathLike,
    *,
    run: str | None = None,
    all_runs: bool = False,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
) -> pd.DataFrame:
    """One row per record: of the latest run, of ``run`` (an id, a unique id prefix, ``latest`` or
    ``previous``) or, with ``all_runs``, of every run oldest first. Columns (docs/api.md,
    ``bench.results.table``): ``run_id, key, status, dataset, head, qubits, layers, backend, seed``
    (and ``fold`` when records carry one), ``test_accuracy``, the other metrics, the other record
    fields, and the nested ones flattened with dots (``timings.*``, ``provenance.*``, ``spec.*``, ...).

    Records live in the store under ``reports_dir``; ``cache_dir`` is accepted so the call mirrors
    the command line's folders, and is not read. A suite that never ran gives ``UserError``; a suite
    without runs an empty frame."""
    from bench.history.runs import resolve_run
    from bench.results.table import results_table

    if run is not None and all_runs:
        raise UserError("results: give run or all_runs, not both")
    folders(reports_dir, cache_dir)  # the same type checks as the command line's
    with open_store(suite, reports_dir=reports_dir) as store:
        runs = store.run_list()
        if all_runs:
            chosen = runs
        elif runs or run is not None:
            chosen = [resolve_run(runs, run, runs[-1] if runs else None, "run", str(suite))]
        else:
            chosen = []
        entries = [(r.run_id, record) for r in chosen for record in store.get(run_id=r.run_id)]
    return results_table(entries)


@dataclass(frozen=True)
class ExportedResults:
    """What ``export_results`` wrote: the file, its rows (records) and the runs they come from."""

    path: Path
    records: int
    runs: int


def results_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` (a ``results`` table) encoded as ``fmt`` (``csv``, ``parquet`` or ``jsonl``), as
    ``export_results`` writes it."""
    from bench.results.export import table_bytes

    check_format(fmt)
    return table_bytes(frame, fmt)


def export_results(
    suite: PathLike,
    fmt: str,
    *,
    output: PathLike | None = None,
    run: str | None = None,
    all_runs: bool = False,
    reports_dir: PathLike | None = None,
    cache_dir: PathLike | None = None,
) -> ExportedResults:
    """Write ``results(suite, run=..., all_runs=...)`` as ``fmt`` (``csv``, ``parquet``, ``jsonl``) to
    ``output``, replaced atomically; default ``<reports_dir>/<suite>/export/<run id | all-runs |
    no-runs>.<fmt>``. ``UserError`` on a bad format or when the file cannot be written (nothing of
    the store changes)."""
    from bench.results.export import export_table

    check_format(fmt)
    frame = results(suite, run=run, all_runs=all_runs, reports_dir=reports_dir, cache_dir=cache_dir)
    if output is None:
        if all_runs or frame.empty:
            name = "all-runs" if all_runs else "no-runs"
        else:
            name = str(frame["run_id"].iloc[0])
        output = folders(reports_dir, cache_dir).layout(load_suite(suite)).export(name, fmt)
    try:
        path = export_table(frame, output, fmt)
    except OSError as exc:
        raise UserError(f"{output}: cannot write the export ({exc.strerror})") from None
    return ExportedResults(Path(path), len(frame), int(frame["run_id"].nunique()))


def check_format(fmt: str) -> None:
    """``UserError`` unless ``fmt`` is one of ``bench.results.export.FORMATS``."""
    from bench.results.export import FORMATS

    if fmt not in FORMATS:
        raise UserError(f"export: unknown format {fmt!r} (allowed: {', '.join(FORMATS)})")
