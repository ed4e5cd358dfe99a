"""Write the results table (``bench.results.table``) to a file others read: CSV, Parquet or JSON lines.

Files are published atomically (``bench.core.files.atomic_write``): a reader sees the old file or
the whole new one. Cells that hold lists or dicts (``predictions``, ``confusion``, ...) are JSON
text in CSV; JSON lines keep them as JSON; Parquet keeps lists as list columns where every value
has one type, and stores dicts and mixed-type columns as JSON text. NaN and ``<NA>`` are empty in CSV and
``null`` in JSON lines.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from bench.core.files import atomic_write

FORMATS = ("csv", "parquet", "jsonl")
"""The formats ``export_table`` writes; each is also the file extension."""


def plain(value: Any) -> Any:
    """``value`` as JSON data: NaN and ``pd.NA`` as ``None``, numpy scalars as Python ones."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def as_json_text(column: pd.Series) -> pd.Series:
    """A column whose lists and dicts are JSON text (other values unchanged)."""
    return column.map(lambda v: json.dumps(plain(v)) if isinstance(v, list | tuple | dict) else v)


def nested(column: pd.Series) -> bool:
    """Whether any value of ``column`` is a list, tuple or dict."""
    return column.dtype == object and column.map(lambda v: isinstance(v, list | tuple | dict)).any()


def write_csv(frame: pd.DataFrame, fh: BinaryIO) -> None:
    """CSV with a header row; nested cells as JSON text."""
    out = frame.copy()
    for name in out.columns:
        if nested(out[name]):
            out[name] = as_json_text(out[name])
    text = io.StringIO()
    out.to_csv(text, index=False)
    fh.write(text.getvalue().encode("utf-8"))


def write_jsonl(frame: pd.DataFrame, fh: BinaryIO) -> None:
    """One JSON object per row, keys in column order."""
    columns = list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        doc = {name: plain(value) for name, value in zip(columns, row, strict=True)}
        fh.write((json.dumps(doc) + "\n").encode("utf-8"))


def arrow_typed(column: pd.Series) -> bool:
    """Whether Arrow can type ``column`` as it is (not when it holds dicts: Parquet cannot store a
    struct without fields, as an empty ``selection`` is)."""
    import pyarrow as pa

    if column.dtype != object:
        return True
    values = [plain(v) for v in column]
    if any(has_dict(v) for v in values):
        return False
    try:
        pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


def has_dict(value: Any) -> bool:
    """Whether ``value`` is or holds a dict."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(has_dict(v) for v in value)


def write_parquet(frame: pd.DataFrame, fh: BinaryIO) -> None:
    """Parquet through pyarrow, with pandas' dtypes kept (``layers`` reads back as Int64)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = frame.copy()
    for name in out.columns:
        if not arrow_typed(out[name]):
            out[name] = out[name].map(lambda v: None if plain(v) is None else json.dumps(plain(v)))
    pq.write_table(pa.Table.from_pandas(out, preserve_index=False), fh)


WRITERS = {"csv": write_csv, "parquet": write_parquet, "jsonl": write_jsonl}


def export_table(frame: pd.DataFrame, path: str | Path, fmt: str) -> Path:
    """Write ``frame`` to ``path`` in ``fmt`` (one of ``FORMATS``), atomically; returns ``path``."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r} (allowed: {', '.join(FORMATS)})")
    return atomic_write(path, lambda fh: WRITERS[fmt](frame, fh))


def table_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` in ``fmt`` as bytes (for writing to a stream, e.g. stdout)."""
    buffer = io.BytesIO()
    WRITERS[fmt](frame, buffer)
    return buffer.getvalue()
