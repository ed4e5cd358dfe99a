"""Adding a head touches two files: its plugin module and one registry line.

The plugin module below stands for ``bench/heads/<name>.py``: it imports no torch at module level
(planning stays torch-free) and builds its network inside ``build``; ``HEADS.register`` stands for
the one line in ``bench/core/registry.py``. The suite then runs end to end with nothing else told.
"""

from __future__ import annotations

import sys

from bench.cli.parser import main
from bench.core.registry import HEADS
from bench.results.store import ResultsStore
from tests.conftest import write_suite

PLUGIN = '''
from bench.heads.base import BaseHead


class TwoLayerHead(BaseHead):
    """A small MLP on the compressed input (no circuit)."""

    name = "two-layer"
    uses_circuit = False

    def build(self, n_inputs, n_classes, n_layers, simulator, generator):
        from torch import nn

        from bench.heads.models.base import HeadModel, linear

        class TwoLayer(HeadModel):
            def __init__(self):
                super().__init__()
                self.hidden = linear(n_inputs, 4, generator)
                self.out = linear(4, n_classes, generator)

            def forward(self, x):
                return self.out(nn.functional.relu(self.hidden(x)))

        return TwoLayer()
'''


def test_a_head_in_one_module_plus_a_registry_line_runs_end_to_end(tmp_path, monkeypatch):
    (tmp_path / "two_layer_head.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    HEADS.register("two-layer", "two_layer_head:TwoLayerHead")
    try:
        suite = write_suite(tmp_path, {"heads": ["classical", "two-layer"], "backends": ["default.qubit"]})
        dirs = ["--reports-dir", str(tmp_path / "reports"), "--cache-dir", str(tmp_path / "cache")]
        assert main(["run", str(suite), "--executor", "sequential", "--no-report", *dirs]) == 0
        store = ResultsStore(tmp_path / "reports" / "tiny" / "results.sqlite")
        try:
            records = {r.head: r for r in store.get()}
        finally:
            store.close()
        assert records["two-layer"].status == "ok"
        assert records["two-layer"].n_params_classical == 2 * 4 + 4 + 4 * 3 + 3
    finally:
        HEADS.unregister("two-layer")
        sys.modules.pop("two_layer_head", None)
