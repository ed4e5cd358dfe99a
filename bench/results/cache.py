"""Content-addressed artefact cache (features, embeddings, trained heads).

An entry lives at ``<root>/<kind>/<key>.pkl``; ``key`` is a hash of everything that
determines the artefact plus ``CACHE_SCHEMA_VERSION``. Writes are atomic (temp file +
``os.replace``, mode from the user's umask), so a killed run never leaves half an entry under the
final name. Each file starts with the sha256 of its payload; a payload that does not match
(truncated, corrupted, unpicklable) is reported, deleted and treated as a miss, so it is recomputed.
Entries are not fsynced (``bench.core.files``, ``durable=False``): a kill loses nothing written, and
the checksum turns what an OS crash or power loss may leave behind into a miss.

``fresh_after`` (a POSIX time) makes entries written before it misses (they are recomputed
and overwritten, not deleted first): a new run (``bench run --new-run``) recomputes what it
measures instead of loading artefacts an earlier run (maybe other package versions) produced,
while cells of the same run still share what it computed.

``fingerprints`` are the datasets' fingerprints in force (``bench.cell.embeddings.data_fingerprint``,
part of the feature keys): the driver takes each dataset's once at the start of a run and every task
of the run builds its cache with them, so no worker stats a dataset's files again; a fingerprint
not given is taken on first use and kept for the life of this object.

``load_shared`` serves entries many tasks of a process read (a backbone's embeddings, read by every
cell of that dataset x seed): the first call reads and checks the file, later calls in the same
process get the same object back while the file is unchanged (same inode, size and modification
time), so a worker reads each such entry once. Callers must not modify it: its numpy arrays are
made read-only.

A ``Cache`` object also remembers the entries of ``RECENT_KINDS`` (trained heads: small, and read
back by the same task when it exports the cell's checkpoint) that it saved or loaded itself, the
``RECENT_ENTRIES`` most recent: ``load`` returns the remembered object while the file is unchanged
(same inode, size and modification time) instead of reading, checking and unpickling it again.
Callers must not modify what ``load`` returns. A task builds its own ``Cache``, so what it
remembers lives as long as the task.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bench.core.files import atomic_write
from bench.core.hashing import stable_hash
from bench.core.versions import CACHE_SCHEMA_VERSION

log = logging.getLogger(__name__)
T = TypeVar("T")
_DIGEST = 32
SHARED_ENTRIES = 4  # entries ``load_shared`` keeps per process (the most recently used)
_shared: OrderedDict[Path, tuple[tuple[int, int, int], Any]] = OrderedDict()
RECENT_KINDS = ("heads", "finetune")
RECENT_ENTRIES = 8


def cache_key(spec: Any) -> str:
    """The cache key of an artefact described by plain-data ``spec``."""
    return stable_hash({"cache_schema": CACHE_SCHEMA_VERSION, "spec": spec}, length=24)


class Cache:
    """A directory of pickled artefacts addressed by key. Safe to share between processes."""

    def __init__(
        self,
        root: str | Path,
        fresh_after: float | None = None,
        fingerprints: Mapping[str, str] | None = None,
    ):
        self.root = Path(root)
        self.fresh_after = fresh_after
        self.fingerprints = dict(fingerprints or {})
        self._recent: OrderedDict[Path, tuple[tuple[int, int, int], Any]] = OrderedDict()

    def fingerprint(self, dataset_id: str, take: Callable[[], str]) -> str:
        """The fingerprint of dataset ``dataset_id``: the one given, else ``take()`` once."""
        if dataset_id not in self.fingerprints:
            self.fingerprints[dataset_id] = take()
        return self.fingerprints[dataset_id]

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / f"{key}.pkl"

    def load(self, kind: str, key: str) -> Any | None:
        """The stored object, or ``None`` on a miss or a corrupt entry (which is removed)."""
        path = self.path(kind, key)
        if self.fresh_after is not None and not self.contains(kind, key):  # missing or stale
            return None
        kept = self._recent.get(path)
        if kept is not None and kept[0] == _signature(path):
            return kept[1]
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        digest, payload = blob[:_DIGEST], blob[_DIGEST:]
        try:
            if hashlib.sha256(payload).digest() != digest:
                raise ValueError("checksum mismatch")
            obj = pickle.loads(payload)
        except Exception as exc:  # corrupt entry: recompute rather than trust it
            log.warning("cache entry %s is corrupt (%s); recomputing", path, exc)
            path.unlink(missing_ok=True)
            return None
        self._remember(kind, path, obj)
        return obj

    def _remember(self, kind: str, path: Path, obj: Any) -> None:
        signature = _signature(path) if kind in RECENT_KINDS else None
        if signature is None:
            return
        self._recent[path] = (signature, obj)
        self._recent.move_to_end(path)
        while len(self._recent) > RECENT_ENTRIES:
            self._recent.popitem(last=False)

    def contains(self, kind: str, key: str) -> bool:
        """Whether a fresh entry exists (its content is not read: ``load`` may still find it corrupt)."""
        try:
            mtime = self.path(kind, key).stat().st_mtime
        except FileNotFoundError:
            return False
        return self.fresh_after is None or mtime >= self.fresh_after

    def load_shared(self, kind: str, key: str) -> Any | None:
        """``load``, read once per process while the file is unchanged (see the module docstring)."""
        path = self.path(kind, key)
        if not self.contains(kind, key):
            return None
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        signature = (st.st_ino, st.st_size, st.st_mtime_ns)
        kept = _shared.get(path)
        if kept is not None and kept[0] == signature:
            _shared.move_to_end(path)
            return kept[1]
        obj = self.load(kind, key)
        if obj is not None:
            _shared[path] = (signature, _read_only(obj))
            while len(_shared) > SHARED_ENTRIES:
                _shared.popitem(last=False)
        return obj

    def save(self, kind: str, key: str, obj: Any) -> Path:
        """Atomically store ``obj`` under ``key``."""
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

        def write(fh) -> None:
            fh.write(hashlib.sha256(payload).digest())
            fh.write(payload)

        path = atomic_write(self.path(kind, key), write, durable=False)
        self._remember(kind, path, obj)
        return path

    def get_or_compute(self, kind: str, key: str, compute: Callable[[], T]) -> tuple[T, bool]:
        """``(object, hit)``: the cached object, or ``compute()`` stored then returned."""
        hit = self.load(kind, key)
        if hit is not None:
            return hit, True
        obj = compute()
        self.save(kind, key, obj)
        return obj, False


def _signature(path: Path) -> tuple[int, int, int] | None:
    """``(inode, size, modification time)`` of ``path``; ``None`` when it is missing."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read_only(obj: Any) -> Any:
    """``obj`` with every numpy array inside its dicts, lists and tuples made read-only."""
    if isinstance(obj, np.ndarray):
        obj.setflags(write=False)
    elif isinstance(obj, dict):
        for value in obj.values():
            _read_only(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _read_only(value)
    return obj
