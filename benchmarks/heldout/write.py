"""Write rendered columns as CSV, JSON Lines or Parquet, optionally gzip-compressed.

The generator itself is numpy only; this module uses the standard library for text formats
and pyarrow (a pod-detect dependency) for Parquet.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np

from .platforms import Columns


def _cell(value: object) -> object:
    """A JSON- and CSV-ready Python value (numpy scalars unwrapped, None kept)."""
    return value.item() if isinstance(value, np.generic) else value


def _records(columns: Columns) -> tuple[list[str], list[list[object]]]:
    names = list(columns)
    values = [list(map(_cell, np.asarray(columns[c], dtype=object))) for c in names]
    return names, [list(row) for row in zip(*values, strict=True)]


def _text(columns: Columns, fmt: str) -> str:
    names, rows = _records(columns)
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        for row in rows:
            out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
    return out.getvalue()


def write(columns: Columns, path: Path) -> Path:
    """Write ``columns`` to ``path``; the format comes from its suffix.

    Parameters
    ----------
    columns
        Column name -> values (equal lengths).
    path
        Ends in ``.csv``, ``.jsonl`` or ``.parquet``, optionally followed by ``.gz``.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    fmt = name.rsplit(".", 1)[-1]
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({c: pa.array(np.asarray(v).tolist()) for c, v in columns.items()})
        pq.write_table(table, path, compression="gzip" if path.name.endswith(".gz") else None)
        return path
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"cannot write {path.name}: csv, jsonl or parquet expected")
    data = _text(columns, fmt).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path
