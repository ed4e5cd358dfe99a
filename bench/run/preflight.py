"""Pre-flight checks: what would make a run fail later is refused now, in one line, before any
cell runs.

* locations: the reports folder (``--reports-dir``), the suite's folder inside it, its
  ``checkpoints/`` folder and the cache (``--cache-dir``) must each be a folder (or not exist
  yet, under a folder) that this process can write - a run checks writability, ``plan`` only
  the types (it writes nothing);
* the suite's folder must stay inside the reports folder (the suite name cannot climb out);
* the results store, if present, is a file; ``latest`` (the link to the newest report) is a link;
* datasets: a dataset whose estimated size (``BaseDataset.estimated_bytes``) exceeds this
  machine's memory is refused with the estimate.

Each problem raises ``UserError`` naming the path (or dataset) and what is wrong.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.core.errors import UserError


def _existing_ancestor(path: Path) -> Path:
    probe = path
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    return probe


def location_problem(path: Path, write: bool = True) -> str | None:
    """Why ``path`` cannot be used as a folder to write files into (``None`` when it can).

    A missing folder is fine when its nearest existing ancestor is a folder (writable, with
    ``write``); nothing is created."""
    path = Path(path)
    if path.is_symlink() and not path.exists():
        return "is a broken symbolic link"
    if path.exists() and not path.is_dir():
        return "is a file, not a folder"
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        return f"cannot be created: {ancestor} is a file, not a folder"
    if not write:
        return None
    try:
        with tempfile.TemporaryFile(dir=ancestor, prefix=".qhead-preflight-"):
            pass
    except OSError as exc:
        what = "is not writable" if ancestor == path else f"cannot be created: {ancestor} is not writable"
        return f"{what} ({exc.strerror or type(exc).__name__})"
    return None


def check_locations(locations: list[tuple[str, Path]], write: bool = True) -> None:
    """``UserError`` for the first ``(label, path)`` that is not a usable folder."""
    for label, path in locations:
        problem = location_problem(path, write)
        if problem:
            raise UserError(f"{label} {path}: {problem}")


def check_inside(root: Path, child: Path) -> None:
    """``UserError`` unless ``child`` resolves to a folder strictly inside ``root``."""
    root_r, child_r = Path(root).resolve(), Path(child).resolve()
    if root_r == child_r or root_r not in child_r.parents:
        raise UserError(f"{child}: the suite's folder must be inside the reports folder {root}")


def machine_memory_bytes() -> int | None:
    """Physical memory of this machine, or ``None`` where it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"


def check_dataset_memory(suite, suite_path: Path | str, limit: int | None = None) -> None:
    """``UserError`` for the first dataset whose estimated size exceeds ``limit`` (default:
    this machine's memory); datasets that cannot estimate their size pass."""
    from bench.core.registry import DATASETS

    limit = limit if limit is not None else machine_memory_bytes()
    if limit is None:
        return
    for i, ref in enumerate(suite.datasets):
        need = DATASETS.get(ref.name).from_dict(ref.params).estimated_bytes()
        if need is not None and need > limit:
            raise UserError(
                f"{suite_path}: datasets[{i}] ({ref.label}): needs about {_human(need)} of memory to load, "
                f"more than this machine's {_human(limit)}; make it smaller (e.g. fewer examples per class)"
            )


def run_locations(suite, options) -> list[tuple[str, Path]]:
    """``(label, folder)`` of every place a run of ``suite`` writes (see ``bench.run.options``)."""
    root = Path(options.reports_root)
    return [
        ("--reports-dir", root),
        (f"reports folder of suite '{suite.name}'", root / suite.name),
        ("checkpoints folder", root / suite.name / "checkpoints"),
        ("--cache-dir", Path(options.cache_dir)),
    ]


def check_store_file(path: Path) -> None:
    """``UserError`` when the results store's path exists but is not a file."""
    if Path(path).exists() and not Path(path).is_file():
        raise UserError(f"results store {path}: is a folder, not a file (move it away)")


def check_latest_link(suite_folder: Path) -> None:
    """``UserError`` when ``<suite folder>/latest`` (the link to the newest report) exists but is
    not a symbolic link: writing a report replaces it."""
    latest = Path(suite_folder) / "latest"
    if latest.exists() and not latest.is_symlink():
        kind = "a folder" if latest.is_dir() else "a file"
        raise UserError(f"{latest}: is {kind}, not the link to the newest report (move it away)")


def check_report_target(suite_folder: Path, run_id: str) -> None:
    """``UserError`` when the report of ``run_id`` cannot be written under ``suite_folder``."""
    check_locations([("report folder", Path(suite_folder) / run_id)])
    check_latest_link(suite_folder)


def preflight(suite, suite_path: Path | str, options, write: bool = True) -> None:
    """Every check above for a run (``write``) or a plan (types only); ``UserError`` on the first problem."""
    root = Path(options.reports_root)
    check_locations(run_locations(suite, options)[:1], write)
    check_inside(root, root / suite.name)
    check_locations(run_locations(suite, options)[1:], write)
    check_store_file(root / suite.name / "results.sqlite")
    if write:
        check_latest_link(root / suite.name)
    check_dataset_memory(suite, suite_path)
