"""The ``folds`` / ``cv`` keys of dataset entries (``bench.spec.folds``): accepted forms, and
one-line errors naming file, line, key and the allowed values."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.spec.folds import fold_axis
from bench.spec.loader import load_suite
from tests.conftest import write_suite

US8K = {"name": "urbansound8k", "params": {"root": "/nowhere"}}
CREMA = {"name": "crema-d", "params": {"root": "/nowhere"}}


def _load(tmp_path, entry: dict):
    return load_suite(write_suite(tmp_path, {"datasets": [entry]}))


def test_folds_all_expands_to_every_official_fold(tmp_path):
    entry = _load(tmp_path, {**US8K, "folds": "all"}).datasets[0]
    assert entry.folds == list(range(1, 11))
    axis = fold_axis(entry)
    assert [f.number for f in axis] == list(range(1, 11)) and {f.folding.count for f in axis} == {10}
    esc = _load(tmp_path, {"name": "esc50", "folds": [2, 5]}).datasets[0]
    assert [(f.number, f.val) for f in fold_axis(esc)] == [(2, 1), (5, 4)]


def test_cv_gives_k_generated_folds(tmp_path):
    entry = _load(tmp_path, {**CREMA, "cv": 4}).datasets[0]
    assert [(f.folding.kind, f.number, f.val) for f in fold_axis(entry)] == [
        ("cv", 1, 4),
        ("cv", 2, 1),
        ("cv", 3, 2),
        ("cv", 4, 3),
    ]


def test_an_entry_without_folds_keeps_its_plain_data(tmp_path):
    suite = _load(tmp_path, US8K)
    assert fold_axis(suite.datasets[0]) == [None]
    assert "folds" not in suite.datasets[0].model_dump() and "cv" not in suite.model_dump()["datasets"][0]


@pytest.mark.parametrize(
    ("entry", "key", "message"),
    [
        ({**CREMA, "folds": [1, 2]}, "datasets[0].folds", "'crema-d' has no official folds (datasets with"),
        ({**US8K, "folds": [0, 3]}, "datasets[0].folds", "fold 0 does not exist (allowed: all or numbers"),
        ({"name": "esc50", "folds": [6]}, "datasets[0].folds", "allowed: all or numbers from 1 to 5"),
        ({**US8K, "folds": "some"}, "datasets[0].folds", "expected all or a non-empty list of fold numbers"),
        ({**US8K, "folds": [1, 1]}, "datasets[0].folds", "duplicate values in [1, 1]"),
        ({**CREMA, "cv": 2}, "datasets[0].cv", "expected a number of folds >= 3"),
        ({**CREMA, "cv": 1.5}, "datasets[0].cv", "expected a number of folds >= 3"),
        ({**US8K, "cv": 5}, "datasets[0].cv", "'urbansound8k' has 10 official folds: use folds: all"),
        ({**US8K, "folds": "all", "cv": 3}, "datasets[0].cv", "give folds (the dataset's official folds) or"),
        (
            {"name": "urbansound8k", "params": {"test_fold": 3}, "folds": "all"},
            "datasets[0].params.test_fold",
            "not used with folds",
        ),
        (
            {"name": "crema-d", "params": {"test_fraction": 0.2}, "cv": 3},
            "datasets[0].params.test_fraction",
            "not used with cv",
        ),
    ],
)
def test_bad_fold_values_are_one_line_errors(tmp_path, entry, key, message):
    with pytest.raises(UserError) as err:
        _load(tmp_path, entry)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{tmp_path / 'suite.yaml'}:")
    assert f": {key}: " in text and message in text


def test_a_bad_fold_value_exits_non_zero_from_the_cli(tmp_path, capsys):
    from bench.cli.parser import main

    path = write_suite(tmp_path, {"datasets": [{**CREMA, "cv": 2}]})
    assert main(["plan", str(path), "--reports-dir", str(tmp_path / "r")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "datasets[0].cv: expected a number of folds >= 3" in err[0]
