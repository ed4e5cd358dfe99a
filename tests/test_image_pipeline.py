"""An image suite end to end: run, per-cell checkpoints, predict on a PNG, image report sections."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from bench.cell.checkpoint import cell_checkpoint_path, load_checkpoint
from bench.cell.embeddings import features_key
from bench.cli.parser import main
from bench.plan.grid import expand
from bench.results.cache import Cache
from bench.results.store import ResultsStore
from bench.spec.loader import load_suite
from tests.conftest import write_suite
from tests.imagekit import TinyShapes, register_tiny_images

DATASET = {"name": "tiny-shapes", "params": {"n_per_class": 8}}


@pytest.fixture(scope="module")
def image_run(tmp_path_factory):
    register_tiny_images()
    tmp = tmp_path_factory.mktemp("image-run")
    path = write_suite(
        tmp,
        {
            "name": "tinyimg",
            "datasets": [DATASET],
            "features": "tiny-pixels",
            "backbone": {
                "name": "small-cnn",
                "params": {"channels": [4, 8], "embedding_dim": 8},
                "training": {"epochs": 3, "batch_size": 8},
            },
            "heads": ["classical", "hybrid-fixed"],
            "backends": ["default.qubit", "lightning.qubit"],
        },
    )
    assert (
        main(["run", str(path), "--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")])
        == 0
    )
    suite = load_suite(path)
    records = {r.key: r for r in ResultsStore(tmp / "reports" / "tinyimg" / "results.sqlite").get()}
    return {"tmp": tmp, "path": path, "suite": suite, "records": records}


def _test_split(run) -> tuple[np.ndarray, np.ndarray]:
    ref = run["suite"].datasets[0]
    feats = Cache(run["tmp"] / "cache").load("features", features_key(ref, run["suite"].features))
    test = feats["split"] == "test"
    return feats["x"][test], feats["labels"][test]


def test_every_ok_cell_has_a_checkpoint_that_reproduces_its_predictions(image_run):
    root = image_run["tmp"] / "reports" / "tinyimg" / "checkpoints"
    x, labels = _test_split(image_run)
    assert len(list((root / "backbones").glob("*.pt"))) == 1  # one frozen backbone, shared by every cell
    for cell in expand(image_run["suite"]):
        record = image_run["records"][cell.key]
        assert record.status == "ok" and record.protocol == "frozen"
        loaded = load_checkpoint(cell_checkpoint_path(root, cell.key))
        assert loaded.meta["key"] == cell.key and loaded.class_names == record.class_names
        with torch.no_grad():
            predictions = loaded.model(torch.from_numpy(x)).argmax(1).tolist()
        assert predictions == record.predictions
        assert labels.tolist() == record.labels


def _png(tmp_path, image: np.ndarray):
    path = tmp_path / "my-image.png"
    Image.fromarray(np.round(image.transpose(1, 2, 0) * 255).astype(np.uint8)).save(path)
    return path


def test_predict_on_a_png_prints_the_cells_prediction(image_run, tmp_path, capsys):
    raw = TinyShapes.from_dict(DATASET["params"]).load()
    test_images = raw.x[raw.indices("test")]
    cell = [c for c in expand(image_run["suite"]) if c.head.name == "hybrid-fixed"][1]  # lightning.qubit
    record = image_run["records"][cell.key]
    for i in (0, len(test_images) - 1):
        code = main(
            [
                "predict",
                str(image_run["path"]),
                _png(tmp_path, test_images[i]).as_posix(),
                "--cell",
                cell.key.split("#")[0],
                "--reports-dir",
                str(image_run["tmp"] / "reports"),
                "--cache-dir",
                str(image_run["tmp"] / "cache"),
            ]
        )
        out = capsys.readouterr().out
        assert code == 0, out
        rows = [
            line.split()
            for line in out.splitlines()
            if line.split() and line.split()[0] in record.class_names
        ]
        assert len(rows) == 3 and rows[0][0] == record.class_names[record.predictions[i]]
        assert abs(sum(float(r[-1]) for r in rows) - 1.0) < 1e-3
        assert "circuit on: lightning.qubit" in out and f"cell: {cell.key}" in out


def test_predict_errors_are_one_line(image_run, tmp_path, capsys):
    args = [
        "--reports-dir",
        str(image_run["tmp"] / "reports"),
        "--cache-dir",
        str(image_run["tmp"] / "cache"),
    ]
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(b"\x89PNG not really")
    assert (
        main(["predict", str(image_run["path"]), str(corrupt), "--cell", "tiny-shapes/classical", *args]) == 2
    )
    assert capsys.readouterr().err.startswith(f"error: {corrupt}: cannot read image")
    assert (
        main(["predict", str(image_run["path"]), str(corrupt), "--cell", "tiny-shapes/clasical/q2", *args])
        == 2
    )
    err = capsys.readouterr().err
    assert (
        "no cell 'tiny-shapes/clasical/q2'" in err
        and "did you mean 'tiny-shapes/classical/q2/l-/-/s0'" in err
    )
    assert main(["predict", str(image_run["path"]), str(corrupt), "--cell", "tiny-shapes/hybrid", *args]) == 2
    assert "matches 2 cells" in capsys.readouterr().err


def test_report_has_image_diagnostics_with_figures(image_run):
    report = image_run["tmp"] / "reports" / "tinyimg" / "latest"
    md = (report / "index.md").read_text()
    assert "## Image diagnostics: tiny-shapes" in md
    assert (
        "best classical: tiny-shapes/classical/q2" in md and "best hybrid: tiny-shapes/hybrid-fixed/q2" in md
    )
    assert "| backbone_protocol | frozen |" in md
    gradcam = report / "figures" / "gradcam_tiny-shapes.png"
    assert "](figures/gradcam_tiny-shapes.png)" in md and gradcam.stat().st_size > 5000
    for kind in ("classical", "hybrid"):
        figure = report / "figures" / f"misclassified_tiny-shapes_{kind}.png"
        assert (f"](figures/{figure.name})" in md) == figure.exists()
    assert ">Image diagnostics: tiny-shapes</h2>" in (report / "index.html").read_text()
