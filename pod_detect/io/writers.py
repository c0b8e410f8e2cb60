"""Encode a plain table in each format :mod:`pod_detect.io` reads (a helper of ``write_table``).

The same frame always gives the same bytes, so simulated exports can be compared byte for byte.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


def encode(frame: pd.DataFrame, kind: str, *, gz: bool) -> bytes:
    """Return ``frame`` as the bytes of format ``kind``, gzip-compressed when ``gz``."""
    payload = ENCODERS[kind](frame.reset_index(drop=True))
    return gzip.compress(payload, mtime=0) if gz else payload


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _delimited(delimiter: str) -> Callable[[pd.DataFrame], bytes]:
    def encode(frame: pd.DataFrame) -> bytes:
        sink = pa.BufferOutputStream()
        options = pcsv.WriteOptions(delimiter=delimiter, quoting_style="needed")
        pcsv.write_csv(_arrow(frame), sink, write_options=options)
        return bytes(sink.getvalue())

    return encode


def _json(lines: bool) -> Callable[[pd.DataFrame], bytes]:
    def encode(frame: pd.DataFrame) -> bytes:
        text = frame.to_json(orient="records", lines=lines, double_precision=15,
                             date_format="iso", force_ascii=False)
        return (text or "").encode("utf-8")

    return encode


def _parquet(frame: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(_arrow(frame), sink)
    return bytes(sink.getvalue())


#: The encoder of each format.
ENCODERS: dict[str, Callable[[pd.DataFrame], bytes]] = {
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
    "json": _json(False),
    "jsonl": _json(True),
    "parquet": _parquet,
}
