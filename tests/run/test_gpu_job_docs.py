"""docs/cluster.md's GPU worker profile gives one-GPU, single-threaded Slurm worker jobs, and its
suite snippet loads (no Slurm or GPU here: the job script is built, nothing is submitted)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import TINY, write_suite

DOC = Path(__file__).resolve().parents[2] / "docs" / "cluster.md"


def _block_after(marker: str) -> str:
    text = DOC.read_text()
    found = re.search(re.escape(marker) + r".*?```yaml\n(.*?)```", text, re.S)
    assert found, f"no yaml block after {marker!r} in {DOC}"
    return found.group(1)


def test_the_gpu_profile_asks_for_one_gpu_per_single_threaded_worker(tmp_path):
    if importlib.util.find_spec("dask_jobqueue") is None:
        pytest.skip("dask-jobqueue is not installed")
    from bench.run.dask_executor import jobqueue_cluster, load_cluster_config

    profile = tmp_path / "slurm-gpu.yaml"
    profile.write_text(_block_after("`slurm-gpu.yaml`:"))
    cluster = jobqueue_cluster("slurm", load_cluster_config(profile, "slurm"), dashboard=":0")
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in (
        "#SBATCH --gres=gpu:1",
        "#SBATCH --cpus-per-task=4",
        "--nthreads 1",
        "--preload bench.run.worker_warmup",
    ):
        assert line in script


def test_the_gpu_suite_snippet_loads(tmp_path):
    from bench.spec.loader import load_suite

    snippet = yaml.safe_load(_block_after("## GPU workers"))
    backbone = {
        **TINY["backbone"],
        "training": {**TINY["backbone"]["training"], **snippet["backbone"]["training"]},
    }
    training = {**TINY["training"], **snippet["training"]}
    suite = load_suite(write_suite(tmp_path, {"backbone": backbone, "training": training}))
    assert (suite.training.device, suite.backbone.training.precision) == ("auto", "bf16")
