"""CSV and TSV: pyarrow's reader (streamed from the file when it can be), with the quoting,
ragged-row and decoding errors a user can act on, each naming its row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from pod_detect.errors import InputError
from pod_detect.io import times as _timeparse
from pod_detect.io.readers.base import Columns, Raw
from pod_detect.io.sources import SAMPLE, check_names, decode_error, one_line


def read_delimited(
    data: pa.Buffer, name: str, encoding: str, *, preferred: str, skip: bool = False,
    file: str | None = None, times: Callable[[list[str]], list[str]] | None = None,
) -> Raw:
    """Read CSV/TSV (``,``, tab or ``;`` chosen from the header) with every column as strings.

    With ``skip``, rows with more or fewer fields than the header are left out (and
    described in :attr:`Raw.skipped`) instead of failing the read. ``file``: the path
    whose bytes ``data`` holds, read again as a stream for the parser (block by block into
    reused buffers); ``data`` is still what the header, the checks and the error messages
    look at (the caller checks that the file did not change in between).

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


#: The longest header line read (a header is column names: this is thousands of them).
MAX_HEADER = 1 << 24


def _head(data: pa.Buffer, name: str) -> bytes:
    """The first :data:`~pod_detect.io.sources.SAMPLE` bytes cut after their last line end,
    or, when the header line alone is longer, the bytes through its end: a 64 KiB cut in
    the middle of a character of a long header is no reason to call the file undecodable."""
    head = data[:SAMPLE].to_pybytes()
    if data.size <= SAMPLE:
        return head
    if b"\n" in head:
        return head[: head.rindex(b"\n") + 1]
    size = SAMPLE
    while size < min(data.size, MAX_HEADER):
        size = min(size * 4, MAX_HEADER, data.size)
        head = data[:size].to_pybytes()
        if b"\n" in head:
            return head[: head.index(b"\n") + 1]
    if data.size > MAX_HEADER:
        raise InputError(f"has no line end in its first {MAX_HEADER >> 20} MiB: no header "
                         "line is that long (a file of another format?)", source=name)
    return head


def _header(data: pa.Buffer, name: str, preferred: str, encoding: str) -> tuple[str, list[str]]:
    head = _head(data, name)
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


