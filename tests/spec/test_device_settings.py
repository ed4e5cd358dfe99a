"""Device and precision settings: their forms, their errors, and cell keys unchanged by defaults."""

from __future__ import annotations

import pytest
import torch

from bench.cell.embeddings import backbone_key_from
from bench.core.errors import UserError
from bench.plan.grid import expand
from bench.spec.loader import load_suite
from tests.conftest import TINY, write_suite

NO_CUDA = not torch.cuda.is_available()

# The keys of the TINY suite before device settings existed (main at 753eb16): defaults keep them.
TINY_KEYS = [
    "urban-synth/classical/q2/l-/-/s0#3bef33faff",
    "urban-synth/quantum/q2/l1/default.qubit/s0#6213e627c2",
    "urban-synth/quantum/q2/l1/lightning.qubit/s0#4963319c7c",
]
TINY_HASH = "55ee8dc8ef303822"
TINY_BACKBONE_KEY = "e89d96b7b693acf49449cd57"  # backbone_key_from("F", backbone, 0)


def _suite(tmp_path, training=None, backbone_training=None, heads=None):
    backbone = {**TINY["backbone"], "training": {**TINY["backbone"]["training"], **(backbone_training or {})}}
    overrides = {"training": {**TINY["training"], **(training or {})}, "backbone": backbone}
    return write_suite(tmp_path, {**overrides, **({"heads": heads} if heads else {})})


def test_defaults_and_explicit_defaults_keep_every_key(tmp_path):
    for training, backbone in [({}, {}), ({"device": "cpu"}, {"device": "cpu", "precision": "fp32"})]:
        suite = load_suite(_suite(tmp_path, training, backbone))
        assert [c.key for c in expand(suite)] == TINY_KEYS
        assert suite.hash == TINY_HASH
        assert backbone_key_from("F", suite.backbone, 0) == TINY_BACKBONE_KEY
        assert "device" not in expand(suite)[0].spec["training"]


def test_other_settings_change_the_keys_they_affect(tmp_path):
    auto = load_suite(_suite(tmp_path, {"device": "auto"}))
    assert all(k not in TINY_KEYS for k in (c.key for c in expand(auto)))
    assert backbone_key_from("F", auto.backbone, 0) == TINY_BACKBONE_KEY  # heads only
    bf16 = load_suite(_suite(tmp_path, backbone_training={"precision": "bf16"}))
    assert backbone_key_from("F", bf16.backbone, 0) != TINY_BACKBONE_KEY
    assert expand(bf16)[0].spec["backbone"]["training"]["precision"] == "bf16"


def test_a_head_override_changes_only_that_heads_keys(tmp_path):
    heads = ["classical", {"name": "quantum", "training": {"device": "auto"}}]
    keys = [c.key for c in expand(load_suite(_suite(tmp_path, heads=heads)))]
    assert keys[0] == TINY_KEYS[0] and keys[1] not in TINY_KEYS


@pytest.mark.parametrize(
    ("training", "backbone", "message"),
    [
        (
            {"device": "gpu"},
            {},
            "training.device: unknown device 'gpu' (allowed: auto, cpu, cuda, cuda:N)",
        ),
        (
            {},
            {"device": "cuda:x"},
            "backbone.training.device: unknown device 'cuda:x' (allowed: auto, cpu, cuda, cuda:N)",
        ),
        (
            {},
            {"precision": "fp8"},
            "backbone.training.precision: Input should be 'fp32', 'bf16' or 'fp16' (got 'fp8')",
        ),
        (
            {},
            {"precision": "fp16"},
            "backbone.training.precision: fp16 needs device cuda or cuda:N (its gradient "
            "scaler is CUDA-only; device is 'cpu'); on the CPU use bf16 (allowed: fp32, bf16, fp16)",
        ),
    ],
)
def test_bad_values_name_the_allowed_ones(tmp_path, training, backbone, message):
    path = _suite(tmp_path, training, backbone)
    with pytest.raises(UserError) as err:
        load_suite(path)
    written = {**training, **backbone}
    key, value = next((k, v) for k, v in written.items() if k in ("device", "precision"))
    line = 1 + path.read_text().splitlines().index(f"    {key}: {value}" if backbone else f"  {key}: {value}")
    assert str(err.value) == f"{path}:{line}: {message}"


@pytest.mark.skipif(not NO_CUDA, reason="this machine has a CUDA GPU: requesting it is not an error")
@pytest.mark.parametrize(
    ("training", "backbone", "heads", "at"),
    [
        ({"device": "cuda"}, {}, None, "training.device: 'cuda'"),
        ({}, {"device": "cuda:1"}, None, "backbone.training.device: 'cuda:1'"),
        (
            {},
            {},
            ["classical", {"name": "quantum", "training": {"device": "cuda"}}],
            "heads[1].training.device",
        ),
    ],
)
def test_cuda_where_there_is_none_is_refused_at_load(tmp_path, training, backbone, heads, at):
    with pytest.raises(UserError) as err:
        load_suite(_suite(tmp_path, training, backbone, heads))
    text = str(err.value)
    assert at in text and "requested but no CUDA GPU is visible here" in text
    assert text.endswith("(allowed here: auto, cpu)") and "\n" not in text


def test_the_cli_exits_non_zero_on_a_bad_device(tmp_path, capsys):
    from bench.cli.parser import main

    code = main(["plan", str(_suite(tmp_path, {"device": "tpu"}))])
    assert code != 0
    assert (
        "training.device: unknown device 'tpu' (allowed: auto, cpu, cuda, cuda:N)" in capsys.readouterr().err
    )
