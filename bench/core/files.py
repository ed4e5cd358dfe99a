"""Atomic publishing: every file a reader may open appears complete or not at all.

The rule for every writer of a file someone else may read while we write it (reports, figures,
tables, trends and compare pages, exports, checkpoints, cache entries): write the bytes to a
temporary name in the *same folder* (so the rename stays on one filesystem), ``fsync`` them, give
the file the mode a plain ``open(path, "w")`` would have (``0666 & ~umask``; ``tempfile.mkstemp``
alone would give 0600), then ``os.replace`` it over the target. A reader sees the old file or the
new one, never half of one; a failure (disk full, Ctrl-C, kill -9) leaves the old file in place
and at most a hidden ``.<name>.*.tmp`` beside it.

``durable=False`` skips the two fsyncs (file and folder). The rename is still atomic, so a kill
(even SIGKILL: the kernel keeps what the process wrote) never leaves a torn file; only an OS crash
or power loss can then leave the new name empty or partial. Use it only for files that carry
their own checksum and can be rebuilt (cache entries, cell checkpoints): a reader detects the
damage and the writer recomputes. Each fsync costs milliseconds on a busy disk, per file.

A symlink such as ``reports/<suite>/latest`` is swapped the same way (``replace_symlink``): the new
link is created under a temporary name and renamed over the old one, never unlink-then-create, so
``latest`` always resolves.

Fault injection (for the tests that kill a writer between the two steps): when the environment
variable ``QHEAD_FAULT_KILL_AT`` is ``N``, the process SIGKILLs itself at its ``N``-th publishing
step (each publish has two: the temporary file written, and the rename done); with
``QHEAD_FAULT_TRACE=FILE`` every step appends one line ``<n> <stage> <path>`` to ``FILE``.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "atomic_write",
    "current_umask",
    "replace_symlink",
    "user_file_mode",
    "write_bytes_atomic",
    "write_text_atomic",
]

FAULT_KILL_ENV = "QHEAD_FAULT_KILL_AT"
FAULT_TRACE_ENV = "QHEAD_FAULT_TRACE"

_UMASK_LOCK = threading.Lock()
_STEPS = [0]


def current_umask() -> int:
    """The process umask (read without changing it for longer than one call)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def user_file_mode() -> int:
    """The mode a new regular file gets from ``open()``: ``0o666 & ~umask``."""
    return 0o666 & ~current_umask()


def fault_point(stage: str, path: Path) -> None:
    """One publishing step (see the module docstring): traced and, when asked, the process dies here."""
    kill_at, trace = os.environ.get(FAULT_KILL_ENV), os.environ.get(FAULT_TRACE_ENV)
    if not (kill_at or trace):
        return
    _STEPS[0] += 1
    if trace:
        with open(trace, "a", encoding="utf-8") as fh:
            fh.write(f"{_STEPS[0]} {stage} {path}\n")
    if kill_at and _STEPS[0] == int(kill_at):
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some filesystems refuse a folder fsync)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None], durable: bool = True) -> Path:
    """Create ``path``'s folder, call ``write(fh)`` on a temporary file beside it, fsync it (unless
    ``durable`` is false, see the module docstring), then rename it to ``path`` (mode
    ``0666 & ~umask``). On any error (or Ctrl-C) the temporary file is removed and ``path`` is left
    as it was; the error propagates (an ``OSError`` names the path)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, user_file_mode())
        fault_point("written", path)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is None or str(exc.filename) == tmp:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)
    fault_point("renamed", path)
    return path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Publish ``data`` as ``path`` atomically (see ``atomic_write``); returns ``path``."""
    return atomic_write(path, lambda fh: fh.write(data))


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Publish ``text`` as ``path`` atomically (see ``atomic_write``); returns ``path``."""
    return write_bytes_atomic(path, text.encode(encoding))


def replace_symlink(link: str | Path, target: str | Path) -> Path:
    """Point symlink ``link`` at ``target`` (stored as given, e.g. a sibling folder's name) with
    one atomic rename of a new link made under a temporary name: ``link`` always resolves to the
    old target or the new one. ``link`` must not be a real folder (``os.replace`` refuses)."""
    link = Path(link)
    for attempt in range(100):
        tmp = link.with_name(f".{link.name}.{os.getpid()}.{attempt}.tmp")
        try:
            os.symlink(target, tmp)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 stale temporary links of this very pid
        raise FileExistsError(f"{link}: cannot create a temporary link beside it")
    try:
        fault_point("written", link)
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)
    fault_point("renamed", link)
    return link
