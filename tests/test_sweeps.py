"""Head entries with grid (options as axes) and select (options tuned on validation)."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.plan.grid import expand
from bench.spec.loader import load_suite
from tests.conftest import write_suite


def _suite(tmp_path, heads):
    return load_suite(write_suite(tmp_path, {"heads": heads}))


def test_grid_expands_into_labelled_head_entries(tmp_path):
    heads = [
        "classical",
        {
            "name": "quantum",
            "grid": {"ansatz": ["strongly-entangling", "zz-realamplitudes"], "input_scale": [0.5, 1]},
        },
        {"name": "hybrid-fixed", "grid": {"beta": [0.25, 1.0]}},
        "hybrid-gated",
    ]
    suite = _suite(tmp_path, heads)
    labels = [h.label for h in suite.heads]
    assert labels == [
        "classical",
        "quantum+strongly-entangling+input_scale0.5",
        "quantum+strongly-entangling+input_scale1",
        "quantum+zz-realamplitudes+input_scale0.5",
        "quantum+zz-realamplitudes+input_scale1",
        "hybrid-fixed+beta0.25",
        "hybrid-fixed+beta1.0",
        "hybrid-gated",
    ]
    assert (
        suite.heads[3].params["ansatz"] == "zz-realamplitudes" and suite.heads[3].params["input_scale"] == 0.5
    )
    assert all(h.grid == {} for h in suite.heads)
    assert len({c.key for c in expand(suite)}) == len(expand(suite))


def test_fusion_mode_and_angle_scaling_are_usable_as_axes(tmp_path):
    heads = [{"name": "hybrid-fixed", "grid": {"input_scale": [0.5, 2.0]}}, "hybrid-gated"]
    keys = [c.key.split("#")[0] for c in expand(_suite(tmp_path, heads))]
    assert keys == [
        "urban-synth/hybrid-fixed+input_scale0.5/q2/l1/default.qubit/s0",
        "urban-synth/hybrid-fixed+input_scale0.5/q2/l1/lightning.qubit/s0",
        "urban-synth/hybrid-fixed+input_scale2.0/q2/l1/default.qubit/s0",
        "urban-synth/hybrid-fixed+input_scale2.0/q2/l1/lightning.qubit/s0",
        "urban-synth/hybrid-gated/q2/l1/default.qubit/s0",
        "urban-synth/hybrid-gated/q2/l1/lightning.qubit/s0",
    ]


def test_select_is_validated_normalised_and_in_the_cell_spec(tmp_path):
    suite = _suite(tmp_path, [{"name": "hybrid-fixed", "select": {"beta": [0, 1]}}, "classical"])
    assert suite.heads[0].select == {"beta": [0.0, 1.0]}
    cells = expand(suite)
    assert cells[0].spec["head"]["select"] == {"beta": [0.0, 1.0]}
    assert "select" not in cells[-1].spec["head"] and "grid" not in cells[-1].spec["head"]


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (
            {"name": "quantum", "grid": {"ansatz": ["strongly", "reuploading"]}},
            "heads[0].grid.ansatz: Input should be 'strongly-entangling', 'basic-entangler', "
            "'zz-realamplitudes' or 'reuploading'",
        ),
        (
            {"name": "quantum", "grid": {"beta": [0.5]}},
            "heads[0].grid.beta: unknown option (allowed: ansatz, ",
        ),
        ({"name": "hybrid-fixed", "select": {"beta": []}}, "heads[0].select.beta: needs at least one value"),
        (
            {"name": "hybrid-fixed", "grid": {"beta": [1.0]}, "select": {"beta": [0.5]}},
            "heads[0].select.beta: an option cannot be both in grid and in select",
        ),
        (
            {"name": "quantum", "select": {"input_scale": [0.5, -1]}},
            "heads[0].select.input_scale: Input should be greater",
        ),
    ],
)
def test_bad_sweeps_fail_with_the_key_path(tmp_path, head, message):
    with pytest.raises(UserError) as info:
        _suite(tmp_path, [head])
    assert message in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "suite.yaml") + ":")
