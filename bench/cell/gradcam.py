"""Grad-CAM (Selvaraju et al., 2017) for a ``CellModel``, implemented with hooks.

For a batch of backbone inputs and a target class per example (default: the predicted one):
run the whole model (backbone -> compression -> head), capture the activations ``A`` of the
backbone's ``cam_layer()`` (a ``(B, K, h, w)`` map: the last conv layer or stage) and the
gradient ``dy_c/dA`` of the target logit, weight each map by its spatially averaged gradient,
sum, ReLU, upsample bilinearly to the input size and scale each heatmap to [0, 1] by its
maximum (an all-zero map stays zero). The gradient flows through the compression and the head,
quantum branches included, so the heatmap explains the cell's prediction, not the backbone's
own classifier. Circuits must run on a simulator that differentiates inputs (``default.qubit``).
Under the frozen protocol the compression clips features outside their training range, and a
clipped feature passes no gradient: an example far outside the training data can get a blank map.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from bench.cell.model import CellModel


def grad_cam(
    model: CellModel, x: torch.Tensor, target: torch.Tensor | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(heatmaps, predictions)``: float ``(B, H, W)`` in [0, 1] and the model's predicted classes.

    ``x`` is a float32 ``(B, C, H, W)`` batch; ``target`` optional ``(B,)`` class indices."""
    captured: dict[str, torch.Tensor] = {}

    def keep(_module, _inputs, output):
        output.retain_grad()
        captured["a"] = output

    handle = model.backbone.cam_layer().register_forward_hook(keep)
    model.eval()
    try:
        with torch.enable_grad():
            model.zero_grad(set_to_none=True)
            logits = model(x.detach().clone().requires_grad_(True))
            predictions = logits.argmax(1)
            chosen = predictions if target is None else target.long()
            logits.gather(1, chosen[:, None]).sum().backward()
    finally:
        handle.remove()
    activations, grads = captured["a"].detach(), captured["a"].grad
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * activations).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=tuple(x.shape[2:]), mode="bilinear", align_corners=False)[:, 0]
    peak = cam.amax(dim=(1, 2), keepdim=True)
    cam = torch.where(peak > 0, cam / peak.clamp_min(1e-12), torch.zeros_like(cam))
    model.zero_grad(set_to_none=True)
    return cam.double().numpy(), predictions.detach().numpy()
