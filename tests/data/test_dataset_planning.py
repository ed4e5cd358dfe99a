"""Real datasets in suites: plan/run without the data, modality checks, cache keys that follow the
files, unreadable files counted in the record, and the shipped image suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cell.embeddings import features_key
from bench.cell.run import run_cell
from bench.cli.parser import main
from bench.core.errors import UserError
from bench.plan.grid import expand
from bench.plan.planner import plan
from bench.results.cache import Cache
from bench.results.store import ResultsStore
from bench.spec.loader import load_suite
from bench.spec.suite import PluginRef
from tests.conftest import write_suite
from tests.data.dataset_layouts import image_folder, write_corrupt

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SETTINGS = {
    "features": {"name": "image", "params": {"size": 8}},
    "backbone": {
        "name": "small-cnn",
        "params": {"channels": [4], "embedding_dim": 8},
        "training": {"epochs": 2, "batch_size": 8},
    },
}


def _us8k_suite(tmp_path: Path, **params) -> Path:
    return write_suite(
        tmp_path,
        {"name": "us8k", "datasets": [{"name": "urbansound8k", "params": params}], "heads": ["classical"]},
    )


def test_plan_without_the_data_says_which_root_is_missing(tmp_path, capsys):
    suite = load_suite(_us8k_suite(tmp_path))
    planned = plan(suite, None)
    assert {p.state for p in planned} == {"skip"}
    assert planned[0].reason.startswith(
        "dataset urbansound8k unavailable: no data root: set params.root, "
        "QHEAD_DATA_URBANSOUND8K or QHEAD_DATA_ROOT"
    )
    assert "expected layout: <root>/metadata/UrbanSound8K.csv" in planned[0].reason
    assert main(["plan", str(_us8k_suite(tmp_path)), "--reports-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "skip" in out and "QHEAD_DATA_URBANSOUND8K" in out


def test_plan_names_a_root_that_does_not_exist(tmp_path):
    planned = plan(load_suite(_us8k_suite(tmp_path, root=str(tmp_path / "US8K"))), None)
    assert f"data root {tmp_path / 'US8K'} (from params.root) does not exist" in planned[0].reason
    (tmp_path / "file").write_text("")
    planned = plan(load_suite(_us8k_suite(tmp_path, root=str(tmp_path / "file"))), None)
    assert "(from params.root) is not a folder" in planned[0].reason


def test_plan_finds_the_root_through_the_environment(tmp_path, layout, monkeypatch):
    monkeypatch.setenv("QHEAD_DATA_URBANSOUND8K", str(layout("urbansound8k").root))
    assert {p.state for p in plan(load_suite(_us8k_suite(tmp_path)), None)} == {"pending"}


def test_run_records_cells_of_a_missing_dataset_as_skipped(tmp_path):
    suite = _us8k_suite(tmp_path)
    code = main(
        [
            "run",
            str(suite),
            "--reports-dir",
            str(tmp_path / "r"),
            "--cache-dir",
            str(tmp_path / "c"),
            "--no-report",
        ]
    )
    assert code == 0
    records = ResultsStore(tmp_path / "r" / "us8k" / "results.sqlite").get()
    assert records and all(r.status == "skipped" and "QHEAD_DATA_URBANSOUND8K" in r.error for r in records)


def test_dataset_and_feature_modalities_must_match(tmp_path):
    suite = write_suite(tmp_path, {"datasets": ["digits"]})
    with pytest.raises(
        UserError,
        match=r"datasets\[0\]\.name: 'digits' is image data but feature 'logmel' "
        r"reads audio \(features for image: image, image-qchannels\)",
    ):
        load_suite(suite)
    gtzan = {"name": "gtzan", "params": {"classes": ["pop", "jaz"]}}
    bad_option = write_suite(tmp_path, {"datasets": [gtzan]})
    expected = r"datasets\[0\]\.params\.classes: unknown class 'jaz'; did you mean 'jazz'"
    with pytest.raises(UserError, match=expected):
        load_suite(bad_option)


def test_features_key_follows_the_files_on_disk(tmp_path):
    lay = image_folder(tmp_path / "imgs", per_class=4)
    ref = PluginRef(name="image-folder", params={"root": str(lay.root)})
    feats = PluginRef(name="image")
    key = features_key(ref, feats)
    assert features_key(ref, feats) == key
    write_corrupt(lay.root / "cat" / "img01.png")
    assert features_key(ref, feats) != key
    assert features_key(PluginRef(name="digits"), feats) == features_key(PluginRef(name="digits"), feats)


def test_unreadable_files_are_counted_in_the_record(tmp_path):
    lay = image_folder(tmp_path / "imgs", per_class=8)
    write_corrupt(lay.root / "fox" / "img05.png")
    suite = load_suite(
        write_suite(
            tmp_path,
            {
                "datasets": [{"name": "image-folder", "params": {"root": str(lay.root), "image_size": 8}}],
                **IMAGE_SETTINGS,
                "heads": ["classical"],
            },
        )
    )
    record = run_cell(expand(suite)[0], Cache(tmp_path / "cache"))
    assert record.status == "ok", record.error
    assert record.metrics["skipped_items"] == 1
    assert record.class_names == ["cat", "dog", "fox"]


def test_shipped_image_suite_runs_on_embedded_data(tmp_path):
    suite = load_suite(ROOT / "suites" / "image.yaml")
    assert [d.name for d in suite.datasets] == ["digits"] and suite.features.name == "image"
    assert {p.state for p in plan(suite, None)} == {"pending"}
    digits = suite.datasets[0]  # its dataset (capped) and feature through a short classical + quantum run
    quick = load_suite(
        write_suite(
            tmp_path,
            {
                "datasets": [{"name": "digits", "params": {**digits.params, "max_per_class": 10}}],
                "features": suite.features.model_dump(exclude={"label"}),
                "backbone": IMAGE_SETTINGS["backbone"],
                "heads": ["classical", "quantum"],
                "backends": ["default.qubit"],
            },
        )
    )
    records = [run_cell(c, Cache(tmp_path / "cache")) for c in expand(quick)]
    assert all(r.status == "ok" for r in records), [r.error for r in records]
    assert all(r.metrics["skipped_items"] == 0 and len(r.class_names) == 10 for r in records)
