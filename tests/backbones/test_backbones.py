"""Backbone-specific checks (build, embed, classify and the Grad-CAM layer are in
tests/test_plugin_conformance.py): seeded init, widened inputs, training; ResNet checkpoints."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from bench.backbones.nets.resnet import adapt_first_conv, load_resnet_weights
from bench.backbones.resnet import SMALL_INPUT_SIDE
from bench.backbones.train import embed, train_backbone
from bench.core.registry import BACKBONES
from bench.spec.suite import BackboneTraining

N_CLASSES = 3


def _plugin(name: str, **params):
    cls = BACKBONES.get(name)
    return cls.from_dict({**cls.test_params, **params})


def _build(name: str, channels: int | None = None, seed: int = 0, **params):
    plugin = _plugin(name, **params)
    shape = plugin.test_input_shape if channels is None else (channels, *plugin.test_input_shape[1:])
    torch.manual_seed(seed)
    return plugin.build(shape, N_CLASSES), shape


def _batch(shape, n: int = 6, seed: int = 1) -> torch.Tensor:
    return torch.rand((n, *shape), generator=torch.Generator().manual_seed(seed))


@pytest.fixture(scope="module")
def built():
    """One network per backbone (seed 0), built once; tests that change it take a deep copy."""
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = _build(name, seed=0)
        return cache[name]

    return get


@pytest.mark.parametrize("name", BACKBONES.names())
def test_same_seed_same_init(name, built):
    reference, _ = built(name)
    again, _ = _build(name, seed=0)
    other, _ = _build(name, seed=1)
    ref = reference.state_dict()
    assert all(torch.equal(v, again.state_dict()[k]) for k, v in ref.items())
    assert any(not torch.equal(v, other.state_dict()[k]) for k, v in ref.items())


@pytest.mark.parametrize("name", BACKBONES.names())
def test_widened_input_builds_a_wider_first_conv(name):
    net, shape = _build(name, channels=5)
    first = next(m for m in net.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == 5
    net.eval()
    assert net(_batch(shape, n=2)).shape == (2, N_CLASSES)


def _train(net, shape, optimizer: str) -> dict:
    x = _batch(shape, n=4).numpy()
    y = (np.arange(4) % N_CLASSES).astype(np.int64)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    settings = BackboneTraining(epochs=1, batch_size=4, lr=0.01, patience=1, optimizer=optimizer)
    history = train_backbone(net, x, y, x, y, settings, seed=0)
    assert history["best_epoch"] == history["epochs_run"] == 1
    assert 0.0 <= history["val_accuracy"] <= 1.0
    assert any(not torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert embed(net, x).shape == (4, net.embedding_dim)
    return history


@pytest.mark.parametrize("name", BACKBONES.names())
def test_training_step_changes_the_weights(name, built):
    net, shape = built(name)
    _train(copy.deepcopy(net), shape, "adam")


def test_sgd_optimizer_trains_too(built):
    net, shape = built("qccnn")
    _train(copy.deepcopy(net), shape, "sgd")


def test_zero_epochs_leaves_the_backbone_as_built():
    net, shape = _build("small-cnn")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x = _batch(shape, n=4).numpy()
    y = np.arange(4) % N_CLASSES
    history = train_backbone(net, x, y, x, y, BackboneTraining(epochs=0), seed=0)
    assert history["epochs_run"] == 0 and np.isnan(history["val_accuracy"])
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


# ------------------------------------------------------------------ ResNet specifics


def test_resnet_stem_auto_small_for_small_inputs():
    small, _ = _build("resnet18")
    assert small.body.conv1.kernel_size == (3, 3) and isinstance(small.body.maxpool, torch.nn.Identity)
    plugin = _plugin("resnet18")
    big = plugin.build((3, SMALL_INPUT_SIDE, SMALL_INPUT_SIDE), N_CLASSES)
    assert big.body.conv1.kernel_size == (7, 7) and isinstance(big.body.maxpool, torch.nn.MaxPool2d)


@pytest.fixture(scope="module")
def imagenet_like_checkpoint(tmp_path_factory):
    """A torchvision resnet18 state dict as a training script would save it: nested, DataParallel prefixes,
    an ImageNet fc (1000 classes) that must be ignored."""
    import torchvision

    torch.manual_seed(11)
    model = torchvision.models.resnet18(weights=None)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    path = tmp_path_factory.mktemp("weights") / "resnet18-imagenet.pth"
    torch.save({"state_dict": state, "epoch": 90}, path)
    return path, model.state_dict()


@pytest.mark.parametrize("channels", [1, 3, 5])
def test_resnet_loads_a_local_checkpoint_and_adapts_the_first_conv(imagenet_like_checkpoint, channels):
    path, reference = imagenet_like_checkpoint
    plugin = _plugin("resnet18", weights=str(path), stem="imagenet")
    net = plugin.build((channels, 16, 16), N_CLASSES)
    plugin.load_pretrained(net)
    own = net.body.state_dict()
    assert torch.equal(own["layer4.1.conv2.weight"], reference["layer4.1.conv2.weight"])
    assert torch.equal(own["bn1.running_var"], reference["bn1.running_var"])
    rgb = reference["conv1.weight"]
    conv = own["conv1.weight"]
    if channels == 1:
        assert torch.allclose(conv, rgb.sum(dim=1, keepdim=True))
    else:
        assert torch.equal(conv[:, :3], rgb)
        for extra in range(3, channels):
            assert torch.allclose(conv[:, extra], rgb.mean(dim=1))
    assert net.classifier.out_features == N_CLASSES


def test_resnet_small_stem_keeps_its_own_first_conv(imagenet_like_checkpoint):
    path, reference = imagenet_like_checkpoint
    assert adapt_first_conv(reference["conv1.weight"], torch.zeros(64, 3, 3, 3)) is None
    plugin = _plugin("resnet18", weights=str(path), stem="small")
    torch.manual_seed(0)
    net = plugin.build((3, 8, 8), N_CLASSES)
    conv_before = net.body.conv1.weight.detach().clone()
    plugin.load_pretrained(net)
    assert torch.equal(net.body.conv1.weight, conv_before)
    assert torch.equal(net.body.state_dict()["layer1.0.conv1.weight"], reference["layer1.0.conv1.weight"])


def test_resnet_rejects_a_checkpoint_of_another_architecture(imagenet_like_checkpoint, tmp_path):
    path, _ = imagenet_like_checkpoint
    net = _plugin("resnet34").build((3, 8, 8), N_CLASSES)
    with pytest.raises(ValueError, match=r"resnet18-imagenet\.pth: does not fit ResNet \(missing: layer1\.2"):
        load_resnet_weights(net, path)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match=r"junk\.pth: cannot read weights"):
        load_resnet_weights(net, junk)


def test_missing_weights_file_makes_the_backbone_unavailable(tmp_path):
    missing = tmp_path / "nope.pth"
    reason = _plugin("resnet34", weights=str(missing)).unavailable()
    assert reason == f"weights file {missing} not found (download it, or set weights: null for random init)"
    assert _plugin("resnet34").unavailable() is None
    assert all(_plugin(n).unavailable() is None for n in ("small-cnn", "big-audio-cnn", "qccnn"))
