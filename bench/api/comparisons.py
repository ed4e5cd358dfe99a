"""Two runs of a suite compared, as data (``bench.compare``) and as a page (``write_comparison_page``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.suites import PathLike, folders, open_store
from bench.core.errors import UserError
from bench.spec.loader import load_suite

if TYPE_CHECKING:
    from bench.history.compare import Comparison


def compare(
    suite: PathLike,
    *,
    baseline: str | None = None,
    run: str | None = None,
    threshold: float = 1.0,
    factor: float = 1.25,
    reports_dir: PathLike | None = None,
) -> Comparison:
    """``run`` (default: the latest) against ``baseline`` (default: the complete run before it), as
    ``python -m bench compare`` does, as data: per configuration the paired accuracy Δ with its
    interval, prediction changes and runtime ratios; ``.regressions`` lists what is flagged
    (``threshold`` percentage points, runtime ``factor``); ``.to_json()`` and ``bench.comparison_frame``
    give it as a document or a DataFrame. ``UserError`` when ``threshold`` < 0, ``factor`` <= 1, a
    run is unknown, or both name the same run."""
    from bench.history.compare import compare_runs, default_pair, previous_complete
    from bench.history.runs import resolve_run

    if not threshold >= 0:
        raise UserError(f"--threshold: must be >= 0 percentage points (got {threshold})")
    if not factor > 1:
        raise UserError(f"--factor: must be > 1 (got {factor})")
    spec, where = load_suite(suite), str(suite)
    with open_store(suite, reports_dir=reports_dir) as store:
        runs = store.run_list()
        default_base, default_run = default_pair(runs)
        chosen = resolve_run(runs, run, default_run, "run", where)
        base_default = previous_complete(runs, chosen) if run else default_base
        base = resolve_run(runs, baseline, base_default, "baseline", where)
        if base.run_id == chosen.run_id:
            raise UserError(f"{where}: --baseline and --run are the same run ({chosen.run_id})")
        return compare_runs(store, spec.name, base, chosen, threshold, factor)


def comparison_folder(comparison: Comparison, *, reports_dir: PathLike | None = None) -> Path:
    """Where ``write_comparison_page`` writes: ``<reports_dir>/<suite>/compare/<baseline>..<run>/``."""
    from bench.core.layout import SuiteLayout

    options = folders(reports_dir, None)
    layout = SuiteLayout(options.reports_root, options.cache_dir, comparison.suite)
    return layout.comparison(comparison.baseline, comparison.run)


def write_comparison_page(
    comparison: Comparison, out_dir: PathLike | None = None, *, reports_dir: PathLike | None = None
) -> dict[str, Path]:
    """Write ``comparison`` as ``index.md`` and ``index.html`` into ``out_dir`` (default
    ``comparison_folder``); returns ``{"md", "html"}``. ``OSError`` when the folder cannot be written."""
    from bench.history.compare import write_compare_page

    out = Path(out_dir) if out_dir is not None else comparison_folder(comparison, reports_dir=reports_dir)
    return write_compare_page(comparison, out)
