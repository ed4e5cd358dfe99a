"""Atomic publishing (``bench.core.files``): a reader sees the old file or the new one, never half."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.core.files import (
    FAULT_KILL_ENV,
    atomic_write,
    replace_symlink,
    user_file_mode,
    write_bytes_atomic,
    write_text_atomic,
)


def test_write_text_atomic_replaces_with_the_umask_mode(tmp_path):
    target = tmp_path / "sub" / "index.md"
    write_text_atomic(target, "old")
    write_text_atomic(target, "new ü")
    assert target.read_text(encoding="utf-8") == "new ü"
    assert target.stat().st_mode & 0o777 == user_file_mode()
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.md"]


def test_a_failing_writer_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = write_bytes_atomic(tmp_path / "fig.png", b"old")

    def disk_full(fh):
        fh.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as caught:
        atomic_write(target, disk_full)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_replace_symlink_swaps_an_existing_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    link = tmp_path / "latest"
    replace_symlink(link, "a")
    assert os.readlink(link) == "a"
    replace_symlink(link, "b")
    assert os.readlink(link) == "b" and link.resolve() == (tmp_path / "b").resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "latest"]


@pytest.mark.parametrize("step", [1, 2])
def test_killed_between_the_two_steps_the_link_still_resolves(tmp_path, step):
    """SIGKILL after the new link exists under its temporary name (1) or after the rename (2)."""
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    link = tmp_path / "latest"
    replace_symlink(link, "old")
    code = f"from bench.core.files import replace_symlink; replace_symlink({str(link)!r}, 'new')"
    env = {**os.environ, FAULT_KILL_ENV: str(step), "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run([sys.executable, "-c", code], env=env, timeout=60)
    assert done.returncode == -9
    assert os.readlink(link) == ("old" if step == 1 else "new")


@pytest.mark.parametrize("durable", [True, False])
def test_durable_false_skips_the_fsyncs_only(tmp_path, monkeypatch, durable):
    synced = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or fsync(fd))
    target = write_bytes_atomic(tmp_path / "entry.pkl", b"old")
    synced.clear()
    atomic_write(target, lambda fh: fh.write(b"new"), durable=durable)
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["entry.pkl"]
    assert len(synced) == (2 if durable else 0)  # the file and its folder
