"""The package version and the schema versions of stored artefacts (re-exported by ``bench``).

Schema versions are bumped whenever the layout of a stored artefact changes, so stale
cache entries and result rows are recognised instead of misread.
"""

__version__ = "0.1.0"

RECORD_SCHEMA_VERSION = 1
"""Version of the per-cell result record (``bench.results.record.Record``)."""

CACHE_SCHEMA_VERSION = 2
"""Version mixed into every content-addressed cache key (``bench.results.cache``)."""
