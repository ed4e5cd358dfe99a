"""Every shipped suite validates, expands and plans on the real plugins; the source-system suites hold
their sources' settings. No stand-ins: a dataset or feature that is dropped from the registry, or
renamed, fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.cli.parser import main
from bench.core.registry import DATASETS, FEATURES
from bench.plan.grid import expand
from bench.plan.planner import plan
from bench.spec.loader import load_suite

ROOT = Path(__file__).resolve().parent.parent
SUITES = sorted(p for p in (ROOT / "suites").glob("*.yaml") if p.stem != "timing")  # timing: a sweep file
AGREED_DATASETS = {
    "urban-synth": "audio",
    "urbansound8k": "audio",
    "esc50": "audio",
    "gtzan": "audio",
    "crema-d": "audio",
    "audio-folder": "audio",
    "mnist": "image",
    "fashion-mnist": "image",
    "kmnist": "image",
    "emnist-letters": "image",
    "cifar10": "image",
    "cifar100": "image",
    "image-folder": "image",
    "digits": "image",
}
AGREED_FEATURES = {"logmel": "audio", "image": "image", "image-qchannels": "image"}


@pytest.mark.parametrize(("registry", "agreed"), [(DATASETS, AGREED_DATASETS), (FEATURES, AGREED_FEATURES)])
def test_every_agreed_name_is_registered_with_its_modality(registry, agreed):
    assert {n: registry.get(n).modality for n in agreed if n in registry} == agreed


@pytest.mark.parametrize("path", SUITES, ids=[p.stem for p in SUITES])
def test_suite_validates_expands_and_plans(path):
    suite = load_suite(path)
    cells = expand(suite)
    assert cells and len({c.key for c in cells}) == len(cells)
    planned = plan(suite, None)
    assert len(planned) == len(cells)
    weights = suite.backbone.params.get("weights")
    if weights and not Path(weights).exists():  # a placeholder path: every cell says which file is missing
        assert {p.state for p in planned} == {"skip"}
        assert all(f"weights file {weights} not found" in p.reason for p in planned)


@pytest.mark.parametrize("path", SUITES, ids=[p.stem for p in SUITES])
def test_plan_command_on_the_real_loaders(path, tmp_path, capsys):
    assert main(["plan", str(path), "--reports-dir", str(tmp_path)]) == 0
    assert "cells" in capsys.readouterr().out
    suite = load_suite(path)
    placeholders = [
        d.params["root"] for d in suite.datasets if str(d.params.get("root", "")).startswith("/path/to/")
    ]
    if placeholders or str(suite.backbone.params.get("weights") or "").startswith("/path/to/"):
        planned = plan(suite, None)  # without the data, every cell is skipped and says what is missing
        assert {p.state for p in planned} == {"skip"}
        assert all("/path/to/" in p.reason for p in planned), [p.reason for p in planned][:3]


def _suite(name: str):
    return load_suite(ROOT / "suites" / f"{name}.yaml")


def _head(suite, name: str):
    return next(h for h in suite.heads if h.name == name)


def test_source_settings():
    us = _suite("urbansound8k-hybrid")
    assert us.datasets[0].name == "urbansound8k" and us.datasets[0].params["root"].startswith("/path/to/")
    assert (us.backbone.name, us.backbone.params["embedding_dim"]) == ("big-audio-cnn", 256)
    assert (us.qubits, us.layers) == ([8], [2])
    assert {"alpha": 1.0, "beta": 0.5}.items() <= _head(us, "hybrid-fixed").params.items()

    qc = _suite("gtzan-birdsong-qccnn")
    assert [d.name for d in qc.datasets] == ["gtzan", "audio-folder"]
    assert all(len(d.params["classes"]) == 2 for d in qc.datasets)  # binary tasks
    assert (qc.backbone.name, qc.backbone.protocol, qc.backbone.training.optimizer) == (
        "qccnn",
        "finetune",
        "sgd",
    )
    assert qc.qubits == [8]

    cr = _suite("cremad-pca-head")
    assert cr.datasets[0].name == "crema-d" and cr.backbone.protocol == "frozen"
    assert cr.compression.method == "pca" and {h.name for h in cr.heads} == {"classical", "quantum"}

    mn = _suite("mnist-family-dual-branch")
    assert [d.name for d in mn.datasets] == ["mnist", "fashion-mnist", "emnist-letters", "kmnist"]
    assert mn.backbone.name == "resnet18" and mn.qubits == [8]
    assert _head(mn, "hybrid-fixed").label == "dual-branch"

    for name in ("cifar100-gated-head", "cifar100-gated-head-qchannels"):
        cf = _suite(name)
        assert cf.datasets[0].name == "cifar100" and cf.backbone.name == "resnet34"
        assert cf.backbone.params["weights"].endswith(".pth") and cf.backbone.protocol == "finetune"
        assert _head(cf, "hybrid-gated").params["warmup_epochs"] > 0
    qch = _suite("cifar100-gated-head-qchannels").features
    assert qch.name == "image-qchannels" and qch.params["entanglers"] == ["ring", "star"]
    assert qch.params["base"]["name"] == "image"


def test_gtzan_suite_runs_the_sources_circuit():
    assert _head(_suite("gtzan-birdsong-qccnn"), "quantum").params["ansatz"] == "zz-realamplitudes"


MEASURED = re.compile(r"\b\d+(\.\d+)?\s*(ms|s|sec|seconds|min|minutes|h|hours)\b")
CELL_COUNT = re.compile(r"\b(\d[\d,]*) cells\b")


@pytest.mark.parametrize("path", sorted((ROOT / "suites").glob("*.yaml")), ids=lambda p: p.name)
def test_suite_comments_quote_no_measured_times_and_only_true_cell_counts(path):
    """Times go stale with every speed-up (`python -m bench plan` estimates current ones); a cell
    count in a comment must be the suite's own."""
    comments = [line for line in path.read_text().splitlines() if line.lstrip().startswith("#")]
    stale = [line for line in comments if MEASURED.search(line)]
    assert not stale, stale
    counts = {int(m.group(1).replace(",", "")) for line in comments for m in CELL_COUNT.finditer(line)}
    if counts:
        assert counts == {len(expand(load_suite(path)))}, (path.name, counts)


SEED_SUITES = (
    "urbansound8k-hybrid",
    "cremad-pca-head",
    "gtzan-birdsong-qccnn",
    "mnist-family-dual-branch",
    "cifar100-gated-head",
    "cifar100-gated-head-qchannels",
)


@pytest.mark.parametrize("name", SEED_SUITES)
def test_seed_suites_follow_their_protocols_with_at_least_five_seeds(name):
    suite = _suite(name)
    assert len(suite.seeds) >= 5
    for d in suite.datasets:
        if DATASETS.get(d.name).official_folds:  # UrbanSound8K, ESC-50: every official fold
            assert d.folds == list(range(1, DATASETS.get(d.name).official_folds + 1))
    if name == "cremad-pca-head":  # cross-validation over whole speakers
        assert suite.datasets[0].cv >= 3 and DATASETS.get("crema-d").official_folds == 0


def test_plan_prints_the_cost_of_a_fold_suite(tmp_path, capsys):
    assert (
        main(["plan", str(ROOT / "suites" / "urbansound8k-hybrid.yaml"), "--reports-dir", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    cells = len(expand(_suite("urbansound8k-hybrid")))
    assert f"cost: {cells} cells; urbansound8k: 10 folds x 5 seeds = 50 units; 50 backbones" in out
