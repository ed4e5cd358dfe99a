"""The one training loop: epochs in phases, seeded mini-batches, early stopping on validation.

Head training (``bench.cell.training``), joint finetuning (``bench.cell.finetune``) and backbone
training (``bench.backbones.train``) all run ``fit``; they differ only in what they pass. This
module imports nothing from ``bench`` so that plugin packages may use it too.

Contract of ``fit``:

* phases run in order; a phase with ``frozen`` set trains every parameter of ``model`` except
  those (``requires_grad``), and after the loop every parameter is trainable again; a phase
  whose ``frozen`` is ``None`` leaves ``requires_grad`` alone;
* each epoch: ``model.train()``, one ``torch.randperm`` of the training indices from
  ``shuffle``, then per batch of ``batch_size`` indices (batches smaller than ``min_batch``
  are skipped): every optimizer's ``zero_grad``, ``loss(batch).backward()``, every
  optimizer's ``step``; then ``model.eval()`` and ``validate()``;
* with a ``scaler`` (``torch.amp.GradScaler``, fp16 mixed precision) the loss is scaled before
  ``backward``, each optimizer steps through ``scaler.step`` and ``scaler.update`` follows;
* an epoch is better than the best so far when ``(accuracy, -loss)`` is larger (ties: lower
  validation loss; without a loss, accuracy alone); early stopping ends a phase after
  ``patience`` epochs in a row without improvement;
* after every epoch ``row(...)`` (if given) adds a history row and ``on_epoch(epoch,
  epochs_total)`` (if given) is called;
* at the end the best state (the initial one if no epoch beat ``UNTRAINED``) is loaded into
  ``model``.

The test split never enters: ``validate`` sees validation data only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import torch

EpochCallback = Callable[[int, int], None]
"""``on_epoch(epoch_done, epochs_max)``, called after every epoch (progress bars)."""


@dataclass(frozen=True)
class LoopPhase:
    """``epochs`` epochs named ``name``; ``frozen`` parameters (``None``: leave gradients alone)."""

    name: str
    epochs: int
    frozen: Sequence[torch.nn.Parameter] | None = None


@dataclass(frozen=True)
class Validation:
    """Validation accuracy and, when the caller scores it, validation loss."""

    accuracy: float
    loss: float | None = None

    def rank(self) -> tuple[float, ...]:
        """Larger is better: accuracy, then lower loss."""
        return (self.accuracy,) if self.loss is None else (self.accuracy, -self.loss)


UNTRAINED = Validation(-1.0, float("inf"))
"""The score every real epoch beats (a NaN accuracy, from an empty validation split, never does)."""


@dataclass(frozen=True)
class EpochResult:
    """What one epoch produced, for the caller's history row."""

    epoch: int
    phase: str
    losses: list[float]
    validation: Validation


@dataclass(frozen=True)
class LoopSettings:
    """Batch size, early-stopping patience, the epoch total reported to ``on_epoch``, the
    smallest batch that is trained on (2 for nets with BatchNorm)."""

    batch_size: int
    patience: int
    epochs_total: int
    min_batch: int = 1


@dataclass
class LoopOutcome:
    """The selected (best-on-validation) state and how it was reached."""

    state: dict
    best_epoch: int
    epochs_run: int
    best: Validation
    history: list[dict] = field(default_factory=list)


def _set_trainable(model: torch.nn.Module, frozen: Sequence[torch.nn.Parameter]) -> None:
    ids = {id(p) for p in frozen}
    for p in model.parameters():
        p.requires_grad_(id(p) not in ids)


def _train_epoch(
    optimizers: Sequence[torch.optim.Optimizer],
    loss: Callable[[torch.Tensor], torch.Tensor],
    n_train: int,
    shuffle: torch.Generator,
    settings: LoopSettings,
    scaler: torch.amp.GradScaler | None = None,
) -> list[float]:
    order, losses = torch.randperm(n_train, generator=shuffle), []
    for start in range(0, len(order), settings.batch_size):
        batch = order[start : start + settings.batch_size]
        if len(batch) < settings.min_batch:
            continue
        for opt in optimizers:
            opt.zero_grad()
        value = loss(batch)
        if scaler is None:
            value.backward()
            for opt in optimizers:
                opt.step()
        else:
            scaler.scale(value).backward()
            for opt in optimizers:
                scaler.step(opt)
            scaler.update()
        losses.append(value.item())
    return losses


def fit(
    model: torch.nn.Module,
    phases: Iterable[LoopPhase],
    optimizers: Sequence[torch.optim.Optimizer],
    loss: Callable[[torch.Tensor], torch.Tensor],
    n_train: int,
    validate: Callable[[], Validation],
    settings: LoopSettings,
    shuffle: torch.Generator,
    row: Callable[[EpochResult], dict] | None = None,
    on_epoch: EpochCallback | None = None,
    scaler: torch.amp.GradScaler | None = None,
) -> LoopOutcome:
    """Train ``model`` in place (see the module docstring); ``loss(batch)`` is the training loss
    on a tensor of training indices (on the CPU; the caller moves a batch to its device). Loads and
    returns the best validation state."""
    best = UNTRAINED
    best_state, best_epoch, epoch, history = copy.deepcopy(model.state_dict()), 0, 0, []
    managed = False
    for phase in phases:
        if phase.frozen is not None:
            managed = True
            _set_trainable(model, phase.frozen)
        stale = 0
        for _ in range(phase.epochs):
            epoch += 1
            model.train()
            losses = _train_epoch(optimizers, loss, n_train, shuffle, settings, scaler)
            model.eval()
            result = validate()
            if row is not None:
                history.append(row(EpochResult(epoch, phase.name, losses, result)))
            if on_epoch:
                on_epoch(epoch, settings.epochs_total)
            if result.rank() > best.rank():
                best, best_state, best_epoch, stale = result, copy.deepcopy(model.state_dict()), epoch, 0
            else:
                stale += 1
                if stale >= settings.patience:
                    break
    if managed:
        for p in model.parameters():
            p.requires_grad_(True)
    model.load_state_dict(best_state)
    return LoopOutcome(state=best_state, best_epoch=best_epoch, epochs_run=epoch, best=best, history=history)
