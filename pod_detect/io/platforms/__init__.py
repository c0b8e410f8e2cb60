"""Platform exports, registered by name: one module per platform, each a
:class:`~pod_detect.io.platforms.base.Platform` (a recogniser and a record-to-rows function);
``--input-format`` offers these keys beside the container formats.

A file is read with the first platform, in :data:`PLATFORMS` order, that recognises its first
records, unless ``--input-format`` names a platform (that one) or a container format (none:
the file is read flat), or ``--map`` is given (the user said which column is which). Adding
a platform is one module here and one line in :data:`PLATFORMS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np
import pyarrow as pa

from pod_detect.errors import InputError
from pod_detect.io.platforms import bluesky, crowdtangle, github, instagram, reddit, twitter
from pod_detect.io.platforms.base import (
    POST,
    BadRecord,
    Platform,
    Record,
    Row,
    Sample,
)
from pod_detect.io.readers.base import Raw, arrow_columns, arrow_to_pandas

#: Every platform, by ``--input-format`` key, in the order they are tried.
PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    twitter.PLATFORM, bluesky.PLATFORM, reddit.PLATFORM, instagram.PLATFORM, github.PLATFORM,
    crowdtangle.PLATFORM,
)}

#: Records a recogniser is shown.
SAMPLED = 20

__all__ = ["PLATFORMS", "POST", "Platform", "Row", "Sample", "adapt", "recognise", "sample"]


def sample(container: str, records: Iterable[Record]) -> Sample:
    """The first :data:`SAMPLED` records that are objects, and their field names."""
    first = tuple(r for r in islice(records, SAMPLED) if isinstance(r, dict))
    names = tuple(dict.fromkeys(str(k) for r in first for k in r))
    return Sample(container, names, first)


def recognise(found: Sample) -> Platform | None:
    """The first platform that recognises the sample, or None (a flat table)."""
    for platform in PLATFORMS.values():
        if found.container in platform.containers and found.records and platform.recognise(found):
            return platform
    return None


def adapt(platform: Platform, records: Iterable[tuple[int, Any]], name: str, *,
          skip: bool, chosen: bool) -> tuple[Raw, str]:
    """Every record's rows as a raw table of canonical columns, and the note saying so.

    ``records`` gives each record with its row number in the input. A record that is not an
    object, or that :class:`BadRecord` says lacks something, is an error naming its row (the
    field's path as the column), or with ``skip`` left out and counted."""
    made: list[Row] = []
    numbers: list[int] = []
    skipped: list[InputError] = []
    seen = without = 0
    rows = platform.rows
    for number, record in records:
        seen += 1
        try:
            if not isinstance(record, dict):
                raise BadRecord(f"is a JSON {_json_type(record)}, not an object")
            found = list(rows(record))
        except BadRecord as exc:
            error = InputError(f"{platform.title}: the record {exc.message}", source=name,
                               row=number, column=exc.path)
            if not skip:
                raise error from None
            skipped.append(error)
            continue
        if not found:
            without += 1
            continue
        made += found
        numbers += [number] * len(found)
    if not numbers and not skipped:
        raise InputError(f"has no engagements: none of its {_plural(seen, 'record')} is an "
                         f"engagement or a post that the {platform.title} adapter reads "
                         "(docs/inputs.md)", source=name)
    # one list per column, by transposing the rows (a post record's missing post time is
    # its own time: pod_detect.io.table.fill_post_times)
    columns = dict(zip(Row._fields, map(list, zip(*made, strict=True)), strict=True)) \
        if made else {c: [] for c in Row._fields}
    kinds = Counter(columns["kind"])
    wanted = [c for c in Row._fields if c in platform.provides or c in ("actor", "kind")]
    table = pa.table({c: _array(columns[c]) for c in wanted})
    note = _note(platform, chosen, seen, kinds, without)
    return Raw(arrow_columns(table, arrow_to_pandas), np.asarray(numbers, dtype=np.int64),
               tuple(skipped), records=seen), note


def _array(values: list[Any]) -> pa.Array:
    """A column of strings, or of numbers when every value given is one (epoch times)."""
    given = [v for v in values if v is not None]
    if given and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given):
        if all(isinstance(v, int) for v in given) and all(abs(v) < 2**63 for v in given):
            return pa.array(values, pa.int64())
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    return pa.array([None if v is None else str(v) for v in values], pa.large_string())


def _note(platform: Platform, chosen: bool, seen: int, kinds: Counter[str], without: int) -> str:
    how = "as --input-format asked" if chosen else "recognised from its fields"
    counted = ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items()) if k != POST)
    posts = (f"; {_plural(kinds[POST], 'post record')} for authors and post times"
             if kinds[POST] else "")
    left = f"; {_plural(without, 'record')} with no engagement left out" if without else ""
    found = f"engagements by kind: {counted}" if counted else "no engagement"
    return f"read as {platform.title} ({how}): {_plural(seen, 'record')}; {found}{posts}{left}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def numbered(records: Iterable[Any], first: int = 1) -> Iterator[tuple[int, Any]]:
    """Records with their row numbers, counted from ``first``."""
    return enumerate(records, start=first)
