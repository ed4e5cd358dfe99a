"""Seed derivation: every random source is seeded from the cell, never from the clock.

``derive_seed(seed, "head", "quantum", 8)`` hashes its parts, so each purpose gets an
independent, stable 31-bit stream and adding a new purpose never shifts an existing one.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def derive_seed(*parts: object) -> int:
    """A stable seed in ``[0, 2**31)`` from any printable parts."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch global generators (torch imported lazily)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
