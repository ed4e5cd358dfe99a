"""A report's inputs digest: records, suite bytes and the report code version; marks in folders."""

from __future__ import annotations

from bench.results.record import Record
from bench.run import report_inputs


def _record(accuracy: float) -> Record:
    axes = {"dataset": "d", "head": "classical", "n_qubits": 4, "n_layers": None, "backend": None, "seed": 0}
    return Record.from_dict({"key": "k", "status": "ok", **axes, "metrics": {"test_accuracy": accuracy}})


def test_the_digest_follows_records_and_parts():
    base = report_inputs.inputs_digest([_record(0.5)], b"suite")
    assert base == report_inputs.inputs_digest([_record(0.5)], b"suite")
    assert base != report_inputs.inputs_digest([_record(0.25)], b"suite")
    assert base != report_inputs.inputs_digest([_record(0.5)], b"suite, edited")
    assert len(report_inputs.code_version()) == 64


def test_a_folder_is_current_only_with_its_mark_and_pages(tmp_path):
    digest = report_inputs.inputs_digest([_record(0.5)], b"suite")
    assert not report_inputs.current(tmp_path, digest)
    report_inputs.mark(tmp_path, digest)
    assert not report_inputs.current(tmp_path, digest)  # no pages yet
    for page in report_inputs.PAGES:
        (tmp_path / page).write_text("report")
    assert report_inputs.current(tmp_path, digest)
    assert not report_inputs.current(tmp_path, digest[::-1])
