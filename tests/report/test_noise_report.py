"""The Noise section: exact row first, one row per noise setting and variant, figures; the main
accuracy table leaves evaluate-only records out."""

from __future__ import annotations

from bench.report import write_report
from bench.report.frame import records_frame
from bench.report.sections.accuracy import accuracy_stats
from bench.report.sections.noise import noise_table

SEEDS = (0, 1)


def _noisy(
    make,
    backend: str,
    seed: int,
    accuracy: float,
    kind: str,
    summary: str,
    strength=None,
    zne=None,
    qpu_estimate=None,
):
    r = make("quantum", 4, seed, 1, backend, accuracy=accuracy)
    r.metrics.pop("agreement_max_abs_diff")
    r.metrics.update(
        evaluate_only=1.0,
        eval_samples=20.0,
        exact_subset_accuracy=0.80,
        test_accuracy_ci_low=accuracy - 0.2,
        test_accuracy_ci_high=min(1.0, accuracy + 0.15),
        shots_per_circuit=1024.0 if kind != "noisy" else 0.0,
        circuit_executions_eval=20.0,
    )
    if strength is not None:
        r.metrics["noise_strength"] = strength
    if zne is not None:
        r.metrics.update(
            zne_test_accuracy=zne, zne_test_accuracy_ci_low=zne - 0.2, zne_test_accuracy_ci_high=zne
        )
    if qpu_estimate is not None:
        r.metrics["qpu_seconds_estimated"] = qpu_estimate
    r.backend_info = {"kind": kind, "profile": summary}
    return r


def _records(make):
    records = [make("quantum", 4, s, 1, "default.qubit", accuracy=0.8) for s in SEEDS]
    for s in SEEDS:
        records.append(_noisy(make, "dep-0.01", s, 0.75, "noisy", "default.mixed, depolarizing 0.01", 0.01))
        records.append(
            _noisy(make, "dep-0.1", s, 0.40, "noisy", "default.mixed, depolarizing 0.1", 0.1, zne=0.6)
        )
        records.append(_noisy(make, "fake-manila", s, 0.65, "fake-device", "FakeManilaV2, shots 1024"))
    records.append(
        _noisy(make, "ibm-rehearsal", 0, 0.60, "ibm", "rehearsal on FakeManilaV2", qpu_estimate=2.4)
    )
    return records


def test_noise_table_rows_per_setting_with_exact_first(record_factory):
    table = noise_table(_records(record_factory))
    assert list(table["backend"])[0] == "default.qubit (full test)"
    assert list(table["kind"]) == ["exact", "fake-device", "ibm", "noisy", "noisy", "noisy"]
    dep = table[table["backend"] == "dep-0.1"]
    assert list(dep["mitigation"]) == ["—", "ZNE"]  # the mitigated row right after the unmitigated one
    assert dep["Δ vs exact (pp)"].iloc[0].startswith("-40.0")
    assert dep["Δ vs exact (pp)"].iloc[1].startswith("-20.0")
    single = table[table["backend"] == "ibm-rehearsal"].iloc[0]
    assert single["acc %"] == "60.0 [40.0, 75.0]" and single["QPU s"] == "~2.4"  # one seed: Wilson bounds
    assert set(table["exact, same items %"]) - {"—"} == {"80.0"}


def test_accuracy_table_excludes_evaluate_only_records(record_factory):
    stats = accuracy_stats(records_frame(_records(record_factory)))
    assert set(stats["backend"].dropna()) == {"default.qubit"}


def test_report_has_the_noise_section_and_figures(record_factory, tmp_path):
    paths = write_report(_records(record_factory), tmp_path, {"suite": "noise"})
    md = paths["md"].read_text()
    assert "## Noise" in md and "| dep-0.01 |" in md and "ZNE" in md
    assert (tmp_path / "figures" / "noise_degradation.png").stat().st_size > 1000
    assert (tmp_path / "figures" / "noise_devices.png").stat().st_size > 1000
    assert '<h2 id="noise">Noise</h2>' in paths["html"].read_text()
