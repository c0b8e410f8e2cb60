"""Read CSV/TSV, JSON, JSON Lines and Parquet bytes into a raw table (helpers of :mod:`.io`).

The bytes are already decompressed and UTF-8 (see :mod:`pod_detect._sources`). Every failure
becomes a one-line :class:`~pod_detect.errors.InputError` with the row when it is known.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from pod_detect._sources import SAMPLE, check_names, decode_error, one_line
from pod_detect.errors import InputError

# --------------------------------------------------------------------------- delimited text


def read_delimited(data: pa.Buffer, name: str, encoding: str, *, preferred: str) -> pd.DataFrame:
    """Read CSV/TSV (``,``, tab or ``;`` chosen from the header) with every column as strings."""
    delimiter, header = _header(data, name, preferred, encoding)
    check_names(header, name)
    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    convert = pcsv.ConvertOptions(
        column_types={column: pa.string() for column in header},
        strings_can_be_null=False, quoted_strings_can_be_null=False,
    )
    try:
        table = pcsv.read_csv(pa.BufferReader(data), parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise _csv_error(str(exc), data, name, delimiter, len(header), encoding) from None
    if table.num_rows == 0:
        raise InputError("has a header but no rows", source=name)
    return table.to_pandas()


def _header(data: pa.Buffer, name: str, preferred: str, encoding: str) -> tuple[str, list[str]]:
    head = data[:SAMPLE].to_pybytes()
    if data.size > SAMPLE and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise decode_error(exc, head, name, encoding, first_row=0) from None
    if not text.strip():
        raise InputError("is empty", source=name)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (preferred, ",", "\t", ";")}
    delimiter = preferred if counts[preferred] else max(counts, key=counts.__getitem__)
    try:
        header = next(csv.reader(io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"cannot read the header: {one_line(exc)}", source=name, row=0) from None
    return delimiter, header


def _csv_error(
    message: str, data: pa.Buffer, name: str, delimiter: str, width: int, encoding: str
) -> InputError:
    if "Empty CSV file" in message:  # a header without a line end, nothing else
        return InputError("has a header but no rows", source=name)
    if "UTF8" in message:
        raw = memoryview(data)
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            return decode_error(exc, raw, name, encoding, first_row=0)
    if "Expected" in message and "columns" in message:
        row, fields = _ragged_row(data, delimiter, width)
        if row is not None:
            return InputError(
                f"has {fields} fields but the header has {width}", source=name, row=row
            )
    return InputError(f"cannot read as delimited text: {one_line(message)}", source=name)


def _ragged_row(data: pa.Buffer, delimiter: str, width: int) -> tuple[int | None, int]:
    """Find the first record whose field count differs from the header's (error path only)."""
    text = data.to_pybytes().decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 0
    try:
        for record in reader:
            if not record:
                continue
            if len(record) != width:
                return row, len(record)
            row += 1
    except csv.Error:
        pass
    return None, 0


# --------------------------------------------------------------------------- JSON


def read_json(data: pa.Buffer, name: str, encoding: str) -> pd.DataFrame:
    """Read a JSON array of objects."""
    raw = memoryview(data)
    try:
        document = json.loads(bytes(raw))
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=None) from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and bytes(raw[:SAMPLE]).lstrip()[:1] == b"{":
            return read_jsonl(data, name, encoding)
        raise InputError(
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=name
        ) from None
    if not isinstance(document, list):
        raise InputError(
            f"is a JSON {_json_type(document)}, not a list of records ([{{...}}, {{...}}])",
            source=name,
        )
    return _records_frame(document, name, rows=None)


def read_jsonl(data: pa.Buffer, name: str, encoding: str) -> pd.DataFrame:
    """Read JSON Lines: pyarrow when it can, exact Python parsing when it cannot."""
    try:
        table = pjson.read_json(pa.BufferReader(data))
        table.validate(full=True)  # pyarrow.json does not check UTF-8 by itself
        frame = None if _lossy(table) else arrow_to_pandas(table)
    except (pa.ArrowException, UnicodeDecodeError):  # the exact path below says what is wrong
        frame = None
    if frame is not None:
        if len(frame) == 0:
            raise InputError("has no rows", source=name)
        return frame
    raw = memoryview(data)
    try:
        lines = bytes(raw).decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=1) from None
    numbers = [i + 1 for i, line in enumerate(lines) if line.strip()]
    try:
        records = json.loads("[" + ",".join(lines[i - 1] for i in numbers) + "]")
    except json.JSONDecodeError:
        records = _jsonl_records(lines, numbers, name)
    if len(records) != len(numbers):  # several objects on one line: line numbers unknown
        return _records_frame(records, name, rows=None)
    return _records_frame(records, name, rows=numbers)


def _jsonl_records(lines: list[str], numbers: list[int], name: str) -> list[Any]:
    records = []
    for number in numbers:
        try:
            records.append(json.loads(lines[number - 1]))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"is not valid JSON: {exc.msg} at column {exc.colno}", source=name, row=number
            ) from None
    return records


def _lossy(table: pa.Table) -> bool:
    """True when pyarrow read integers too large for float64 (ids would lose digits)."""
    for column in table.columns:
        floating = pa.types.is_floating(column.type) and column.null_count < len(column)
        if floating and pc.max(pc.abs(column)).as_py() > 2.0**53:
            return True
    return False


def _records_frame(records: list[Any], name: str, *, rows: list[int] | None) -> pd.DataFrame:
    if not records:
        raise InputError("has no rows", source=name)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            row = rows[index] if rows is not None else index + 1
            raise InputError(f"is a JSON {_json_type(record)}, not an object", source=name, row=row)
    return pd.DataFrame(records, dtype=object)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


# --------------------------------------------------------------------------- Parquet


def read_parquet(data: pa.Buffer, name: str, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a Parquet file (``encoding`` is unused: Parquet strings are UTF-8)."""
    try:
        table = pq.read_table(pa.BufferReader(data))
        table.validate(full=True)  # e.g. strings that are not UTF-8
    except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError: a ValueError
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None
    if table.num_rows == 0:
        raise InputError("has no rows", source=name)
    try:
        return arrow_to_pandas(table)
    except Exception:  # damaged pandas metadata: it is optional, so read without it
        pass
    try:
        return arrow_to_pandas(table.replace_schema_metadata(None))
    except Exception as exc:
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert keeping integer columns exact (nullable integers instead of float with NaN)."""

    def mapper(kind: pa.DataType) -> Any:
        if pa.types.is_unsigned_integer(kind):
            return pd.UInt64Dtype()
        if pa.types.is_integer(kind):
            return pd.Int64Dtype()
        if pa.types.is_boolean(kind):
            return pd.BooleanDtype()
        return None

    return table.to_pandas(types_mapper=mapper)


#: The reader of each format, called as ``reader(data, name, encoding)``.
READERS: dict[str, Callable[[pa.Buffer, str, str], pd.DataFrame]] = {
    "csv": partial(read_delimited, preferred=","),
    "tsv": partial(read_delimited, preferred="\t"),
    "json": read_json,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
}
