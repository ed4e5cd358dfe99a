"""Whether a report's inputs changed since it was written, so that a warm re-run can leave it be.

A report folder (a run's report, the trends page) keeps ``INPUTS_FILE``: the digest of what it
was written from — the records (every field; for the trends page, every run's records and the
runs' ids, states and provenance), the suite file, and the report code version (the source of
``bench.report``, ``bench.history``, ``bench.cell.diagnostics`` and this module). ``current``
is true when the folder holds that digest and its pages; the driver then does not rewrite it and
says so in one line. The run's summary (start and end time of the latest invocation) is not an
input: an unchanged report keeps the summary of the invocation that wrote it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from bench.core.files import atomic_write
from bench.core.hashing import canonical_json
from bench.results.record import Record

INPUTS_FILE = ".inputs.sha256"
PAGES = ("index.md", "index.html")
ROOT = Path(__file__).resolve().parents[1]
CODE = ("report", "history", "cell/diagnostics.py", "run/report_inputs.py")
"""The report code, relative to the ``bench`` package: its source files make the code version."""
UNCHANGED = "report unchanged (same records, suite and report code): not rewritten"


@functools.cache
def code_version() -> str:
    """sha256 of every source file of ``CODE`` (paths and bytes, in sorted order)."""
    digest = hashlib.sha256()
    for part in CODE:
        base = ROOT / part
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_digest(records: Iterable[Record], *parts: str | bytes) -> str:
    """sha256 of the records, ``parts`` (the suite file's bytes, run ids, ...) and ``code_version``."""
    digest = hashlib.sha256(code_version().encode())
    for record in records:
        digest.update(canonical_json(record.to_dict()).encode())
    for part in parts:
        digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
    return digest.hexdigest()


def current(folder: Path, digest: str) -> bool:
    """Whether ``folder`` was written from inputs of ``digest`` and still has its pages."""
    try:
        kept = (folder / INPUTS_FILE).read_text().strip()
    except OSError:
        return False
    return kept == digest and all((folder / page).is_file() for page in PAGES)


def mark(folder: Path, digest: str) -> None:
    """Record that ``folder`` was just written from inputs of ``digest``."""
    atomic_write(folder / INPUTS_FILE, lambda fh: fh.write(digest.encode() + b"\n"))


def suite_bytes(suite_path: Path) -> bytes:
    """The suite file's bytes (empty when it cannot be read: the digest then never matches a mark)."""
    try:
        return suite_path.read_bytes()
    except OSError:
        return b""
