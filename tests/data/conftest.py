"""Fixture layouts of the real datasets, built once per test session (see dataset_layouts.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.core.registry import DATASETS
from bench.data.local import ROOT_ENV, env_var
from tests.data.dataset_layouts import BUILDERS, Layout


@pytest.fixture(scope="session")
def layout(tmp_path_factory) -> Callable[[str], Layout]:
    """``layout(name)``: the fixture copy of dataset ``name`` (built on first use, then shared;
    tests must not modify it - build a private copy with ``BUILDERS[name](tmp_path)`` instead)."""
    built: dict[str, Layout] = {}

    def get(name: str) -> Layout:
        if name not in built:
            built[name] = BUILDERS[name](tmp_path_factory.mktemp(name.replace("-", "_")))
        return built[name]

    return get


@pytest.fixture(autouse=True)
def no_data_env(monkeypatch):
    """Tests never see the developer's own data roots."""
    monkeypatch.delenv(ROOT_ENV, raising=False)
    for name in DATASETS.names():
        monkeypatch.delenv(env_var(name), raising=False)
