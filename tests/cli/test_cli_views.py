"""``bench.cli.views.RunView``: a run's events rendered as the lines ``bench run`` prints on stderr."""

from __future__ import annotations

import io

from rich.console import Console

from bench.cli.views import RunView
from bench.run import events


def rendered(sequence) -> str:
    out = io.StringIO()
    with RunView(Console(file=out, width=120)) as view:
        for event in sequence:
            view(event)
    return out.getvalue()


def test_a_run_reads_as_before():
    text = rendered(
        [
            events.Notice("waiting for the store's lock [held by pid 1]"),
            events.RunPlanned("tiny", "20260101-000000", 3, 1, 2, 0),
            events.PhaseStarted("cells", 2),
            events.ExecutorStarted("sequential executor"),
            events.CellFinished("d/quantum/q2/l1/default.qubit/s0#abc", 0.5),
            events.PhaseProgress("cells", 1, 2),
            events.CellFailed("d/classical/q2/s0#def", "failed", "ValueError: boom"),
            events.PhaseProgress("cells", 2, 2),
            events.ExecutionEnded(),
            events.ReportWritten("r/index.md", "r/index.html"),
        ]
    )
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0] == "waiting for the store's lock [held by pid 1]"  # as is: no markup
    assert lines[1] == "tiny: 3 cells - 1 done, 2 to run, 0 skipped"
    assert "ok d/quantum/q2/l1/default.qubit/s0  acc=0.500" in lines
    assert "failed d/classical/q2/s0  ValueError: boom" in lines
    assert any(line.startswith("cells") and "2/2" in line for line in lines)
    assert lines[-1] == "report: r/index.md  r/index.html"


def test_an_interruption_says_how_to_go_on():
    during = rendered([events.Interrupted("20260101-000000", "suite.yaml", during_report=True)])
    assert "interrupted while writing the report" in during and "python -m bench report suite.yaml" in during
    cells = rendered([events.Interrupted("20260101-000000", "suite.yaml", during_report=False)])
    assert "saved in run 20260101-000000" in cells and "resumes it" in cells
