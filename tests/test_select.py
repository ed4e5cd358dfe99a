"""``--only``: glob, substring and regex patterns on cell keys; controls follow their treatment."""

from __future__ import annotations

import pytest

from bench.core.errors import UserError
from bench.plan.grid import expand
from bench.plan.select import select_cells
from bench.spec.loader import load_suite
from tests.conftest import write_suite


@pytest.fixture
def cells(tmp_path):
    suite = {"heads": ["classical", "quantum"], "seeds": [0, 1], "controls": True, "qubits": [2]}
    return expand(load_suite(write_suite(tmp_path, suite)))


def _readable(cells):
    return [c.key.split("#")[0] for c in cells]


def test_glob_substring_and_regex_select_cells_and_controls_follow(cells):
    treatments = [c for c in cells if c.control is None and c.head.label == "quantum" and c.seed == 1]
    chosen = select_cells(cells, ["*/quantum/*/s1"])
    assert [c for c in chosen if c.control is None] == treatments
    controls = [c for c in chosen if c.control]
    assert controls and all(c.treatment == "quantum" and c.seed == 1 for c in controls)
    assert select_cells(cells, ["*/quantum/*/s1"], controls=False) == treatments
    assert _readable(select_cells(cells, ["classical"])) == [
        "urban-synth/classical/q2/l-/-/s0",
        "urban-synth/classical/q2/l-/-/s1",
    ]
    by_regex = select_cells(cells, [r"re:lightning\.qubit/s[01]$"], controls=False)
    assert {c.backend for c in by_regex} == {"lightning.qubit"} and len(by_regex) == 2
    both = select_cells(cells, ["classical", "re:/s1$"], controls=False)  # repeatable: any matches
    assert {(c.head.label, c.seed) for c in both} >= {("classical", 0), ("quantum", 1)}
    assert select_cells(cells, []) == cells
    assert [c.key for c in select_cells(cells, ["/s0"])] == [
        c.key for c in cells if c.seed == 0
    ]  # grid order


def test_a_pattern_matching_nothing_or_a_bad_regex_is_one_clear_error(cells):
    with pytest.raises(UserError, match=r"--only: 'quantom' matches no cell \(keys look like: urban-synth/"):
        select_cells(cells, ["quantum", "quantom"])
    with pytest.raises(UserError, match=r"--only: 're:\(' is not a valid regular expression"):
        select_cells(cells, ["re:("])
