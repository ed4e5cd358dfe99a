"""Fault injection (issue #13): every kind of file the tool writes is corrupted, truncated or
deleted, and the tool must answer with no traceback, no wrong result, and nothing finished lost.

One tiny run (classical + quantum head, one seed) is made once; each test works on its own copy.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
from pathlib import Path

import pytest
import soundfile
import torch

from bench.cell.checkpoint import cell_checkpoint_path, content_checksum, read_verified
from bench.cli.parser import main
from bench.core.files import user_file_mode
from bench.data.urban_synth import UrbanSynth
from bench.plan.grid import expand
from bench.results.cache import Cache
from bench.results.store import ResultsStore
from bench.spec.loader import load_suite
from tests.conftest import TINY, write_suite

NAME = "faults"


def _argv(root: Path, *args: str, cache: Path | None = None) -> list[str]:
    return [*args, "--reports-dir", str(root / "reports"), "--cache-dir", str(cache or root / "cache")]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    suite = write_suite(root, {"name": NAME, "backends": ["default.qubit"]})
    assert main(_argv(root, "run", str(suite))) == 0
    raw = UrbanSynth.from_dict(TINY["datasets"][0]["params"]).load()
    wav = root / "clip.wav"
    soundfile.write(wav, raw.x[raw.indices("test")[0]], raw.sample_rate, subtype="FLOAT")
    return root


@pytest.fixture
def run(pristine, tmp_path):
    """A private copy of the pristine run: suite, reports (store, checkpoints, report), cache."""
    copy = tmp_path / "run"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


def _records(root: Path) -> dict:
    store = ResultsStore(root / "reports" / NAME / "results.sqlite")
    try:
        return {r.key: (r.status, r.metrics, r.predictions) for r in store.get()}
    finally:
        store.close()


def _cell(root: Path, head: str):
    return next(c for c in expand(load_suite(root / "suite.yaml")) if c.head.name == head)


def _checkpoints(root: Path, head: str) -> tuple[Path, Path]:
    """(the cell file, the backbone file it references) of the ``head`` cell."""
    cell_file = cell_checkpoint_path(root / "reports" / NAME / "checkpoints", _cell(root, head).key)
    backbone = next((root / "reports" / NAME / "checkpoints" / "backbones").glob("*.pt"))
    return cell_file, backbone


def _predict(root: Path, head: str, capsys, cache: Path | None = None) -> tuple[int, str, str]:
    cell = _cell(root, head).key.split("#")[0]
    argv = _argv(
        root, "predict", str(root / "suite.yaml"), str(root / "clip.wav"), "--cell", cell, cache=cache
    )
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _probabilities(out: str) -> list[tuple[str, str]]:
    rows = [line.split() for line in out.splitlines()]
    return [(r[0], r[1]) for r in rows if len(r) == 2 and r[1].replace(".", "").isdigit()]


def _flip_tensor(path: Path) -> None:
    """Change one weight by one bit, keeping the file a valid torch archive (only the checksum knows)."""
    obj = torch.load(path, weights_only=True)
    state = obj["head"]["state"] if "head" in obj else obj["state"]
    tensor = next(t for t in state.values() if t.dtype in (torch.float32, torch.float64))
    as_int = torch.int32 if tensor.dtype == torch.float32 else torch.int64
    tensor.view(-1).view(as_int)[0] ^= 1 << 20
    torch.save(obj, path)


def _flip_bytes(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    for i in range(len(blob) // 2, len(blob) // 2 + 64):
        blob[i] ^= 0xFF
    path.write_bytes(bytes(blob))


FAULTS = {
    "one weight bit": _flip_tensor,
    "64 bytes flipped": _flip_bytes,
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 3]),
    "emptied": lambda p: p.write_bytes(b""),
    "deleted": lambda p: p.unlink(),
    "replaced by text": lambda p: p.write_text("not a checkpoint\n"),
}


@pytest.fixture(scope="module")
def expected(pristine, tmp_path_factory):
    """What predict prints for the intact quantum cell: the reference for every damaged case."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cell = _cell(pristine, "quantum").key.split("#")[0]
        argv = _argv(
            pristine, "predict", str(pristine / "suite.yaml"), str(pristine / "clip.wav"), "--cell", cell
        )
        assert main(argv) == 0
    return _probabilities(out.getvalue())


@pytest.mark.parametrize("target", ["cell", "backbone"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_damaged_checkpoint_is_rebuilt_from_the_cache(run, capsys, expected, fault, target):
    cell_file, backbone = _checkpoints(run, "quantum")
    FAULTS[fault](cell_file if target == "cell" else backbone)
    code, out, err = _predict(run, "quantum", capsys)
    assert (code, err) == (0, "")
    assert _probabilities(out) == expected  # the same answer as the intact file, never a wrong one
    assert read_verified(cell_file)["checksum"] and read_verified(backbone)["checksum"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in (cell_file, backbone)} == {user_file_mode()}  # umask
    if fault != "deleted":
        assert "rebuilt from the cache" in out


@pytest.mark.parametrize("target", ["cell", "backbone"])
@pytest.mark.parametrize("fault", ["one weight bit", "64 bytes flipped", "truncated", "deleted"])
def test_damaged_checkpoint_without_cache_is_one_line_naming_file_and_command(run, capsys, fault, target):
    cell_file, backbone = _checkpoints(run, "quantum")
    damaged = cell_file if target == "cell" else backbone
    FAULTS[fault](damaged)
    code, out, err = _predict(run, "quantum", capsys, cache=run / "empty-cache")
    assert code == 2 and _probabilities(out) == []
    assert err.count("\n") == 1 and "Traceback" not in err
    if fault == "deleted" and target == "cell":
        assert "has no checkpoint" in err
    else:
        assert str(damaged) in err and f"python -m bench run {run / 'suite.yaml'} --force" in err


def test_nan_weights_with_a_valid_checksum_print_no_probabilities(run, capsys):
    cell_file, _ = _checkpoints(run, "quantum")
    obj = torch.load(cell_file, weights_only=True)
    for tensor in obj["head"]["state"].values():
        tensor.fill_(float("nan"))
    obj["checksum"] = content_checksum(obj)
    torch.save(obj, cell_file)
    code, out, err = _predict(run, "quantum", capsys)
    assert code == 2 and _probabilities(out) == [] and "nan" not in out.lower()
    assert "non-finite probabilities" in err and str(cell_file) in err


def test_every_cache_entry_damaged_recomputes_identical_records(run, capsys):
    before = _records(run)
    entries = sorted((run / "cache").rglob("*.pkl"))
    assert {p.parent.name for p in entries} >= {"features", "backbone", "heads"}
    faults = [_flip_bytes, lambda p: p.write_bytes(p.read_bytes()[:40]), lambda p: p.unlink()]
    for i, path in enumerate(entries):
        faults[i % len(faults)](path)
    assert main(_argv(run, "run", str(run / "suite.yaml"), "--force", "--no-report")) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert _records(run) == before
    cache = Cache(run / "cache")
    assert all(cache.load(p.parent.name, p.stem) is not None for p in entries)  # recomputed, intact


@pytest.mark.parametrize("fault", ["files damaged", "run folder deleted"])
def test_damaged_report_folder_is_regenerated_from_the_store(run, capsys, fault):
    suite_dir = run / "reports" / NAME
    folder = (suite_dir / "latest").resolve()
    if fault == "files damaged":  # index.md deleted, index.html corrupted, figures deleted
        (folder / "index.md").unlink()
        (folder / "index.html").write_bytes(b"\x00\xff" * 100)
        shutil.rmtree(folder / "figures")
    else:  # the folder goes, `latest` dangles
        shutil.rmtree(folder)
        assert (suite_dir / "latest").is_symlink()
    before = _records(run)
    assert main(_argv(run, "report", str(run / "suite.yaml"))) == 0  # the latest run's own folder
    assert "Traceback" not in capsys.readouterr().err
    assert (folder / "index.md").stat().st_size > 0 and list((folder / "figures").iterdir())
    assert (folder / "index.html").read_bytes().lstrip().lower().startswith(b"<!doctype html")
    assert (suite_dir / "latest").resolve() == folder
    assert _records(run) == before


def _flip_4k(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    start = max(0, len(blob) // 2 - 2048)
    for i in range(start, min(len(blob), start + 4096)):
        blob[i] ^= 0xFF
    path.write_bytes(bytes(blob))


STORE_FAULTS = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "4 KiB flipped": _flip_4k,
    "replaced by text": lambda p: p.write_text("not a database\n" * 200),
    "deleted": lambda p: p.unlink(),
}


@pytest.mark.parametrize("fault", list(STORE_FAULTS))
def test_damaged_store_is_named_repaired_and_what_was_lost_rerun(run, capsys, fault):
    store, suite = run / "reports" / NAME / "results.sqlite", str(run / "suite.yaml")
    before = _records(run)
    STORE_FAULTS[fault](store)
    if fault != "deleted":
        for command in ("plan", "report", "run"):  # each names the file in one line, with the salvage command
            assert main(_argv(run, command, suite)) == 2
            err = capsys.readouterr().err
            assert "Traceback" not in err and err.count("\n") == 1
            assert str(store) in err and f"python -m bench repair {suite}" in err
        assert main(_argv(run, "repair", suite)) == 0
        assert "repaired" in capsys.readouterr().out
        assert list(store.parent.glob("results.sqlite.damaged-*"))  # kept aside, not deleted
    assert main(_argv(run, "run", suite, "--no-report")) == 0  # re-runs only what was lost
    assert "Traceback" not in capsys.readouterr().err
    assert _records(run) == before


@pytest.mark.parametrize("fault", ["latest is a folder", "latest is a file", "report folder is a file"])
def test_report_paths_of_the_wrong_type_are_one_line(run, capsys, fault):
    suite_dir = run / "reports" / NAME
    run_id = os.readlink(suite_dir / "latest")
    (suite_dir / "latest").unlink()
    if fault == "latest is a folder":
        (suite_dir / "latest").mkdir()
    elif fault == "latest is a file":
        (suite_dir / "latest").write_text("x")
    else:
        shutil.rmtree(suite_dir / run_id)
        (suite_dir / run_id).write_text("x")
    before = _records(run)
    for argv in (["report", str(run / "suite.yaml"), "--run-id", run_id], ["run", str(run / "suite.yaml")]):
        if fault == "report folder is a file" and argv[0] == "run":
            continue
        assert main(_argv(run, *argv)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert str(suite_dir / (run_id if fault == "report folder is a file" else "latest")) in err
    assert _records(run) == before
