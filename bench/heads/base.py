"""Head contract (the shared plugin contract is ``bench.core.plugin``).

A head plugin (``BaseHead``) declares ``uses_circuit`` (whether the layers and backend axes
apply) and implements ``build(n_inputs, n_classes, n_layers, simulator, generator)``, which
returns a ``bench.heads.models.base.HeadModel``: a float64 torch module mapping ``(B, n_qubits)``
compressed inputs (angles) to ``(B, n_classes)`` logits. ``n_layers`` and ``simulator`` are
``None`` for a head without a circuit; all initial weights are drawn from ``generator`` (same
generator state, same model). A circuit runs on ``simulator`` (a ``bench.quantum.base.Backend``),
one batch per call. Every head sees the same inputs, so the classical head is the matched control
of the quantum ones. Circuit heads share ``bench.heads.options.CircuitParams``.

This module and the plugin modules beside it (``classical``, ``quantum``, ``hybrid``, ``matched``)
import no torch: validating a suite, expanding its grid and planning read a head's ``Params`` and
``uses_circuit`` only. ``build`` imports the torch modules of ``bench.heads.models`` when called;
those never import a plugin module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bench.core.plugin import Plugin

if TYPE_CHECKING:
    import torch

    from bench.heads.models.base import HeadModel
    from bench.quantum.base import Backend


class BaseHead(Plugin):
    """A head plugin. ``uses_circuit`` tells the grid whether layers/backend axes apply."""

    uses_circuit: ClassVar[bool] = False

    def build(
        self,
        n_inputs: int,
        n_classes: int,
        n_layers: int | None,
        simulator: Backend | None,
        generator: torch.Generator,
    ) -> HeadModel:
        raise NotImplementedError
