"""Content-addressed cache: hit, miss, corruption, atomicity."""

from __future__ import annotations

import time

import numpy as np
import pytest

from bench.results.cache import Cache, cache_key


def test_miss_then_hit(tmp_path):
    cache = Cache(tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(5)}

    first, hit1 = cache.get_or_compute("kind", "k", compute)
    second, hit2 = cache.get_or_compute("kind", "k", compute)
    assert (hit1, hit2) == (False, True)
    assert len(calls) == 1
    np.testing.assert_array_equal(first["x"], second["x"])


def test_key_depends_on_spec_only():
    assert cache_key({"a": 1, "b": [1, 2]}) == cache_key({"b": [1, 2], "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 2})


def test_corrupted_entry_is_detected_and_recomputed(tmp_path):
    cache = Cache(tmp_path)
    cache.save("kind", "k", {"x": 1})
    path = cache.path("kind", "k")
    blob = bytearray(path.read_bytes())
    blob[-3] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert cache.load("kind", "k") is None
    assert not path.exists()
    value, hit = cache.get_or_compute("kind", "k", lambda: {"x": 2})
    assert (value, hit) == ({"x": 2}, False)


def test_truncated_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.save("kind", "k", list(range(1000)))
    path = cache.path("kind", "k")
    path.write_bytes(path.read_bytes()[:50])
    assert cache.load("kind", "k") is None


def test_no_temp_files_left_behind(tmp_path):
    cache = Cache(tmp_path)
    cache.save("kind", "k", 1)
    assert [p.name for p in (tmp_path / "kind").iterdir()] == ["k.pkl"]


def test_contains_sees_fresh_entries_only(tmp_path):
    cache = Cache(tmp_path)
    assert not cache.contains("kind", "k")
    cache.save("kind", "k", 1)
    assert cache.contains("kind", "k")
    later = cache.path("kind", "k").stat().st_mtime + 1
    assert not Cache(tmp_path, fresh_after=later).contains("kind", "k")  # a new run's cut-off


def test_load_shared_reads_an_entry_once_per_process_until_it_changes(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    cache.save("backbone", "k", {"x": {"train": np.arange(3.0)}, "n": 1})
    reads = []
    load = Cache.load
    monkeypatch.setattr(Cache, "load", lambda self, kind, key: reads.append(key) or load(self, kind, key))
    first = cache.load_shared("backbone", "k")
    again = Cache(tmp_path).load_shared("backbone", "k")  # another task's cache object, same process
    assert again is first and reads == ["k"]
    with pytest.raises(ValueError):  # shared: read-only
        first["x"]["train"][0] = 5.0
    cache.save("backbone", "k", {"x": {"train": np.zeros(2)}, "n": 2})
    assert Cache(tmp_path).load_shared("backbone", "k")["n"] == 2 and reads == ["k", "k"]
    assert Cache(tmp_path).load_shared("backbone", "missing") is None
    assert Cache(tmp_path, fresh_after=time.time() + 60).load_shared("backbone", "k") is None  # stale


def test_fingerprints_given_are_used_and_others_taken_once(tmp_path):
    taken = []
    cache = Cache(tmp_path, fingerprints={"a": "given"})
    assert cache.fingerprint("a", lambda: taken.append("a") or "new") == "given"
    assert [cache.fingerprint("b", lambda: taken.append("b") or "fp") for _ in range(3)] == ["fp"] * 3
    assert taken == ["b"]


def test_a_cache_object_reads_back_heads_it_saved_or_loaded_without_reading_the_file(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    head = {"state": {"w": np.arange(3.0)}, "val_accuracy": 0.5}
    cache.save("heads", "h", head)
    cache.save("features", "f", {"x": 1})
    reads = []
    read_bytes = type(tmp_path).read_bytes
    monkeypatch.setattr(type(tmp_path), "read_bytes", lambda p: reads.append(p.name) or read_bytes(p))
    assert cache.load("heads", "h") is head and reads == []  # the export right after the cell
    assert cache.load("features", "f") == {"x": 1} and reads == ["f.pkl"]  # other kinds: read
    other = Cache(tmp_path)  # another task: reads the file once, then remembers it
    assert other.load("heads", "h") is not head and other.load("heads", "h") is other.load("heads", "h")
    assert reads == ["f.pkl", "h.pkl"]
    Cache(tmp_path).save("heads", "h", {"val_accuracy": 0.9})  # replaced by someone else: read again
    assert cache.load("heads", "h") == {"val_accuracy": 0.9} and reads[-1] == "h.pkl"
    assert Cache(tmp_path, fresh_after=time.time() + 60).load("heads", "h") is None  # stale stays stale


def test_cache_entries_are_written_without_fsync(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr("os.fsync", lambda fd: synced.append(fd))
    Cache(tmp_path).save("heads", "k", {"x": 1})
    assert synced == [] and Cache(tmp_path).load("heads", "k") == {"x": 1}
