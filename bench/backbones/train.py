"""Train a backbone on the training split (selection on validation), then embed every split."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F

from bench.backbones.base import BackboneNet
from bench.spec.suite import BackboneTraining


def _accuracy(net: BackboneNet, x: torch.Tensor, y: torch.Tensor, batch: int = 256) -> float:
    net.eval()
    with torch.no_grad():
        preds = torch.cat([net(x[i : i + batch]).argmax(1) for i in range(0, len(x), batch)])
    return float((preds == y).float().mean())


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
) -> dict:
    """Train ``net`` in place; keep the best-on-validation weights. Returns a small history.

    With ``settings.epochs == 0`` the net is left as built (or loaded) and its validation
    accuracy is NaN: its classifier was never trained, so scoring it would mean nothing.
    """
    if settings.epochs == 0:
        net.eval()
        return {"val_accuracy": float("nan"), "best_epoch": 0, "epochs_run": 0}
    gen = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val), torch.from_numpy(y_val)
    opt = make_optimizer(net.parameters(), settings)
    best_acc, best_state, best_epoch, stale, epochs = -1.0, copy.deepcopy(net.state_dict()), 0, 0, 0
    for epoch in range(1, settings.epochs + 1):
        epochs = epoch
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        for start in range(0, len(order), settings.batch_size):
            idx = order[start : start + settings.batch_size]
            if len(idx) < 2:  # BatchNorm needs two examples
                continue
            opt.zero_grad()
            F.cross_entropy(net(xt[idx]), yt[idx]).backward()
            opt.step()
        val_acc = _accuracy(net, xv, yv)
        if val_acc > best_acc:
            best_acc, best_state, best_epoch, stale = val_acc, copy.deepcopy(net.state_dict()), epoch, 0
        else:
            stale += 1
            if stale >= settings.patience:
                break
    net.load_state_dict(best_state)
    net.eval()
    return {"val_accuracy": best_acc, "best_epoch": best_epoch, "epochs_run": epochs}


def embed(net: BackboneNet, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """``(N, ...)`` inputs -> ``(N, embedding_dim)`` float32 embeddings (eval mode, no grad)."""
    net.eval()
    with torch.no_grad():
        parts = [net.embed(torch.from_numpy(x[i : i + batch])) for i in range(0, len(x), batch)]
    return torch.cat(parts).numpy() if parts else np.zeros((0, net.embedding_dim), np.float32)
