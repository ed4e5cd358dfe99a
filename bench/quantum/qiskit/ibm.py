"""Where Qiskit-path jobs go: a fake device locally, IBM hardware, or a rehearsal of it.

A *submitter* turns Estimator PUBs into jobs. The IBM ones use qiskit-ibm-runtime's ``EstimatorV2``
with a ``mode`` of backend (job mode), ``Batch`` or ``Session``:

* ``LocalSubmitter`` - a fake device snapshot (``fake_provider.Fake*``), run locally on qiskit-aer
  (``AerSimulator.from_backend``: the snapshot's noise model, coupling map and basis gates) with
  Qiskit's ``BackendEstimatorV2``, seeded. Not billed, no ledger.
* ``IbmSubmitter`` - IBM Quantum through ``QiskitRuntimeService``; the token comes from
  ``QISKIT_IBM_TOKEN`` or a saved account. ``fetch(job_id)`` retrieves an earlier job.
* ``RehearsalSubmitter`` - the same calls on a fake device standing in for the service: jobs
  get ids, their inputs are kept on disk under the suite (as the service would keep them), and
  ``fetch`` returns a stored job's result without a new submission. Usage is unknown (``None``),
  so budgets count the cost model's estimate.

``connect(profile, jobs_dir)`` picks the submitter; ``probe(profile)`` says why it cannot run.
Nothing here contacts the network unless a real IBM profile is executed.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import pickle
import uuid
from pathlib import Path
from typing import Any, Protocol

from bench.core.files import write_bytes_atomic
from bench.quantum.profiles import BackendProfile

TOKEN_ENV = "QISKIT_IBM_TOKEN"


class Job(Protocol):
    def job_id(self) -> str: ...
    def result(self) -> Any: ...


class Submitter(Protocol):
    """Submits PUB lists as Estimator jobs and fetches earlier jobs by id."""

    name: str
    billed: bool  # whether jobs count against QPU budgets (hardware and rehearsals)

    def submit(self, pubs: list, shots: int, seed: int) -> Job: ...
    def fetch(self, job_id: str) -> Job: ...
    def usage(self, job: Job) -> float | None: ...
    def backend(self) -> Any: ...
    def close(self) -> None: ...


@functools.cache
def fake_backend(class_name: str):
    """An instance of ``qiskit_ibm_runtime.fake_provider.<class_name>`` (one per process: loading a
    snapshot takes ~0.5 s and estimators do not modify it)."""
    from qiskit_ibm_runtime import fake_provider

    cls = getattr(fake_provider, class_name, None)
    if cls is None:
        from bench.core.errors import did_you_mean

        names = [n for n in dir(fake_provider) if n.startswith("Fake")]
        raise ValueError(
            f"no fake device {class_name!r} in qiskit_ibm_runtime.fake_provider"
            f"{did_you_mean(class_name, names)}"
        )
    return cls()


def _estimator(mode, shots: int, seed: int | None, resilience_level: int | None):
    from qiskit_ibm_runtime import EstimatorV2

    estimator = EstimatorV2(mode=mode)
    estimator.options.default_shots = shots
    if seed is not None:
        estimator.options.simulator.seed_simulator = seed
    if resilience_level is not None:
        estimator.options.resilience_level = resilience_level
    return estimator


def _open_mode(kind: str, backend):
    """The ``mode`` object for EstimatorV2: the backend itself, a Batch or a Session."""
    from qiskit_ibm_runtime import Batch, Session

    if kind == "batch":
        return Batch(backend=backend)
    if kind == "session":
        return Session(backend=backend)
    return backend


def _close_mode(mode) -> None:
    close = getattr(mode, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


@functools.cache
def noisy_simulator(class_name: str):
    """``AerSimulator.from_backend(snapshot)``: the snapshot's qiskit-aer noise model (built from its
    calibration data), coupling map and basis gates. Built once per process: for a 127-qubit device
    the noise model alone takes seconds."""
    from qiskit_aer import AerSimulator

    return AerSimulator.from_backend(fake_backend(class_name))


class LocalSubmitter:
    """A fake device snapshot simulated locally on qiskit-aer with its noise model, seeded, not billed."""

    billed = False

    def __init__(self, class_name: str):
        self.name = class_name
        self._backend = fake_backend(class_name)

    def backend(self):
        return self._backend

    def submit(self, pubs, shots, seed):
        from qiskit.primitives import BackendEstimatorV2

        estimator = BackendEstimatorV2(backend=noisy_simulator(self.name), options={"seed_simulator": seed})
        return estimator.run(pubs, precision=1 / math.sqrt(shots))

    def fetch(self, job_id):  # pragma: no cover - local jobs are never resumed
        raise RuntimeError("local fake-device jobs cannot be fetched by id")

    def usage(self, job):
        return None

    def close(self):
        pass


class IbmSubmitter:
    """IBM Quantum hardware via QiskitRuntimeService (token from the environment or a saved account)."""

    billed = True

    def __init__(self, profile: BackendProfile, service=None):
        spec = profile.ibm
        self.name = spec.backend
        self._spec = spec
        self._service = service or _service(profile)
        self._backend = self._service.backend(spec.backend)
        self._mode = None

    def backend(self):
        return self._backend

    def submit(self, pubs, shots, seed):
        if self._mode is None:
            self._mode = _open_mode(self._spec.mode, self._backend)
        return _estimator(self._mode, shots, None, self._spec.resilience_level).run(pubs)

    def fetch(self, job_id):
        return self._service.job(job_id)

    def usage(self, job):
        try:
            return float(job.usage())
        except Exception:
            return None

    def close(self):
        if self._mode is not None and self._mode is not self._backend:
            _close_mode(self._mode)
        self._mode = None


class RehearsalJob:
    """A rehearsal job: its inputs are on disk; the result is computed when first asked for."""

    def __init__(self, job_id: str, path: Path, backend):
        self._id, self._path, self._backend = job_id, path, backend
        self._result = None

    def job_id(self) -> str:
        return self._id

    def result(self):
        if self._result is None:
            stored = pickle.loads(self._path.read_bytes())
            mode = _open_mode(stored["mode"], self._backend)
            try:
                job = _estimator(mode, stored["shots"], stored["seed"], None).run(stored["pubs"])
                self._result = job.result()
            finally:
                _close_mode(mode)
        return self._result


class RehearsalSubmitter:
    """The IBM path offline: a fake device stands in for the service; job inputs persist in ``jobs_dir``."""

    billed = True

    def __init__(self, profile: BackendProfile, jobs_dir: str | Path):
        self.name = f"rehearsal:{profile.ibm.backend}"
        self._spec = profile.ibm
        self._backend = fake_backend(profile.ibm.backend)
        self._dir = Path(jobs_dir)
        self.submitted = 0  # jobs submitted by this submitter (tests check resumption submits none)

    def backend(self):
        return self._backend

    def submit(self, pubs, shots, seed):
        self._dir.mkdir(parents=True, exist_ok=True)
        job_id = f"rehearsal-{uuid.uuid4().hex[:16]}"
        path = self._dir / f"{job_id}.pkl"
        payload = {"pubs": pubs, "shots": shots, "seed": seed, "mode": self._spec.mode}
        write_bytes_atomic(path, pickle.dumps(payload))
        self.submitted += 1
        return RehearsalJob(job_id, path, self._backend)

    def fetch(self, job_id):
        path = self._dir / f"{job_id}.pkl"
        if not path.exists():
            raise RuntimeError(f"rehearsal job {job_id} not found under {self._dir}")
        return RehearsalJob(job_id, path, self._backend)

    def usage(self, job):
        return None

    def close(self):
        pass


def _service(profile: BackendProfile):
    from qiskit_ibm_runtime import QiskitRuntimeService

    spec = profile.ibm
    kwargs: dict[str, Any] = {"channel": spec.channel}
    if spec.instance:
        kwargs["instance"] = spec.instance
    if os.environ.get(TOKEN_ENV):
        kwargs["token"] = os.environ[TOKEN_ENV]
    return QiskitRuntimeService(**kwargs)


SERVICE_FACTORY = None
"""Tests may set this to ``lambda profile: service`` to stand a fake service in for IBM's."""


def connect(profile: BackendProfile, jobs_dir: str | Path) -> Submitter:
    """The submitter for a fake-device or IBM profile."""
    if profile.kind == "fake-device":
        return LocalSubmitter(profile.noise.fake_device)
    if profile.ibm.rehearse:
        return RehearsalSubmitter(profile, jobs_dir)
    service = SERVICE_FACTORY(profile) if SERVICE_FACTORY is not None else None
    return IbmSubmitter(profile, service)


def _has_saved_account() -> bool:
    try:
        from qiskit_ibm_runtime import QiskitRuntimeService

        return bool(QiskitRuntimeService.saved_accounts())
    except Exception:
        return False


def probe(profile: BackendProfile) -> str | None:
    """Why a fake-device or IBM profile cannot run here (``None`` if it can); never raises."""
    try:
        import pennylane_qiskit  # noqa: F401
        import qiskit_aer  # noqa: F401
        import qiskit_ibm_runtime  # noqa: F401
    except Exception as exc:
        return f"plugin not installed ({type(exc).__name__}: {exc}; install the [ibm] extra)"
    fake = (
        profile.noise.fake_device
        if profile.kind == "fake-device"
        else (profile.ibm.backend if profile.ibm.rehearse else None)
    )
    if fake is not None:
        try:
            fake_backend(fake)
        except Exception as exc:
            return f"fake device unavailable ({exc})"
        return None
    if SERVICE_FACTORY is None and not os.environ.get(TOKEN_ENV) and not _has_saved_account():
        return (
            f"no IBM Quantum token (set {TOKEN_ENV} or save an account with "
            "QiskitRuntimeService.save_account)"
        )
    return None
