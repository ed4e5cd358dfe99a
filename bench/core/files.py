"""Atomic file writes that respect the user's umask.

``tempfile.mkstemp`` creates files with mode 0600 whatever the umask, so a file renamed into
place from it would be unreadable to anyone else sharing the results. ``atomic_write`` writes
to a temporary file next to the target, gives it the mode a plain ``open(path, "w")`` would
have (``0666 & ~umask``), then renames it over the target: a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask (read without changing it for longer than one call)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def user_file_mode() -> int:
    """The mode a new regular file gets from ``open()``: ``0o666 & ~umask``."""
    return 0o666 & ~current_umask()


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Create ``path``'s folder, call ``write(fh)`` on a temporary file beside it, then rename it
    to ``path`` (mode ``0666 & ~umask``). On any error (or Ctrl-C) the temporary file is removed
    and ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, user_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
