"""Cells on a device: auto falls back to the CPU here, records say where and how reproducibly they
ran, bf16 autocast runs on the CPU, CUDA is refused where absent (and tested where present)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from bench.cell.device import CUDA_NOT_BIT, Compute, DeviceUnavailable, reproducible, resolve
from bench.cell.embeddings import embeddings_for
from bench.cell.run import run_cell
from bench.plan.grid import expand
from bench.quantum.torch.sim import run_device
from bench.results.cache import Cache
from bench.spec.loader import load_suite
from tests.conftest import TINY, write_suite

HAS_CUDA = torch.cuda.is_available()
NO_GPU = "no CUDA GPU on this machine (torch.cuda.is_available() is False)"
CPU_BIT = {"device": "cpu", "backbone_device": "cpu", "precision": "fp32", "reproducible": "bit"}


def _suite(tmp_path, device="cpu", precision="fp32", backends=("default.qubit",), train_on="default.qubit"):
    backbone = {**TINY["backbone"], "training": {**TINY["backbone"]["training"], "device": device}}
    backbone["training"]["precision"] = precision
    training = {**TINY["training"], "device": device, "train_on": train_on}
    path = write_suite(tmp_path, {"backbone": backbone, "training": training, "backends": list(backends)})
    return load_suite(path)


@pytest.fixture(scope="module")
def default_records(tmp_path_factory):
    """The classical and quantum cell of TINY at the default settings."""
    tmp = tmp_path_factory.mktemp("default")
    cells = expand(_suite(tmp))
    return [run_cell(c, Cache(tmp / "cache")) for c in cells]


def test_default_records_say_cpu_and_bit(default_records):
    assert [r.status for r in default_records] == ["ok", "ok"], [r.error for r in default_records]
    assert all(r.compute == CPU_BIT for r in default_records)


@pytest.mark.skipif(HAS_CUDA, reason="this machine has a GPU: auto picks it")
def test_auto_falls_back_to_the_cpu_and_computes_the_same(tmp_path, default_records):
    records = [run_cell(c, Cache(tmp_path)) for c in expand(_suite(tmp_path, "auto"))]
    assert [r.compute for r in records] == [CPU_BIT, CPU_BIT]
    for auto, cpu in zip(records, default_records, strict=True):
        assert auto.key != cpu.key  # the setting is part of the key ...
        assert auto.predictions == cpu.predictions  # ... and on the CPU it computes the same
        assert auto.metrics == cpu.metrics


def test_bf16_autocast_runs_on_the_cpu_and_says_not_bit(tmp_path, default_records):
    suite = _suite(tmp_path, precision="bf16")
    record = run_cell(expand(suite)[0], Cache(tmp_path))
    assert record.status == "ok", record.error
    assert record.compute == {**CPU_BIT, "precision": "bf16", "reproducible": "not-bit (bf16 autocast)"}
    dataset, cache = suite.datasets[0].plain(), Cache(tmp_path)
    fp32_backbone = suite.backbone.model_copy(
        update={"training": suite.backbone.training.model_copy(update={"precision": "fp32"})}
    )
    fp32 = embeddings_for(dataset, suite.features, fp32_backbone, 0, cache)
    bf16 = embeddings_for(dataset, suite.features, suite.backbone, 0, cache)
    assert bf16.compute["precision"] == "bf16" and fp32.compute["precision"] == "fp32"
    assert bf16.x["test"].dtype == np.float32
    assert not np.array_equal(bf16.x["test"], fp32.x["test"])  # autocast really ran in bf16


def test_compute_reasons_and_cpu_leaves_torch_flags_alone():
    assert reproducible([Compute().info()]) == "bit"
    both = [Compute("cuda:0").info(), Compute("cpu", "bf16").info()]
    assert reproducible(both) == f"not-bit ({CUDA_NOT_BIT}; bf16 autocast)"
    before = torch.are_deterministic_algorithms_enabled()
    with warnings.catch_warnings(), Compute().active():
        assert torch.are_deterministic_algorithms_enabled() == before
    assert resolve("cpu") == "cpu"


def test_a_cuda_block_is_deterministic_notes_what_is_not_and_restores_the_flags():
    """``active()`` of a CUDA placement touches only torch's flags, so it runs here: ops without a
    deterministic implementation (``put_`` has none on any device) are noted, other warnings pass."""
    import os

    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] in (":4096:8", ":16:8")
    flags = lambda: (  # noqa: E731
        torch.are_deterministic_algorithms_enabled(),
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
    )
    compute, before = Compute("cuda:0"), flags()
    with pytest.warns(UserWarning, match="an unrelated warning"), compute.active():
        assert torch.are_deterministic_algorithms_enabled() and torch.backends.cudnn.deterministic
        assert not torch.backends.cudnn.benchmark
        torch.zeros(3).put_(torch.tensor([0, 0]), torch.tensor([1.0, 2.0]))
        warnings.warn("an unrelated warning", UserWarning, stacklevel=1)
    assert flags() == before
    assert compute.nondeterministic == ["put_"]
    assert compute.info()["not_bit"] == [CUDA_NOT_BIT, "nondeterministic op: put_"]


@pytest.mark.skipif(HAS_CUDA, reason="this machine has a GPU")
def test_cuda_on_a_worker_without_one_fails_the_cell_in_one_line(tmp_path):
    assert resolve("auto") == "cpu"
    with pytest.raises(DeviceUnavailable, match=r"training device 'cuda:0': no CUDA GPU is visible here"):
        resolve("cuda:0")
    suite = _suite(tmp_path)
    cell = expand(suite)[0]
    bad = suite.model_copy(update={"training": suite.training.model_copy(update={"device": "cuda"})})
    record = run_cell(type(cell)(**{**cell.__dict__, "suite": bad}), Cache(tmp_path))
    assert record.status == "failed" and record.error.startswith("DeviceUnavailable: training device 'cuda'")


def test_the_torch_statevector_follows_inputs_off_the_cpu():
    """The kernel choice: CPU inputs keep the CPU (numba kernel); inputs elsewhere move the CPU
    default there (torch kernel); a pinned device stays pinned."""
    assert run_device("cpu", torch.zeros(2)) == "cpu"
    assert run_device("cpu", torch.zeros(2, device="meta")) == "meta"
    assert run_device("cuda:1", torch.zeros(2)) == "cuda:1"


@pytest.mark.skipif(not HAS_CUDA, reason=NO_GPU)
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_cuda_cells_run_record_and_repeat(tmp_path, precision):
    """On a GPU: backbone and heads (the circuit on torch.statevector's CUDA path) train on CUDA,
    records say so and not-bit, and the same cell twice gives the same predictions."""
    suite = _suite(tmp_path, "cuda", precision, ("torch.statevector",), "torch.statevector")
    cells = expand(suite)
    first = [run_cell(c, Cache(tmp_path / "a")) for c in cells]
    again = [run_cell(c, Cache(tmp_path / "b")) for c in cells]
    assert all(r.status == "ok" for r in first + again), [r.error for r in first + again]
    for r, s in zip(first, again, strict=True):
        assert r.compute["device"].startswith("cuda:") and r.compute["backbone_device"].startswith("cuda:")
        assert r.compute["reproducible"].startswith(f"not-bit ({CUDA_NOT_BIT}; {precision} autocast")
        assert r.predictions == s.predictions


def test_the_loop_steps_through_a_gradient_scaler():
    """fit's scaler branch (fp16 on CUDA) checked with torch's CPU GradScaler: scaling by a power of
    two and unscaling is exact, so the trained weights equal those of the unscaled loop."""
    from bench.cell.loop import LoopPhase, LoopSettings, Validation, fit

    def train(scaler):
        epochs = iter(range(100))  # every epoch validates better: the last one is kept
        gen = torch.Generator().manual_seed(0)
        x, y = torch.randn(32, 4, generator=gen), torch.randint(0, 3, (32,), generator=gen)
        torch.manual_seed(0)
        model = torch.nn.Linear(4, 3)
        fit(
            model,
            [LoopPhase("train", 3)],
            [torch.optim.SGD(model.parameters(), lr=0.1)],
            lambda idx: torch.nn.functional.cross_entropy(model(x[idx]), y[idx]),
            len(x),
            lambda: Validation(float(next(epochs))),
            LoopSettings(8, 5, 3),
            torch.Generator().manual_seed(1),
            scaler=scaler,
        )
        return model.weight.detach().clone()

    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10)
    assert torch.equal(train(scaler), train(None))
    assert scaler.get_scale() == 2.0**10  # no overflow: the scale was used, and never backed off
