"""Backbone contract (the shared plugin contract is ``bench.core.plugin``).

``BaseBackbone.build(input_shape, n_classes)`` returns a ``BackboneNet``
(``bench.backbones.nets.base``): a float32 module with
``embed(x) -> (B, embedding_dim)`` and ``forward(x) -> (B, n_classes)`` logits (a linear
classifier on the embedding, used only to train the backbone). ``input_shape`` is one example's
``(C, H, W)``; the first convolution takes ``C`` channels, so widened inputs (e.g. RGB plus
quantum feature-map channels) need nothing special. ``build`` gives a fresh, architecture-only
network (the caller seeds torch beforehand) and never reads a file.

Hooks with defaults:

* ``BaseBackbone.load_pretrained(net)`` - load weights the user supplied (e.g. a local ImageNet
  checkpoint) into a freshly built net; default: nothing to load.
* ``BaseBackbone.unavailable()`` - ``None`` if the backbone can be built here, else a one-line
  reason (a missing weights file); planning records such cells as skipped.
* ``BackboneNet.cam_layer()`` - the module whose output activations Grad-CAM explains; default:
  the last ``nn.Conv2d``.

``test_input_shape`` is the tiny input the conformance tests feed every registered backbone.
Backbones are trained by ``bench.backbones.train`` (the shared loop ``bench.cell.loop.fit``);
networks with BatchNorm are never fed a batch of one.

This module and the plugin modules beside it import no torch (validating and planning a suite read
a backbone's ``Params`` and ``unavailable()`` only); ``build`` imports the torch networks of
``bench.backbones.nets`` when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bench.core.plugin import Plugin

if TYPE_CHECKING:
    from bench.backbones.nets.base import BackboneNet


class BaseBackbone(Plugin):
    test_input_shape: ClassVar[tuple[int, int, int]] = (1, 16, 16)
    """One tiny example's ``(C, H, W)`` for the conformance tests."""

    def build(self, input_shape: tuple[int, ...], n_classes: int) -> BackboneNet:
        """Build a freshly initialised network (the caller seeds torch beforehand)."""
        raise NotImplementedError

    def load_pretrained(self, net: BackboneNet) -> None:
        """Load user-supplied weights into ``net`` built by ``build``; default: none."""
