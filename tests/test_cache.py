"""Content-addressed cache: hit, miss, corruption, atomicity."""

from __future__ import annotations

import numpy as np

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
