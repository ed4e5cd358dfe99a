"""The trends page on a synthetic results store: time and peak memory at a nightly job's size.

``synthetic_store`` writes a store of ``runs`` runs of ``cells`` records each, shaped like a real
study's: cell keys ``urban-synth/<head>/q<Q>/l<L>/<backend>/s<seed>#<hash>`` over ``seeds`` seeds,
ok records with test accuracy, the circuit timing the trends page plots, per-item predictions and
labels for ``test_items`` test items (the bulk of a real record's body), provenance of one machine,
and a small drift of accuracy and time from run to run (a step of 3 pp at the middle run for one
configuration in ten). Rows are inserted in one transaction per run, bypassing the driver's
per-record commit (a synthetic store is not a run).

``time_trends`` writes the trends page from it in a fresh process, so the peak resident memory it
reports (``ru_maxrss`` of that child) is the page's alone.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import RECORD_SCHEMA_VERSION
from bench.core.provenance import provenance
from bench.results import store_schema as schema
from bench.results.record import Record
from bench.results.store import ResultsStore

HEADS = ("classical", "quantum", "hybrid-fixed", "hybrid-gated")
BACKENDS = ("default.qubit", "lightning.qubit", "torch.statevector", "fake-manila")


def synthetic_keys(cells: int, seeds: int) -> list[str]:
    """``cells`` distinct cell keys, ``seeds`` per configuration."""
    keys = []
    for i in range(cells):
        config, seed = divmod(i, seeds)
        head = HEADS[config % len(HEADS)]
        q, l_, b = 2 + config // 4 % 12, 1 + config // 48 % 6, BACKENDS[config // 288 % len(BACKENDS)]
        keys.append(f"urban-synth/{head}/q{q}/l{l_}/{b}/c{config // 1152}/s{seed}#{i:010x}")
    return keys


def _template(key: str, items_json: str, prov: dict) -> str:
    """The record body of ``key`` as JSON, with ``"__A__"``, ``"__T__"`` standing for its accuracy
    and circuit time and ``"__P__"`` for its predictions and labels."""
    parts = key.split("/")
    seed = int(parts[-1][1:].split("#")[0])
    record = Record(key, "ok", "urban-synth", parts[1], int(parts[2][1:]), int(parts[3][1:]), parts[4], seed)
    record.metrics = {"test_accuracy": "__A__", "val_accuracy": "__A__", "train_accuracy": "__A__"}
    record.timings = {"circuit_forward_backward_per_batch_s": "__T__", "head_training_s": 1.0}
    record.predictions, record.labels, record.provenance = "__P__", "__P__", prov  # type: ignore[assignment]
    return json.dumps(record.to_dict()).replace('"__P__"', items_json)


def _fill(template: str, accuracy: float, seconds: float) -> str:
    return template.replace('"__A__"', repr(accuracy)).replace('"__T__"', repr(seconds))


def synthetic_store(path: Path, cells: int, runs: int, seeds: int = 5, test_items: int = 870) -> Path:
    """Write the store described in the module docstring at ``path`` (which must not exist)."""
    ResultsStore(path).close()  # creates the schema
    rng = random.Random(0)
    keys = synthetic_keys(cells, seeds)
    items = json.dumps([rng.randrange(10) for _ in range(test_items)])
    prov = {**provenance(), "suite_hash": "synthetic"}
    templates = [_template(key, items, prov) for key in keys]
    base = [(0.5 + 0.4 * rng.random(), 1e-3 * (1 + rng.random())) for _ in range(cells // seeds + 1)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    try:
        for run in range(runs):
            run_id = f"run-{run:03d}"
            started = (start + timedelta(days=run)).isoformat()
            summary = json.dumps({"provenance": prov})
            rows = []
            for i, key in enumerate(keys):
                acc, sec = base[i // seeds]
                step = 0.03 if (i // seeds) % 10 == 0 and run >= runs // 2 else 0.0
                acc = min(1.0, acc + step + rng.gauss(0, 0.01))
                body = _fill(templates[i], acc, sec * (1 + rng.gauss(0, 0.02)))
                rows.append(
                    {
                        "run_id": run_id,
                        "key": key,
                        "status": "ok",
                        "written": started,
                        "schema_version": RECORD_SCHEMA_VERSION,
                        "reused_from": None,
                        "body": body,
                    }
                )
            with db:
                db.execute(
                    "INSERT INTO runs (run_id, started, state, provenance, summary) VALUES (?, ?, ?, ?, ?)",
                    (run_id, started, "complete", json.dumps(prov), summary),
                )
                schema.insert_records(db, rows)
    finally:
        db.close()
    return path


@dataclass(frozen=True)
class TrendsTiming:
    records: int
    runs: int
    seconds: float  # wall time of writing the page (store opened, page and figures written)
    cpu_seconds: float  # CPU time of the process that wrote it (user + system)
    peak_rss_mb: float  # peak resident memory of the process that wrote it


CHILD = """
import resource, sys, time
from pathlib import Path
from bench.history.trends import write_trends
from bench.results.store import ResultsStore
t0 = time.perf_counter()
store = ResultsStore(Path(sys.argv[1]), read_only=True)
write_trends(store, "synthetic", Path(sys.argv[2]))
store.close()
u = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - t0, u.ru_utime + u.ru_stime, u.ru_maxrss)
"""


def time_trends(store: Path, out_dir: Path, records: int, runs: int) -> TrendsTiming:
    """Write the trends page of ``store`` into ``out_dir`` in a child process; its time and peak RSS."""
    cmd = [sys.executable, "-c", CHILD, str(store), str(out_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"trends page failed: {done.stderr.strip()[-800:]}")
    seconds, cpu, rss_kb = done.stdout.split()[-3:]
    return TrendsTiming(records, runs, float(seconds), float(cpu), int(rss_kb) / 1024)
