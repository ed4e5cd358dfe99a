"""``bench plan``'s seeds needed: from the spread of the latest run with treatment-vs-control pairs."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from bench.history.pilot import pilot_needs
from bench.results.record import Record
from bench.results.store import ResultsStore
from bench.stats import units_needed


def _record(seed: int, acc: float, control: str | None = None) -> Record:
    label = f"quantum~{control}" if control else "quantum"
    return Record(
        key=f"toy/{label}/q4/l2/default.qubit/s{seed}#k",
        status="ok",
        dataset="toy",
        head=label,
        n_qubits=4,
        n_layers=2,
        backend=None if control else "default.qubit",
        seed=seed,
        metrics={"test_accuracy": acc, "val_accuracy": acc},
        control=control,
        treatment="quantum" if control else None,
    )


def test_pilot_needs_come_from_the_latest_runs_spread(tmp_path):
    assert pilot_needs(None).run_id is None
    store = ResultsStore(tmp_path / "results.sqlite")
    run_id = store.new_run(datetime.now(UTC), "new", {})
    deltas = [0.01, -0.02, 0.03, 0.0]
    for seed, d in enumerate(deltas):
        store.put(_record(seed, 0.8 + d), run_id)
        store.put(_record(seed, 0.8, "matched-mlp"), run_id)
    store.finish_run(run_id, "complete", {})
    pilot = pilot_needs(store)
    assert pilot.run_id == run_id and len(pilot.needs) == 1
    need = pilot.needs[0]
    sd = float(np.std(deltas, ddof=1))
    assert need.units == 4 and need.unit == "seed" and abs(need.sd_pp - 100 * sd) < 1e-9
    assert need.needed == (units_needed(0.01, sd), units_needed(0.02, sd)) and need.needed[0] > need.needed[1]
    assert need.comparison == "toy · quantum · q4 · l2 vs matched-mlp"


def test_record_pilot_keeps_the_result_until_a_record_changes(tmp_path):
    import json

    from bench.history.pilot import PILOT_FILE, record_pilot

    store = ResultsStore(tmp_path / "results.sqlite")
    run_id = store.new_run(datetime.now(UTC), "new", {})
    for seed, d in enumerate([0.01, -0.02, 0.03]):
        store.put(_record(seed, 0.8 + d), run_id)
        store.put(_record(seed, 0.8, "matched-mlp"), run_id)
    computed = record_pilot(store)
    kept = tmp_path / PILOT_FILE
    assert pilot_needs(store) == computed  # read back from the file, equal to what was computed
    body = json.loads(kept.read_text())
    body["needs"][0]["sd_pp"] = 99.0  # a mark: only a read of the file can return it
    kept.write_text(json.dumps(body))
    assert pilot_needs(store).needs[0].sd_pp == 99.0
    store.put(_record(3, 0.8), run_id)  # a new record: the kept pilot is stale
    assert pilot_needs(store) == computed
    kept.write_text("{damaged")
    assert pilot_needs(store) == computed
