"""Train a backbone on the training split (selection on validation), then embed every split.

Both run on ``compute``'s device and precision (``bench.cell.device.Compute``; default: the CPU
at fp32, exactly as before devices existed): the net must already be there; inputs stay numpy
on the CPU and move one batch at a time; embeddings come back as float32 numpy.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from bench.backbones.nets.base import BackboneNet
from bench.cell.device import Compute
from bench.cell.loop import LoopPhase, LoopSettings, Validation, fit
from bench.spec.suite import BackboneTraining

CPU = Compute()


def _accuracy(
    net: BackboneNet, x: torch.Tensor, y: torch.Tensor, compute: Compute, batch: int = 256
) -> Validation:
    net.eval()
    with torch.no_grad(), compute.autocast():
        preds = torch.cat(
            [net(compute.to(x[i : i + batch])).argmax(1).cpu() for i in range(0, len(x), batch)]
        )
    return Validation(float((preds == y).float().mean()))


def make_optimizer(params, settings: BackboneTraining) -> torch.optim.Optimizer:
    """The optimizer ``settings`` names (``adam`` or ``sgd`` with momentum) over ``params``."""
    if settings.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=settings.lr, momentum=settings.momentum, weight_decay=settings.weight_decay
        )
    return torch.optim.Adam(params, lr=settings.lr, weight_decay=settings.weight_decay)


def train_backbone(
    net: BackboneNet,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    settings: BackboneTraining,
    seed: int,
    compute: Compute = CPU,
) -> dict:
    """Train ``net`` in place; keep the best-on-validation weights (``bench.cell.loop.fit``, one
    phase, selection on validation accuracy alone). Returns a small history.

    With ``settings.epochs == 0`` the net is left as built (or loaded) and its validation
    accuracy is NaN: its classifier was never trained, so scoring it would mean nothing.
    """
    if settings.epochs == 0:
        net.eval()
        return {"val_accuracy": float("nan"), "best_epoch": 0, "epochs_run": 0}
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val)

    def loss(idx: torch.Tensor) -> torch.Tensor:
        with compute.autocast():
            return F.cross_entropy(net(compute.to(xt[idx])), compute.to(yt[idx]))

    outcome = fit(
        net,
        [LoopPhase("train", settings.epochs)],
        [make_optimizer(net.parameters(), settings)],
        loss,
        len(xt),
        lambda: _accuracy(net, xv, yv, compute),
        LoopSettings(settings.batch_size, settings.patience, settings.epochs, min_batch=2),  # BatchNorm
        torch.Generator().manual_seed(seed),
        scaler=compute.scaler(),
    )
    net.eval()
    return {
        "val_accuracy": outcome.best.accuracy,
        "best_epoch": outcome.best_epoch,
        "epochs_run": outcome.epochs_run,
    }


def embed(net: BackboneNet, x: np.ndarray, batch: int = 256, compute: Compute = CPU) -> np.ndarray:
    """``(N, ...)`` inputs -> ``(N, embedding_dim)`` float32 embeddings (eval mode, no grad)."""
    net.eval()
    with torch.no_grad(), compute.autocast():
        parts = [
            net.embed(compute.to(torch.from_numpy(x[i : i + batch]))).float().cpu()
            for i in range(0, len(x), batch)
        ]
    return torch.cat(parts).numpy() if parts else np.zeros((0, net.embedding_dim), np.float32)
