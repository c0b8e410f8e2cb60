"""JSON (an array of objects) and JSON Lines (one object per line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pjson

from pod_detect.errors import InputError
from pod_detect.io.nesting import check_document, check_lines
from pod_detect.io.readers.base import Columns, Raw, arrow_columns, arrow_to_pandas
from pod_detect.io.sources import SAMPLE, decode_error

#: What :func:`document` gives for a ``.json`` file that holds JSON Lines.
LINES = object()


def read_json(data: pa.Buffer, name: str, encoding: str, *, skip: bool = False) -> Raw:
    """Read a JSON array of objects (with ``skip``, items that are not objects are left out)."""
    parsed = document(data, name, encoding)
    if parsed is LINES:
        return read_jsonl(data, name, encoding, skip=skip)
    return from_document(parsed, name, skip=skip)


def document(data: pa.Buffer, name: str, encoding: str) -> Any:
    """The parsed JSON document, or :data:`LINES` when it is JSON Lines (several objects)."""
    raw = memoryview(data)
    check_document(raw, name)
    try:
        return json.loads(bytes(raw))
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=None) from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and bytes(raw[:SAMPLE]).lstrip()[:1] == b"{":
            return LINES
        raise InputError(
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=name
        ) from None


def from_document(parsed: Any, name: str, *, skip: bool = False) -> Raw:
    """The table of a parsed document that is a list of records."""
    if not isinstance(parsed, list):
        raise InputError(
            f"is a JSON {_json_type(parsed)}, not a list of records ([{{...}}, {{...}}]), nor "
            "an export of a platform pod-detect knows (see --input-format and docs/inputs.md)",
            source=name,
        )
    return _records_frame(parsed, name, rows=None, skip=skip)


def first_records(data: pa.Buffer, limit: int) -> list[Any]:
    """The first ``limit`` JSON Lines records that parse (for recognising a platform), read
    from the start of the file only."""
    size = 1 << 20
    while True:
        head = data[:size].to_pybytes()
        lines = head.split(b"\n")
        if size < data.size:
            lines = lines[:-1]  # the last one may be cut
        if lines or size >= data.size or size >= 1 << 26:
            break
        size *= 8
    records: list[Any] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (ValueError, RecursionError):
            continue
        if len(records) >= limit:
            break
    return records


def line_records(data: pa.Buffer, name: str, encoding: str, *, skip: bool,
                 skipped: list[InputError]) -> Iterator[tuple[int, Any]]:
    """Every JSON Lines record with its line number; a line that is not JSON is an error,
    or with ``skip`` left out (its error added to ``skipped``)."""
    raw = memoryview(data)
    try:
        lines = bytes(raw).decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=1) from None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            error = InputError(f"is not valid JSON: {exc.msg} at column {exc.colno}",
                               source=name, row=index + 1)
            if not skip:
                raise error from None
            skipped.append(error)
            continue
        yield index + 1, record


def read_jsonl(data: pa.Buffer, name: str, encoding: str, *, skip: bool = False) -> Raw:
    """Read JSON Lines: pyarrow when it can, exact Python parsing when it cannot.

    With ``skip``, lines that are not valid JSON objects are left out.
    """
    check_lines(memoryview(data), name)
    try:
        table = pjson.read_json(pa.BufferReader(data))
        table.validate(full=True)  # pyarrow.json does not check UTF-8 by itself
        columns = None if _lossy(table) else arrow_columns(table, arrow_to_pandas)
    except MemoryError:
        raise
    except (pa.ArrowException, UnicodeDecodeError):  # the exact path below says what is wrong
        columns = None
    if columns is not None:
        if len(columns) == 0:
            raise InputError("has no rows", source=name)
        return Raw(columns)
    raw = memoryview(data)
    try:
        lines = bytes(raw).decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=1) from None
    numbers = [i + 1 for i, line in enumerate(lines) if line.strip()]
    try:
        records = json.loads("[" + ",".join(lines[i - 1] for i in numbers) + "]")
    except json.JSONDecodeError:
        records, numbers, skipped = _jsonl_records(lines, numbers, name, skip)
        return _records_frame(records, name, rows=numbers, skip=skip, skipped=skipped)
    if len(records) != len(numbers):  # several objects on one line: line numbers unknown
        return _records_frame(records, name, rows=None, skip=skip)
    return _records_frame(records, name, rows=numbers, skip=skip)


def _jsonl_records(
    lines: list[str], numbers: list[int], name: str, skip: bool
) -> tuple[list[Any], list[int], tuple[InputError, ...]]:
    records, kept, skipped = [], [], []
    for number in numbers:
        try:
            records.append(json.loads(lines[number - 1]))
            kept.append(number)
        except json.JSONDecodeError as exc:
            error = InputError(f"is not valid JSON: {exc.msg} at column {exc.colno}",
                               source=name, row=number)
            if not skip:
                raise error from None
            skipped.append(error)
    return records, kept, tuple(skipped)


def _lossy(table: pa.Table) -> bool:
    """True when pyarrow read integers too large for float64 (ids would lose digits)."""
    for column in table.columns:
        floating = pa.types.is_floating(column.type) and column.null_count < len(column)
        if floating and pc.max(pc.abs(column)).as_py() > 2.0**53:
            return True
    return False


def _records_frame(
    records: list[Any], name: str, *, rows: list[int] | None, skip: bool = False,
    skipped: tuple[InputError, ...] = (),
) -> Raw:
    numbers = rows if rows is not None else list(range(1, len(records) + 1))
    kept, errors = [], list(skipped)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            error = InputError(f"is a JSON {_json_type(record)}, not an object",
                               source=name, row=numbers[index])
            if not skip:
                raise error
            errors.append(error)
        else:
            kept.append(index)
    if not kept and not errors:
        raise InputError("has no rows", source=name)
    frame = pd.DataFrame([records[i] for i in kept], dtype=object)
    return Raw(Columns(frame), np.array([numbers[i] for i in kept], dtype=np.int64), tuple(errors))


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


