"""Head training: seeded mini-batch Adam, model selection and early stopping on validation only.

The test split never enters this module. The returned state is the epoch with the best
validation accuracy (ties: lower validation loss); training stops after ``patience`` epochs
without improvement within a phase.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from bench.heads.base import HeadModel
from bench.spec.suite import TrainingSpec

EpochCallback = Callable[[int, int], None]
"""``on_epoch(epoch_done, epochs_max)``, called after every epoch (progress bars)."""


@dataclass
class TrainOutcome:
    """What training produced; ``state`` is the selected (best-on-validation) state dict."""

    state: dict
    best_epoch: int
    epochs_run: int
    history: list[dict] = field(default_factory=list)


def _evaluate(model: HeadModel, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    with torch.no_grad():
        logits = model(x)
    return float((logits.argmax(1) == y).float().mean()), float(F.cross_entropy(logits, y))


def train_head(
    model: HeadModel,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
    settings: TrainingSpec,
    seed: int,
    on_epoch: EpochCallback | None = None,
) -> TrainOutcome:
    """Train ``model`` in place through its phases; load and return the best validation state."""
    shuffle = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    best = (-1.0, float("inf"))
    best_state, best_epoch, epoch = copy.deepcopy(model.state_dict()), 0, 0
    history: list[dict] = []
    for phase in model.phases(settings.epochs):
        frozen = {id(p) for p in model.frozen_parameters(phase)}
        for p in model.parameters():
            p.requires_grad_(id(p) not in frozen)
        stale = 0
        for _ in range(phase.epochs):
            epoch += 1
            model.train()
            order = torch.randperm(len(x_train), generator=shuffle)
            losses = []
            for start in range(0, len(order), settings.batch_size):
                batch = order[start : start + settings.batch_size]
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            model.eval()
            val_acc, val_loss = _evaluate(model, x_val, y_val)
            history.append(
                {
                    "epoch": epoch,
                    "phase": phase.name,
                    "train_loss": sum(losses) / len(losses),
                    "val_accuracy": val_acc,
                    "val_loss": val_loss,
                    **model.epoch_log(),
                }
            )
            if on_epoch:
                on_epoch(epoch, settings.epochs)
            if (val_acc, -val_loss) > (best[0], -best[1]):
                best, best_state, best_epoch, stale = (
                    (val_acc, val_loss),
                    copy.deepcopy(model.state_dict()),
                    epoch,
                    0,
                )
            else:
                stale += 1
                if stale >= settings.patience:
                    break
    for p in model.parameters():
        p.requires_grad_(True)
    model.load_state_dict(best_state)
    return TrainOutcome(state=best_state, best_epoch=best_epoch, epochs_run=epoch, history=history)
