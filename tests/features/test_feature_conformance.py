"""Every registered feature, through the same checks on an embedded dataset of its modality."""

from __future__ import annotations

import numpy as np
import pytest

from bench.core.registry import DATASETS, FEATURES

EMBEDDED = {"audio": "urban-synth", "image": "digits"}  # datasets that need no files


@pytest.fixture(scope="module")
def raw():
    loaded = {}

    def get(modality: str):
        if modality not in loaded:
            cls = DATASETS.get(EMBEDDED[modality])
            loaded[modality] = cls.from_dict(cls.test_params).load()
        return loaded[modality]

    return get


@pytest.mark.parametrize("name", FEATURES.names())
def test_transform_contract(name, raw):
    cls = FEATURES.get(name)
    assert cls.name == name and cls.modality in EMBEDDED
    for field, info in cls.Params.model_fields.items():
        assert info.description, f"{name}.{field} has no description"
    data = raw(cls.modality)
    out = cls.from_dict(cls.test_params).transform(data)
    assert out.dtype == np.float32 and out.ndim == 4 and len(out) == len(data.x)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, cls.from_dict(cls.test_params).transform(data))


@pytest.mark.parametrize("name", FEATURES.names())
def test_rejects_the_other_modality(name, raw):
    cls = FEATURES.get(name)
    other = next(m for m in EMBEDDED if m != cls.modality)
    with pytest.raises(ValueError, match="modality"):
        cls.from_dict(cls.test_params).transform(raw(other))
