"""Read CSV/TSV, JSON, JSON Lines and Parquet bytes into a raw table (helpers of :mod:`.io`).

The bytes are already decompressed and UTF-8 (see :mod:`pod_detect.io.sources`). Every failure
becomes a one-line :class:`~pod_detect.errors.InputError` with the row when it is known.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

from pod_detect.errors import InputError
from pod_detect.io import times as _timeparse
from pod_detect.io.sources import SAMPLE, check_names, decode_error, one_line
from pod_detect.io.strings import STR, is_arrow_text


class Columns:
    """A raw table's columns by name: arrow string columns as read (and the columns of
    ``times``, which the reader parsed as times), any other in pandas.

    Made from a pandas frame, or from an arrow table whose pandas frame (:attr:`frame`) is
    made only when asked for, by ``convert``. The other columns of a table are converted
    apart (``others``, by position), or else taken from that frame.
    """

    def __init__(
        self, frame: pd.DataFrame | None = None, *, table: pa.Table | None = None,
        convert: Callable[[pa.Table], pd.DataFrame] | None = None,
        others: dict[int, pd.Series] | None = None, times: Iterable[str] = (),
    ) -> None:
        self._frame, self._table, self._convert = frame, table, convert
        self._others = others or {}
        self._times = frozenset(times)
        source = frame.columns if frame is not None else table.column_names  # type: ignore[union-attr]
        #: The column names, as strings.
        self.names = [str(name) for name in source]

    def __len__(self) -> int:
        return self._table.num_rows if self._table is not None else len(self.frame)

    @property
    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame (strings as strings, integers exact)."""
        if self._frame is None:
            self._frame = self._convert(self._table)  # type: ignore[misc]
        return self._frame

    def column(self, name: str) -> pd.Series | pa.ChunkedArray:
        """The column ``name``: an arrow column of strings, or a pandas column."""
        index = self.names.index(name)
        if self._table is not None:
            values = self._table.column(index)
            if is_arrow_text(values) or name in self._times:
                return values
            if index in self._others:
                return self._others[index]
        return self.frame.iloc[:, index]


class Raw(NamedTuple):
    """A raw table, the input's row number of each of its rows, and the rows left out."""

    columns: Columns
    #: Row number of each table row in the input; None: position + 1.
    numbers: np.ndarray | None = None
    #: One error per input row the reader dropped (only when asked to skip them).
    skipped: tuple[InputError, ...] = ()

    @property
    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame."""
        return self.columns.frame


# --------------------------------------------------------------------------- delimited text


def read_delimited(
    data: pa.Buffer, name: str, encoding: str, *, preferred: str, skip: bool = False,
    file: str | None = None, times: Callable[[list[str]], list[str]] | None = None,
) -> Raw:
    """Read CSV/TSV (``,``, tab or ``;`` chosen from the header) with every column as strings.

    With ``skip``, rows with more or fewer fields than the header are left out (and
    described in :attr:`Raw.skipped`) instead of failing the read. ``file``: the path
    whose bytes ``data`` maps, read again as a stream for the parser (block by block into
    reused buffers, where reading a mapping faults in every page of it: about twice as
    fast); ``data`` is still what the header, the checks and the error messages look at.

    ``times`` names, given the header, the columns that will be read as times: those the
    reader parses itself, in its threads, when the first rows are all ISO times pyarrow
    reads (see :func:`pod_detect.io.times.stamp_type`). If a later value is not, or a
    time is out of the trusted range, the file is read again with strings, so what comes
    out is what reading the strings gives.
    """
    delimiter, header = _header(data, name, preferred, encoding)
    check_names(header, name)
    ragged: list[Any] = []

    def left_out(row: Any) -> str:
        ragged.append(row)
        return "skip"

    parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                              invalid_row_handler=left_out if skip else None)
    strings = {column: pa.string() for column in header}
    stamps = _stamp_types(data, parse, strings, times(header) if times else [])
    table = None
    if stamps:
        try:
            table = _parse_csv(data, file, parse, {**strings, **stamps}, [""])
        except pa.ArrowInvalid:
            table = None
        if table is not None and not all(
                _timeparse.trusted(table.column(c)) for c in stamps):
            table = None
        if table is None:
            ragged.clear()
    if table is None:
        stamps = {}
        try:
            table = _parse_csv(data, file, parse, strings, None)
        except pa.ArrowInvalid as exc:
            raise _csv_error(str(exc), data, name, delimiter, header, encoding) from None
    _check_quotes(data, table, name, delimiter, header)
    if table.num_rows == 0 and not ragged:
        raise InputError("has a header but no rows", source=name)
    columns = Columns(table=table, convert=pa.Table.to_pandas, times=stamps)
    if not ragged:
        return Raw(columns)
    rows = _ragged_rows(data, delimiter, len(header))
    skipped = tuple(_ragged_error(row, fields, header, name) for row, fields in rows)
    total = table.num_rows + len(rows)
    numbers: np.ndarray | None = np.setdiff1d(np.arange(1, total + 1), [r for r, _ in rows])
    if numbers is None or len(numbers) != table.num_rows:  # the parsers disagree: unknown
        numbers = None
        skipped = tuple(InputError("has the wrong number of fields", source=name)
                        for _ in ragged)
    return Raw(columns, numbers, skipped)


def _parse_csv(data: pa.Buffer, file: str | None, parse: pcsv.ParseOptions,
               types: dict[str, pa.DataType], nulls: list[str] | None) -> pa.Table:
    """The table of ``data`` (from a stream of ``file`` when given), columns of ``types``;
    strings are never missing, other values only when they are one of ``nulls``."""
    convert = pcsv.ConvertOptions(
        column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False,
        **({"null_values": nulls} if nulls is not None else {}),
    )
    stream = pa.OSFile(file) if file is not None else pa.BufferReader(data)
    with stream:
        return pcsv.read_csv(stream, parse_options=parse, convert_options=convert)


def _stamp_types(data: pa.Buffer, parse: pcsv.ParseOptions, strings: dict[str, pa.DataType],
                 wanted: list[str]) -> dict[str, pa.DataType]:
    """The type the reader can parse each of the ``wanted`` columns as, judged on the first
    rows (the last one left out: it may be cut); only those columns that have one."""
    if not wanted or data.size <= SAMPLE:  # small: one read of strings costs nothing
        return {}
    head = data[:SAMPLE].to_pybytes()
    head = head[: head.rindex(b"\n") + 1] if b"\n" in head else b""
    try:
        sample = pcsv.read_csv(pa.BufferReader(head), parse_options=pcsv.ParseOptions(
            delimiter=parse.delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types=strings,
                                                strings_can_be_null=False))
    except pa.ArrowInvalid:
        return {}
    if sample.num_rows < 2:
        return {}
    sample = sample.slice(0, sample.num_rows - 1)
    found = {c: _timeparse.stamp_type(sample.column(c)) for c in wanted
             if c in sample.column_names}
    return {c: kind for c, kind in found.items() if kind is not None}


def _check_quotes(
    data: pa.Buffer, table: pa.Table, name: str, delimiter: str, header: list[str]
) -> None:
    """Refuse a quote that never closes (pyarrow reads it to the end of the file silently).

    Cheap signs first: an odd number of quote characters and a line end in the last row's
    values; only then is the text walked.
    """
    if table.num_rows == 0:
        return
    last = table.slice(table.num_rows - 1).to_pylist()[0].values()
    if not any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in last):
        return
    if int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == ord('"'))) % 2 == 0:
        return
    opened = _unclosed_quote(data.to_pybytes().decode("utf-8", errors="replace"), delimiter)
    if opened is not None:
        row, field = opened
        raise InputError("a quote opens here and never closes (the rest of the file would be "
                         "one value)", source=name, row=row,
                         column=header[field] if field < len(header) else None)


def _unclosed_quote(text: str, delimiter: str) -> tuple[int, int] | None:
    """(row, field) where a quoted value opens and runs to the end of ``text``, or None.

    The rules of the CSV readers: a quote opens a value only at its start; ``""`` inside
    a quoted value is a quote; blank lines are not rows; the header is row 0.
    """
    row = field = 0
    opened = (0, 0)
    quoted, at_start, content = False, True, False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        i += 1
        if quoted:
            if char == '"':
                if i < n and text[i] == '"':
                    i += 1
                else:
                    quoted = False
            continue
        if char in "\r\n":
            row += 1 if content else 0
            field, at_start, content = 0, True, False
            continue
        if char == '"' and at_start:
            quoted, opened = True, (row, field)
        at_start = char == delimiter
        field += char == delimiter
        content = True
    return opened if quoted else None


def _ragged_error(row: int, fields: int, header: list[str], name: str) -> InputError:
    width = len(header)
    if fields < width:
        what = f"; column {header[fields]!r} is missing"
    else:
        what = f"; a field after the last column {header[-1]!r} (an unquoted delimiter?)"
    return InputError(f"has {fields} fields but the header has {width}{what}",
                      source=name, row=row)


def _header(data: pa.Buffer, name: str, preferred: str, encoding: str) -> tuple[str, list[str]]:
    head = data[:SAMPLE].to_pybytes()
    if data.size > SAMPLE and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = head[: exc.start].decode("utf-8")
        if "\n" not in before.lstrip("\r\n"):  # in the header itself
            raise decode_error(exc, head, name, encoding, first_row=0) from None
        delimiter, header = _split_header(before, preferred, name)
        raise _decode_error_in_csv(exc, head, name, encoding, delimiter, header) from None
    if not text.strip():
        raise InputError("is empty", source=name)
    return _split_header(text, preferred, name)


def _split_header(text: str, preferred: str, name: str) -> tuple[str, list[str]]:
    """The delimiter (from the first line) and the column names."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (preferred, ",", "\t", ";")}
    delimiter = preferred if counts[preferred] else max(counts, key=counts.__getitem__)
    try:
        header = next(csv.reader(io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"cannot read the header: {one_line(exc)}", source=name, row=0) from None
    return delimiter, header


def _csv_error(
    message: str, data: pa.Buffer, name: str, delimiter: str, header: list[str], encoding: str
) -> InputError:
    if "Empty CSV file" in message:  # a header without a line end, nothing else
        return InputError("has a header but no rows", source=name)
    if "UTF8" in message:
        raw = memoryview(data)
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            return _decode_error_in_csv(exc, raw, name, encoding, delimiter, header)
    if "Expected" in message and "columns" in message:
        text = data.to_pybytes().decode("utf-8", errors="replace")
        opened = _unclosed_quote(text, delimiter) if text.count('"') % 2 else None
        if opened is not None:
            return InputError("a quote opens here and never closes (the rest of the file "
                              "would be one value)", source=name, row=opened[0],
                              column=header[opened[1]] if opened[1] < len(header) else None)
        rows = _ragged_rows(data, delimiter, len(header), first_only=True)
        if rows:
            return _ragged_error(*rows[0], header, name)
    return InputError(f"cannot read as delimited text: {one_line(message)}", source=name)


def _ragged_rows(
    data: pa.Buffer, delimiter: str, width: int, *, first_only: bool = False
) -> list[tuple[int, int]]:
    """(row, fields) of the records whose field count differs from the header's.

    Error path only: Python's csv module, record by record (pyarrow does not number rows).
    """
    text = data.to_pybytes().decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row, found = 0, []
    try:
        for record in reader:
            if not record:
                continue
            if len(record) != width and row > 0:
                found.append((row, len(record)))
                if first_only:
                    break
            row += 1
    except csv.Error:
        pass
    return found


def _decode_error_in_csv(
    exc: UnicodeDecodeError, raw: Any, name: str, encoding: str, delimiter: str,
    header: list[str],
) -> InputError:
    """A decoding error naming the record and the column of the bad byte."""
    error = decode_error(exc, raw, name, encoding, first_row=0)
    prefix = bytes(raw[: exc.start]).decode("utf-8")
    try:
        records = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
    except csv.Error:
        return error
    records = [r for r in records if r]
    if prefix.endswith(("\n", "\r")) or not records:
        row, field = len(records), 0
    else:
        row, field = len(records) - 1, len(records[-1]) - 1
    error.row = row
    error.column = header[field] if 0 <= field < len(header) else None
    return error


# --------------------------------------------------------------------------- JSON


def read_json(data: pa.Buffer, name: str, encoding: str, *, skip: bool = False) -> Raw:
    """Read a JSON array of objects (with ``skip``, items that are not objects are left out)."""
    raw = memoryview(data)
    try:
        document = json.loads(bytes(raw))
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=None) from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and bytes(raw[:SAMPLE]).lstrip()[:1] == b"{":
            return read_jsonl(data, name, encoding, skip=skip)
        raise InputError(
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=name
        ) from None
    if not isinstance(document, list):
        raise InputError(
            f"is a JSON {_json_type(document)}, not a list of records ([{{...}}, {{...}}])",
            source=name,
        )
    return _records_frame(document, name, rows=None, skip=skip)


def read_jsonl(data: pa.Buffer, name: str, encoding: str, *, skip: bool = False) -> Raw:
    """Read JSON Lines: pyarrow when it can, exact Python parsing when it cannot.

    With ``skip``, lines that are not valid JSON objects are left out.
    """
    try:
        table = pjson.read_json(pa.BufferReader(data))
        table.validate(full=True)  # pyarrow.json does not check UTF-8 by itself
        columns = None if _lossy(table) else _arrow_columns(table, arrow_to_pandas)
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


# --------------------------------------------------------------------------- Parquet


def read_parquet(data: pa.Buffer, name: str, encoding: str = "utf-8", *, skip: bool = False) -> Raw:
    """Read a Parquet file (``encoding`` and ``skip`` are unused: Parquet strings are UTF-8
    and its rows all have every column)."""
    try:
        table = pq.read_table(pa.BufferReader(data))
        table.validate(full=True)  # e.g. strings that are not UTF-8
    except MemoryError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError: a ValueError
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None
    if table.num_rows == 0:
        raise InputError("has no rows", source=name)
    return Raw(_parquet_columns(table, name))


def _parquet_columns(table: pa.Table, name: str) -> Columns:
    """The columns, in arrow where the pandas frame would hold them as they are.

    Without pandas metadata every column converts on its own; with it, only a table of
    string columns that the metadata leaves alone (checked on no rows) stays in arrow.
    """
    convert = partial(_parquet_frame, name=name)
    if b"pandas" not in (table.schema.metadata or {}):  # (unparsed: if damaged, the frame says)
        try:
            return _arrow_columns(table, convert)
        except MemoryError:
            raise
        except Exception:  # the whole frame says what is wrong
            pass
    elif all(is_arrow_text(column) for column in table.columns) and _plain(table):
        return Columns(table=table, convert=convert)
    return Columns(convert(table))


def _plain(table: pa.Table) -> bool:
    """Whether the pandas metadata keeps the columns' names and makes every one a string."""
    try:
        probe = arrow_to_pandas(table.slice(0, 0))
    except MemoryError:
        raise
    except Exception:
        return False
    return list(probe.columns) == table.column_names and all(t == STR for t in probe.dtypes)


def _parquet_frame(table: pa.Table, name: str) -> pd.DataFrame:
    try:
        return arrow_to_pandas(table)
    except MemoryError:
        raise
    except Exception:  # damaged pandas metadata: it is optional, so read without it
        pass
    try:
        return arrow_to_pandas(table.replace_schema_metadata(None))
    except MemoryError:
        raise
    except Exception as exc:
        raise InputError(f"is not a valid Parquet file ({one_line(exc)})", source=name) from None


def _arrow_columns(table: pa.Table, convert: Callable[[pa.Table], pd.DataFrame]) -> Columns:
    """Columns of a table without pandas metadata: strings in arrow, the others converted."""
    others = {
        index: arrow_to_pandas(pa.table([column], names=["column"]))["column"]
        for index, column in enumerate(table.columns) if not is_arrow_text(column)
    }
    return Columns(table=table, convert=convert, others=others)


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


#: The reader of each format, called as ``reader(data, name, encoding, skip=...)``; the
#: delimited ones also take ``file`` and ``times`` (see :func:`read_delimited`).
READERS: dict[str, Callable[..., Raw]] = {
    "csv": partial(read_delimited, preferred=","),
    "tsv": partial(read_delimited, preferred="\t"),
    "json": read_json,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
}
