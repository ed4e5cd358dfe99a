"""Datasets read from a local folder: where the folder is, whether it is there, what it holds.

The root of dataset ``<name>`` is, in order of precedence:

1. its ``root`` param (``~`` and ``$VARS`` expanded);
2. the environment variable ``QHEAD_DATA_<NAME>`` (``<name>`` upper-cased, ``-`` -> ``_``,
   e.g. ``QHEAD_DATA_CREMA_D``);
3. ``$QHEAD_DATA_ROOT/<name>`` (one folder holding a sub-folder per dataset).

Nothing is ever downloaded. When the root or a file the layout requires is missing,
``unavailable()`` says so in one line that names the expected layout (planning turns that into
a skip reason), and ``load()`` raises ``DatasetUnavailable`` with the same line.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import ClassVar

from bench.core.errors import UserError
from bench.data.base import BaseDataset

ROOT_ENV = "QHEAD_DATA_ROOT"


class DatasetUnavailable(UserError):
    """The dataset's local root (or a file its layout requires) is missing."""


def env_var(name: str) -> str:
    """The per-dataset environment variable, e.g. ``crema-d`` -> ``QHEAD_DATA_CREMA_D``."""
    return "QHEAD_DATA_" + name.upper().replace("-", "_")


def resolve_root(name: str, param: str | None) -> tuple[Path | None, str]:
    """``(root, where it came from)``; root is ``None`` when no source names one."""
    if param:
        return Path(os.path.expandvars(param)).expanduser(), "params.root"
    if os.environ.get(env_var(name)):
        return Path(os.environ[env_var(name)]).expanduser(), env_var(name)
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).expanduser() / name, f"{ROOT_ENV}/{name}"
    return None, ""


def fingerprint_paths(root: Path, paths: list[Path]) -> str:
    """Hash of the relative name, size and modification time of every file at or under ``paths``."""
    digest = hashlib.sha256()
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            st = f.stat()
            digest.update(f"{f.relative_to(root).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class LocalDataset(BaseDataset):
    """A dataset read from a local root. Subclasses set ``layout`` (one line describing the
    expected files, relative to the root) and ``required`` (relative paths that must exist; they
    are also what ``fingerprint`` hashes)."""

    layout: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()

    def root(self) -> Path | None:
        return resolve_root(self.name, self.params.root)[0]

    def required_paths(self) -> tuple[str, ...]:
        """Relative paths that must exist under the root (override when they depend on params)."""
        return self.required

    def unavailable(self) -> str | None:
        root, source = resolve_root(self.name, self.params.root)
        expected = f"expected layout: {self.layout}"
        if root is None:
            return (
                f"no data root: set params.root, {env_var(self.name)} or {ROOT_ENV} "
                f"(holding {self.name}/); {expected}"
            )
        if not root.is_dir():
            problem = "is not a folder" if root.exists() else "does not exist"
            return f"data root {root} (from {source}) {problem}; {expected}"
        for rel in self.required_paths():
            if not (root / rel).exists():
                return f"{root / rel} not found (data root from {source}); {expected}"
        return None

    def require_root(self) -> Path:
        """The root, or ``DatasetUnavailable`` naming what is missing and the expected layout."""
        reason = self.unavailable()
        if reason:
            raise DatasetUnavailable(f"{self.name}: {reason}")
        root = self.root()
        assert root is not None
        return root

    def fingerprint(self) -> str:
        root = self.root()
        if root is None or self.unavailable():
            return ""
        return fingerprint_paths(root, [root / rel for rel in self.required_paths()])
