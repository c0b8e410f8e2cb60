"""Input formats, registered by name: one module per format, each a function from bytes to a
:class:`~pod_detect.io.readers.base.Raw` table; ``--input-format`` offers these keys.

The bytes given to a reader are already decompressed and UTF-8 (:mod:`pod_detect.io.sources`
did that and sniffed the format). Every failure becomes a one-line
:class:`~pod_detect.errors.InputError` naming the row when it is known.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pod_detect.io.readers import delimited, json, parquet
from pod_detect.io.readers.base import Columns, Raw, arrow_to_pandas

#: The reader of each format, called as ``reader(data, name, encoding, skip=...)``; the
#: delimited ones also take ``file`` and ``times`` (see
#: :func:`~pod_detect.io.readers.delimited.read_delimited`).
READERS: dict[str, Callable[..., Raw]] = {
    "csv": partial(delimited.read_delimited, preferred=","),
    "tsv": partial(delimited.read_delimited, preferred="\t"),
    "json": json.read_json,
    "jsonl": json.read_jsonl,
    "parquet": parquet.read_parquet,
}

__all__ = ["READERS", "Columns", "Raw", "arrow_to_pandas"]
