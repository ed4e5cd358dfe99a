"""Image-report figures and the choice of the cells they show."""

from __future__ import annotations

import numpy as np
import pytest

from bench.cell.diagnostics import best_record, chosen_records, gradcam_indices, image_diagnostics
from bench.report.figures.images import display_image, plot_gradcam, plot_misclassified
from bench.report.sections.images import image_sections
from bench.spec.loader import load_suite

CLASSES = ["a", "b", "c"]


def _images(n: int, c: int = 3) -> np.ndarray:
    return np.random.default_rng(0).random((n, c, 8, 8))


@pytest.mark.parametrize("channels", [1, 3, 5])
def test_misclassified_grid_is_a_non_empty_png(tmp_path, channels):
    labels, preds = np.array([0, 1, 2, 0, 1]), np.array([0, 2, 2, 1, 1])
    path = plot_misclassified(_images(5, channels), labels, preds, CLASSES, "t", tmp_path / "m.png")
    assert path is not None and path.stat().st_size > 2000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_misclassified_grid_without_mistakes_draws_nothing(tmp_path):
    assert plot_misclassified(_images(3), [0, 1, 2], [0, 1, 2], CLASSES, "t", tmp_path / "m.png") is None
    assert not (tmp_path / "m.png").exists()


def test_gradcam_figure_is_a_non_empty_png(tmp_path):
    cams = np.random.default_rng(1).random((4, 8, 8))
    rows = [("classical", cams, np.array([0, 1, 1, 2])), ("hybrid", cams[::-1], np.array([0, 0, 1, 2]))]
    path = plot_gradcam(_images(4), np.array([0, 1, 2, 2]), rows, CLASSES, tmp_path / "g.png")
    assert path is not None and path.stat().st_size > 5000
    assert plot_gradcam(_images(0), np.array([]), rows, CLASSES, tmp_path / "none.png") is None


def test_display_image_channels():
    assert display_image(np.zeros((1, 4, 4)))[1] == "gray"
    assert display_image(np.zeros((5, 4, 4)))[0].shape == (4, 4, 3)


def test_best_cell_then_best_seed(record_factory):
    records = [
        record_factory("classical", 4, s, accuracy=a, dataset="d") for s, a in enumerate([0.6, 0.9, 0.6])
    ]
    records += [
        record_factory("classical", 8, s, accuracy=a, dataset="d") for s, a in enumerate([0.8, 0.7, 0.8])
    ]
    best = best_record(records)
    assert (best.n_qubits, best.seed) == (8, 0)  # q8 has the higher mean (0.767 > 0.7), seed 0 ties seed 2


def test_chosen_records_pick_a_hybrid_head_and_ignore_failures(record_factory):
    records = [
        record_factory("classical", 4, 0, accuracy=0.7, dataset="d"),
        record_factory("quantum", 4, 0, 1, "default.qubit", accuracy=0.95, dataset="d"),
        record_factory("hybrid-fixed", 4, 0, 1, "default.qubit", accuracy=0.8, dataset="d"),
        record_factory("hybrid-fixed", 8, 0, 1, "default.qubit", dataset="d", status="failed", error="x"),
        record_factory("hybrid-fixed~no-entanglement", 4, 0, 1, "default.qubit", accuracy=0.99, dataset="d"),
    ]
    records[-1].control, records[-1].treatment = "no-entanglement", "hybrid-fixed"
    for r in records:
        r.spec = {"head": {"name": r.head.split("~")[0]}}
    picks = chosen_records(records, "d")
    assert (
        picks["classical"].head == "classical" and picks["hybrid"].head == "hybrid-fixed"
    )  # not its control
    assert chosen_records(records[:2], "d")["hybrid"].head == "quantum"  # no hybrid: best circuit head
    assert chosen_records(records, "other") == {}


def test_chosen_records_skip_evaluate_only_records_scored_on_a_subset(record_factory):
    exact = record_factory("hybrid-fixed", 4, 0, 1, "default.qubit", accuracy=0.8, dataset="d")
    shots = record_factory("hybrid-fixed", 4, 0, 1, "shots-1024", accuracy=0.9, dataset="d")
    shots.metrics["evaluate_only"] = 1.0  # scored on a test subset: its predictions miss most images
    for r in (exact, shots):
        r.spec = {"head": {"name": "hybrid-fixed"}}
    assert chosen_records([exact, shots], "d")["hybrid"].backend == "default.qubit"


def test_gradcam_indices_put_mistakes_first():
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    idx = gradcam_indices(
        labels, [np.array([0, 1, 2, 1, 1, 2, 0, 1]), np.array([0, 1, 0, 0, 1, 2, 0, 1])], n=4
    )
    assert idx.tolist() == [2, 3, 0, 1]


def test_audio_suites_get_no_image_sections(tmp_path):
    suite = load_suite("suites/audio.yaml")
    assert image_diagnostics(suite, [], tmp_path / "cache", tmp_path / "ckpt", tmp_path / "diag") == []
    assert image_sections([], [], tmp_path / "figures") == []
