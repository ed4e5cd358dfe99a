"""The torch modules of the heads (``HeadModel`` and its subclasses); the plugins of ``bench.heads``
import them when they build a model."""
