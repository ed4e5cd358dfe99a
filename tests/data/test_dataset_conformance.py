"""Every registered dataset, through the same checks (its ``test_params`` plus a fixture root
when it reads local files): the RawData contract, determinism, labels that match the files,
and a one-line error naming the expected layout when its root is missing."""

from __future__ import annotations

import numpy as np
import pytest

from bench.core.registry import DATASETS, FEATURES
from bench.data.base import SPLITS, BaseDataset
from bench.data.local import ROOT_ENV, DatasetUnavailable, LocalDataset, env_var
from tests.data.dataset_layouts import BUILDERS, assert_labels_match_files

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


@pytest.mark.parametrize("name", ALL)
def test_declares_documented_params_and_a_modality(name):
    cls = DATASETS.get(name)
    assert cls.name == name
    assert cls.modality in ("audio", "image")
    assert any(FEATURES.get(f).modality == cls.modality for f in FEATURES.names())
    assert (cls.__doc__ or "").strip()
    cls.Params(**cls.test_params)
    for field, info in cls.Params.model_fields.items():
        assert info.description, f"{name}.{field} has no description"


@pytest.mark.parametrize("name", ALL)
def test_load_satisfies_the_rawdata_contract(name, layout):
    plugin = _plugin(name, layout)
    assert plugin.unavailable() is None
    data = plugin.load()
    n = len(data.x)
    assert n > 0 and data.x.dtype == np.float32 and np.isfinite(data.x).all()
    assert data.modality == DATASETS.get(name).modality
    if data.modality == "audio":
        assert data.x.ndim == 2 and data.sample_rate > 0
        assert data.x.shape[1] == round(plugin.params.seconds * data.sample_rate)
    else:
        assert data.x.ndim == 4 and data.x.shape[1] in (1, 3)
        assert data.x.min() >= 0 and data.x.max() <= 1
    assert data.labels.shape == (n,) and data.labels.dtype == np.int64
    assert len(set(data.class_names)) == data.n_classes >= 2
    assert set(np.unique(data.labels)) == set(range(data.n_classes))  # every class present
    assert data.split.shape == (n,) and set(data.split) == set(SPLITS)  # every split non-empty
    assert len(data.item_ids) == n == len(set(data.item_ids))
    if getattr(plugin.params, "classes", None):
        assert list(data.class_names) == plugin.params.classes


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
