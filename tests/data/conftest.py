"""Fixture layouts of the real datasets, built once per test session (see dataset_layouts.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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
def isolated_from_data_env(no_data_env):
    """Tests never see the developer's own data roots."""
