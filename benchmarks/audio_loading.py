"""Peak memory and time of loading a synthetic full-size UrbanSound8K (``urbansound8k`` dataset).

Run: ``python benchmarks/audio_loading.py --root /tmp/us8k [--clips 8732] [--delete]``.
Builds, when ``--root`` holds no copy yet, the real layout: ``metadata/UrbanSound8K.csv`` and
``audio/fold1..fold10/*.wav``, ``--clips`` clips (8,732 as in the real set) spread over the ten
folds and ten classes, each 4 s of 16-bit mono PCM at 22.05 kHz (a class tone plus seeded noise,
so nothing compresses), ~1.5 GB on disk. Then loads it at 22,050 Hz, 4 s in a fresh process and
prints the waveform bytes, the loading memory (peak RSS minus the RSS before loading, imports
excluded), their ratio (target: <= 1.2) and the time. ``--delete`` removes the copy afterwards.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

CLASSES = (
    "air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling",
    "engine_idling", "gun_shot", "jackhammer", "siren", "street_music",
)  # fmt: skip
RATE, SECONDS = 22050, 4.0

CHILD = """
import resource, sys, time
from bench.core.registry import DATASETS
def rss_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
dataset = DATASETS.get("urbansound8k").from_dict({"root": sys.argv[1], "sample_rate": 22050, "seconds": 4.0})
before = rss_mb("VmRSS")
t0 = time.perf_counter()
raw = dataset.load()
seconds = time.perf_counter() - t0
print(raw.x.shape[0], raw.x.nbytes / 2**20, rss_mb("VmHWM") - before, seconds)
"""


def build_layout(root: Path, clips: int) -> None:
    """Write the synthetic UrbanSound8K copy described in the module docstring."""
    import soundfile as sf

    rng = np.random.default_rng(0)
    t = np.arange(int(RATE * SECONDS)) / RATE
    rows = ["slice_file_name,fsID,start,end,salience,fold,classID,class"]
    for i in range(clips):
        fold, cid = 1 + i % 10, (i // 10) % 10
        name = f"{100000 + i}-{cid}-0-{i}.wav"
        clip = 0.3 * np.sin(2 * np.pi * (200 + 150 * cid) * t) + 0.05 * rng.standard_normal(t.size)
        path = root / "audio" / f"fold{fold}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), clip.astype(np.float32), RATE, subtype="PCM_16")
        rows.append(f"{name},{100000 + i},0.0,{SECONDS},1,{fold},{cid},{CLASSES[cid]}")
    (root / "metadata").mkdir(parents=True, exist_ok=True)
    (root / "metadata" / "UrbanSound8K.csv").write_text("\n".join(rows) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="where the synthetic copy lives")
    parser.add_argument("--clips", type=int, default=8732, help="clips to write (default 8732)")
    parser.add_argument("--delete", action="store_true", help="delete the copy afterwards")
    args = parser.parse_args()
    if not (args.root / "metadata" / "UrbanSound8K.csv").is_file():
        build_layout(args.root, args.clips)
    done = subprocess.run([sys.executable, "-c", CHILD, str(args.root)], capture_output=True, text=True)
    if args.delete:
        shutil.rmtree(args.root)
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip()[-800:])
    n, wave_mb, load_mb, seconds = done.stdout.split()[-4:]
    print(f"clips loaded: {n}; waveform bytes: {float(wave_mb):.0f} MiB")
    ratio = float(load_mb) / float(wave_mb)
    print(f"loading memory (peak RSS - RSS before): {float(load_mb):.0f} MiB = {ratio:.2f}x")
    print(f"load time: {float(seconds):.1f} s")


if __name__ == "__main__":
    main()
