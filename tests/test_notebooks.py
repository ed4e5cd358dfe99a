"""``docs/notebooks/quickstart.ipynb`` runs top to bottom on this checkout (nbclient, a fresh kernel).

Any cell error fails the test. The run time is printed (``pytest -s``) and kept in
``tests/test_notebooks.py::test_the_quickstart_notebook_runs``'s report section.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"


def test_the_quickstart_notebook_runs(tmp_path, monkeypatch, record_property):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("QHEAD_EXECUTOR", "sequential")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - started
    record_property("notebook_seconds", round(seconds, 1))
    print(f"quickstart notebook: {seconds:.1f} s")
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("ok of" in o.get("text", "") for o in outputs)
