"""Cost model of IBM evaluations: circuits, shots and estimated QPU seconds.

An evaluation of ``n`` test items runs one circuit per item and ZNE scale factor (a parameter
binding of one transpiled template; all ``<Z>`` observables of a binding are measured together).
Bindings are packed into jobs of at most ``ibm.max_circuits_per_job`` circuits. The estimate is

    qpu_seconds = jobs * seconds_per_job + shots * seconds_per_shot * resilience_factor

with ``shots = circuits * profile.shots``. The resilience factor is a rough allowance for the
extra circuits runtime mitigation runs (``RESILIENCE_FACTOR``). It is an estimate for budgeting,
not a bill: the service's reported usage replaces it once a job finishes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.quantum.profiles import BackendProfile

RESILIENCE_FACTOR = {0: 1.0, 1: 2.0, 2: 6.0}
"""Level 1 (TREX) roughly doubles the shots with calibration; level 2 adds three noise factors."""


@dataclass(frozen=True)
class CostEstimate:
    jobs: int
    circuits: int
    shots: int
    qpu_seconds: float

    def __add__(self, other: CostEstimate) -> CostEstimate:
        return CostEstimate(
            self.jobs + other.jobs,
            self.circuits + other.circuits,
            self.shots + other.shots,
            self.qpu_seconds + other.qpu_seconds,
        )


ZERO = CostEstimate(0, 0, 0, 0.0)


def n_scales(profile: BackendProfile) -> int:
    return len(profile.mitigation.scale_factors) if profile.mitigation is not None else 1


def bindings_per_job(profile: BackendProfile) -> int:
    """Items per job: every item runs once per scale factor inside the same job."""
    assert profile.ibm is not None
    return max(1, profile.ibm.max_circuits_per_job // n_scales(profile))


def job_cost(profile: BackendProfile, n_items: int) -> CostEstimate:
    """Estimate of one job evaluating ``n_items`` items."""
    assert profile.ibm is not None and profile.shots is not None
    circuits = n_items * n_scales(profile)
    shots = circuits * profile.shots
    seconds = (
        profile.ibm.seconds_per_job
        + shots * profile.ibm.seconds_per_shot * RESILIENCE_FACTOR[profile.ibm.resilience_level]
    )
    return CostEstimate(1, circuits, shots, seconds)


def over_profile_caps(profile: BackendProfile, cost: CostEstimate) -> str:
    """Why ``cost`` exceeds the profile's per-cell caps ("" when it does not)."""
    assert profile.ibm is not None
    if cost.shots > profile.ibm.max_shots:
        return f"estimated {cost.shots:,} shots exceed ibm.max_shots {profile.ibm.max_shots:,}"
    if cost.qpu_seconds > profile.ibm.max_qpu_seconds:
        return (
            f"estimated {cost.qpu_seconds:.1f} QPU s exceed ibm.max_qpu_seconds "
            f"{profile.ibm.max_qpu_seconds:g}"
        )
    return ""
