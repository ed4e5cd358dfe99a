"""Grad-CAM equals the closed form on a network where it has one, and flows through circuits."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from bench.backbones.nets.base import BackboneNet
from bench.cell.gradcam import grad_cam
from bench.cell.model import CellModel, FixedCompression
from bench.heads.models.classical import ClassicalModel
from bench.heads.models.quantum import QuantumModel
from bench.quantum.pennylane.simulators import DEFAULT_QUBIT

K, N_CLASSES = 2, 3


class ConvGap(BackboneNet):
    """conv -> global average pool: the CAM network of Zhou et al., where Grad-CAM has a closed form.

    Channel 0 copies the image, channel 1 is ``1 - image``."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, K, 3, padding=1)
        with torch.no_grad():
            self.conv.weight.zero_()
            self.conv.weight[0, 0, 1, 1], self.conv.weight[1, 0, 1, 1] = 1.0, -1.0
            self.conv.bias.copy_(torch.tensor([0.0, 1.0]))
        self.embedding_dim = K
        self.classifier = nn.Linear(K, N_CLASSES)

    def embed(self, x):
        return self.conv(x).mean(dim=(2, 3))


def _model(head) -> CellModel:
    span = np.full(K, 4.0)  # embeddings in [0, 1] stay inside the clip range [-2, 2]
    compression = FixedCompression(np.zeros(K), np.ones(K), np.eye(K), -span / 2, span / 2, (0.0, 1.0))
    return CellModel(ConvGap(), compression, head)


def _classical() -> ClassicalModel:
    head = ClassicalModel(K, N_CLASSES, torch.Generator().manual_seed(1))
    with torch.no_grad():  # class 0 <- bright pixels, class 1 <- dark pixels, class 2 <- neither
        head.linear.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))
        head.linear.bias.zero_()
    return head


def _normalised(maps: np.ndarray) -> np.ndarray:
    peak = maps.max(axis=(1, 2), keepdims=True)
    return np.where(peak > 0, maps / np.where(peak > 0, peak, 1), 0.0)


def test_matches_the_closed_form_on_a_conv_gap_network():
    # logit_c = sum_k W_ck (mean(A_k) + 2) / 4, so the map for class c is relu(sum_k W_ck A_k), normalised
    model = _model(_classical())
    x = torch.rand(4, 1, 6, 6, generator=torch.Generator().manual_seed(2))
    image = x[:, 0].double().numpy()
    expected = {0: _normalised(image), 1: _normalised(1 - image), 2: np.zeros_like(image)}
    for target, want in expected.items():
        cams, _ = grad_cam(model, x, torch.full((4,), target))
        np.testing.assert_allclose(cams, want, atol=1e-6)  # same size: upsampling is the identity
    cams, preds = grad_cam(model, x)  # default target: the prediction
    with torch.no_grad():
        assert np.array_equal(preds, model(x).argmax(1).numpy())
    np.testing.assert_allclose(cams, np.stack([expected[p][i] for i, p in enumerate(preds)]), atol=1e-6)


def test_heatmap_is_upsampled_to_the_input_size():
    model = _model(_classical())
    model.backbone.conv.stride = (2, 2)
    cams, _ = grad_cam(model, torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(5)))
    assert cams.shape == (2, 8, 8)


def test_through_a_quantum_head_it_equals_the_closed_form_with_the_heads_gradient():
    # for conv -> GAP, dlogit/dA_k(ij) = (dlogit/de_k) / (h w) whatever follows the embedding e
    model = _model(QuantumModel(K, 1, N_CLASSES, DEFAULT_QUBIT, torch.Generator().manual_seed(3)))
    x = torch.rand(3, 1, 6, 6, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        maps = model.backbone.conv(x).double()
    for target in range(N_CLASSES):
        emb = model.backbone.embed(x).detach().requires_grad_(True)
        model.head(model.compression(emb))[:, target].sum().backward()
        g = emb.grad.double()
        assert g.abs().max() > 1e-4  # the circuit passes a gradient back to the backbone
        expected = _normalised(torch.relu((g[:, :, None, None] * maps).sum(1)).numpy())
        cams, _ = grad_cam(model, x, torch.full((3,), target))
        np.testing.assert_allclose(cams, expected, atol=1e-6)
    assert all(p.grad is None for p in model.backbone.parameters())  # grad_cam leaves nothing behind
