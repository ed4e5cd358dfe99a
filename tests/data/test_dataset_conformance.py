"""Dataset-specific conformance (the shared rules are in tests/test_plugin_conformance.py): file
datasets on fixture layouts satisfy the RawData contract, every dataset loads deterministically,
labels match the files, and a missing root is a one-line error naming the expected layout."""

from __future__ import annotations

import numpy as np
import pytest

from bench.core.registry import DATASETS
from bench.data.base import BaseDataset
from bench.data.local import ROOT_ENV, DatasetUnavailable, LocalDataset, env_var
from tests.data.dataset_layouts import BUILDERS, assert_labels_match_files, assert_rawdata_contract

ALL = DATASETS.names()


def _plugin(name: str, layout) -> BaseDataset:
    cls = DATASETS.get(name)
    params = dict(cls.test_params)
    if name in BUILDERS:
        params["root"] = str(layout(name).root)
    return cls.from_dict(params)


def test_every_file_dataset_has_a_fixture_layout():
    local = [n for n in ALL if issubclass(DATASETS.get(n), LocalDataset)]
    assert sorted(local) == sorted(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_load_satisfies_the_rawdata_contract(name, layout):
    """File datasets on their fixture layouts (tests/test_plugin_conformance.py runs the embedded
    ones, and skips these without a data root)."""
    plugin = _plugin(name, layout)
    assert plugin.unavailable() is None
    assert_rawdata_contract(plugin, plugin.load())


@pytest.mark.parametrize("name", ALL)
def test_load_is_deterministic(name, layout):
    first, second = _plugin(name, layout).load(), _plugin(name, layout).load()
    np.testing.assert_array_equal(first.x, second.x)
    np.testing.assert_array_equal(first.labels, second.labels)
    np.testing.assert_array_equal(first.split, second.split)
    assert first.item_ids == second.item_ids and first.skipped == second.skipped


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_item_carries_the_label_of_its_file(name, layout):
    assert_labels_match_files(_plugin(name, layout).load(), layout(name))


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_missing_root_is_one_line_naming_the_layout(name, tmp_path, monkeypatch):
    cls = DATASETS.get(name)
    unset = cls.from_dict({**cls.test_params, "root": None})
    reason = unset.unavailable()
    assert reason and "\n" not in reason
    assert env_var(name) in reason and ROOT_ENV in reason and cls.layout in reason
    absent = cls.from_dict({**cls.test_params, "root": str(tmp_path / "nowhere")})
    with pytest.raises(DatasetUnavailable) as err:
        absent.load()
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{name}: ") and "nowhere" in message
    assert f"expected layout: {cls.layout}" in message
    empty = tmp_path / "empty"
    empty.mkdir()
    if absent.required_paths() != (".",):  # a root without the layout's files names the first missing one
        assert "not found" in cls.from_dict({**cls.test_params, "root": str(empty)}).unavailable()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_root_from_environment(name, layout, monkeypatch):
    cls = DATASETS.get(name)
    root = layout(name).root
    monkeypatch.setenv(env_var(name), str(root))
    assert cls.from_dict(cls.test_params).root() == root
    assert cls.from_dict(cls.test_params).unavailable() is None
    monkeypatch.delenv(env_var(name))
    monkeypatch.setenv(ROOT_ENV, str(root.parent))
    assert cls.from_dict(cls.test_params).root() == root.parent / name
    monkeypatch.setenv(env_var(name), str(root))
    assert cls.from_dict({**cls.test_params, "root": "/elsewhere"}).root().as_posix() == "/elsewhere"


@pytest.mark.parametrize("name", [n for n in ALL if n not in BUILDERS])
def test_embedded_datasets_are_always_available(name):
    plugin = DATASETS.get(name).from_dict(DATASETS.get(name).test_params)
    assert plugin.unavailable() is None and plugin.fingerprint() == ""
