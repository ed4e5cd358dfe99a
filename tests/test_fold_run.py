"""End to end: a tiny suite with official folds runs, its records carry their fold, and the report
aggregates over folds x seeds (per-fold rows only on request)."""

from __future__ import annotations

import pytest

from bench.cli.parser import main
from bench.report.frame import per_fold, records_frame
from bench.report.sections.accuracy import accuracy_stats
from bench.results.store import ResultsStore
from tests.conftest import write_suite
from tests.data.dataset_layouts import BUILDERS

FOLDS, SEEDS = [1, 2], [0, 1]


@pytest.fixture(scope="module")
def fold_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fold-run")
    root = BUILDERS["urbansound8k"](tmp / "us8k").root
    params = {"root": str(root), "classes": ["dog_bark", "siren", "car_horn"], "sample_rate": 8000}
    entry = {"name": "urbansound8k", "params": {**params, "seconds": 0.1}, "folds": FOLDS}
    suite = write_suite(tmp, {"datasets": [entry], "seeds": SEEDS, "backends": ["default.qubit"]})
    dirs = ["--reports-dir", str(tmp / "reports"), "--cache-dir", str(tmp / "cache")]
    assert main(["run", str(suite), *dirs]) == 0
    store = ResultsStore(tmp / "reports" / "tiny" / "results.sqlite")
    try:
        records = store.get()
    finally:
        store.close()
    return tmp, records, [str(suite), *dirs]


def test_records_carry_their_fold_and_test_on_it(fold_run):
    _, records, _ = fold_run
    assert sorted((r.head, r.fold, r.seed) for r in records) == sorted(
        (h, f, s) for h in ("classical", "quantum") for f in FOLDS for s in SEEDS
    )
    assert all(r.status == "ok" for r in records)
    for r in records:
        assert f"/f{r.fold}/s{r.seed}#" in r.key and r.spec["fold"]["test"] == r.fold
        assert r.unit == (r.fold, r.seed) and len(r.labels) == 3  # one clip per class in each fold


def test_the_report_aggregates_over_folds_and_seeds(fold_run):
    tmp, records, _ = fold_run
    stats = accuracy_stats(records_frame(records)).set_index("head")
    units = len(FOLDS) * len(SEEDS)
    assert stats.loc["classical", "n_seeds"] == units and stats.loc["quantum", "n_seeds"] == units
    assert stats.loc["quantum", "delta_n"] == units  # paired with the classical head per (fold, seed)
    md = (tmp / "reports" / "tiny" / "latest" / "index.md").read_text()
    assert "urbansound8k-fold1" not in md
    assert f"| {units} ({len(FOLDS)} folds × {len(SEEDS)} seeds) |" in md  # the Accuracy table's count


def test_per_fold_rows_on_request(fold_run):
    tmp, records, _ = fold_run
    stats = accuracy_stats(records_frame(per_fold(records)))
    assert sorted(set(stats["dataset"])) == ["urbansound8k-fold1", "urbansound8k-fold2"]
    assert set(stats["n_seeds"]) == {len(SEEDS)}


def test_the_report_command_gives_per_fold_rows_on_request(fold_run):
    tmp, _, args = fold_run
    run_id = (tmp / "reports" / "tiny" / "latest").resolve().name  # --run-id names a run of the suite
    assert main(["report", args[0], "--per-fold", "--run-id", run_id, *args[1:]]) == 0
    md = (tmp / "reports" / "tiny" / run_id / "index.md").read_text()
    assert "urbansound8k-fold1" in md and "urbansound8k-fold2" in md


def test_the_results_table_has_a_fold_column_for_fold_records(fold_run):
    from bench.results.table import results_table

    _, records, _ = fold_run
    df = results_table(("run", r) for r in records)
    assert list(df.columns[8:10]) == ["seed", "fold"] and sorted(set(df["fold"])) == FOLDS
