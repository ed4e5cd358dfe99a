"""``predict`` on the shipped demos' modalities (image, audio) and on every cell kind.

Each demo suite (``suites/image.yaml``, ``suites/audio.yaml``) is shrunk to a few items, epochs and
one qubit count, with every control on, and run from a fresh store; then ``predict`` on a test
example written as a PNG / wav file must give the record's prediction, for a classical, a
quantum, a hybrid and each control cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml
from PIL import Image

from bench.cell.checkpoint import cell_checkpoint_path, load_checkpoint
from bench.cell.predict import fitted_statistics
from bench.cli.parser import main
from bench.core.registry import DATASETS, FEATURES
from bench.plan.grid import expand
from bench.results.store import ResultsStore
from bench.spec.loader import load_suite

SUITES = Path(__file__).resolve().parents[1] / "suites"
TINY_TRAINING = {"epochs": 2, "batch_size": 16, "patience": 2, "timing_repeats": 1}
SHRINK = {
    "image": {
        "datasets": [{"name": "digits", "params": {"classes": ["0", "1", "7"], "max_per_class": 15}}],
        "backbone": {
            "name": "small-cnn",
            "params": {"channels": [4, 8], "embedding_dim": 8},
            "training": {"epochs": 2, "batch_size": 16},
        },
    },
    "audio": {
        "datasets": [
            {
                "name": "urban-synth",
                "params": {"n_per_class": 6, "seconds": 0.25, "sample_rate": 8000, "n_classes": 3},
            }
        ],
        "features": {"name": "logmel", "params": {"n_fft": 256, "hop_length": 128, "n_mels": 16}},
        "backbone": {
            "name": "small-cnn",
            "params": {"channels": [4, 8], "embedding_dim": 8},
            "training": {"epochs": 2, "batch_size": 8},
        },
        "heads": ["classical", "quantum", {"name": "hybrid-fixed", "params": {"alpha": 1.0, "beta": 0.5}}],
    },
}


def _tiny_demo(name: str, directory: Path) -> Path:
    """The shipped demo suite with a tiny dataset and budget, every control on, one seed."""
    data = yaml.safe_load((SUITES / f"{name}.yaml").read_text())
    data.update(SHRINK[name])
    data.update(
        {
            "name": f"tiny-{name}",
            "qubits": [2],
            "layers": [1],
            "backends": ["default.qubit"],
            "seeds": [0],
            "training": {**data["training"], **TINY_TRAINING},
            "controls": True,
        }
    )
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _run_demo(name: str, tmp: Path) -> dict:
    path = _tiny_demo(name, tmp)
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    assert main(["run", str(path), *dirs, "--no-report"]) == 0
    suite = load_suite(path)
    store = ResultsStore(tmp / "reports" / suite.name / "results.sqlite")
    try:
        records = {r.key: r for r in store.get()}
    finally:
        store.close()
    ref = suite.datasets[0]
    raw = DATASETS.get(ref.name).from_dict(ref.params).load()
    return {"path": path, "suite": suite, "records": records, "raw": raw, "dirs": dirs, "tmp": tmp}


@pytest.fixture(scope="module", params=["image", "audio"])
def demo(request, tmp_path_factory):
    return _run_demo(request.param, tmp_path_factory.mktemp(f"demo-{request.param}"))


def _write_example(raw, i: int, directory: Path) -> Path:
    example = raw.x[raw.indices("test")[i]]
    if raw.modality == "image":
        path = directory / f"example{i}.png"
        pixels = np.round(np.clip(example[0], 0, 1) * 255).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(path)
    else:
        path = directory / f"example{i}.wav"
        soundfile.write(path, example, raw.sample_rate, subtype="FLOAT")
    return path


def _kind(cell) -> str:
    return cell.control or cell.head.name


def test_predict_on_every_cell_kind_gives_the_records_prediction(demo, tmp_path, capsys):
    cells = expand(demo["suite"])
    kinds = {_kind(c): c for c in cells}
    assert {"classical", "quantum", "hybrid-fixed", "matched-mlp", "no-entanglement"} <= set(kinds)
    assert {"tanh-linear", "beta-zero", "frozen-circuit"} <= set(kinds)
    examples = [_write_example(demo["raw"], i, tmp_path) for i in (0, 1)]
    for kind, cell in sorted(kinds.items()):
        record = demo["records"][cell.key]
        assert record.status == "ok", (kind, record.error)
        for i, example in enumerate(examples):
            code = main(["predict", str(demo["path"]), str(example), "--cell", cell.key, *demo["dirs"]])
            out = capsys.readouterr().out
            assert code == 0, (kind, out)
            names = set(record.class_names)
            rows = [r.split() for r in out.splitlines() if r.split()[:1] and r.split()[0] in names]
            assert rows[0][0] == record.class_names[record.predictions[i]], (kind, i, out)


def test_checkpoint_without_saved_statistics_recomputes_them_from_the_training_split(demo):
    cell = expand(demo["suite"])[0]
    root = demo["tmp"] / "reports" / demo["suite"].name / "checkpoints"
    loaded = load_checkpoint(cell_checkpoint_path(root, cell.key))
    features = demo["suite"].features
    plugin = FEATURES.get(features.name).from_dict(features.params)
    saved = fitted_statistics(plugin, loaded)
    assert bool(saved) == (demo["raw"].modality == "image")  # normalize: train learns mean and std
    loaded.meta["input"].pop("fitted")
    assert fitted_statistics(plugin, loaded) == saved
