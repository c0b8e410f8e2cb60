"""Read an export (CSV, TSV, JSON, JSON Lines, Parquet; gzip or not) into the canonical table.

Opening and parsing are split: :func:`read_table` only opens and reads the raw table,
:func:`parse` maps its columns onto the canonical ones and builds
:class:`~pod_detect.model.Interactions`; :func:`load` does both. Every problem with the input
is a one-line :class:`~pod_detect.errors.InputError` naming the file, row and column.

Rows are numbered from 1 for the first record (the header of delimited text is row 0; in
JSON Lines row N is line N; in a JSON array row N is item N).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import IO

import pandas as pd
import pyarrow as pa

from pod_detect.errors import ConfigError, InputError
from pod_detect.io import files as _files
from pod_detect.io import merge as _merge
from pod_detect.io import notes as _notes
from pod_detect.io import platforms as _platforms
from pod_detect.io import readers as _readers
from pod_detect.io import sources as _sources
from pod_detect.io import writers as _writers
from pod_detect.io.badrows import ON_BAD_ROWS, BadRows
from pod_detect.io.canonical import Reading, Timing, threads
from pod_detect.io.columns import ALIASES, derives_posts, match_columns, require, time_columns
from pod_detect.io.nesting import check_lines
from pod_detect.io.platforms import PLATFORMS
from pod_detect.io.readers import json as _json
from pod_detect.io.sources import FORMATS
from pod_detect.io.table import compact
from pod_detect.model import Interactions, ReadNotes

#: Lines before the first record: a delimited file's header.
HEADER_LINES = {"csv": 1, "tsv": 1}

__all__ = ["ALIASES", "FORMATS", "ON_BAD_ROWS", "PLATFORMS", "bad_rows_note", "derives_posts",
           "load", "load_all", "parse", "read_table", "write_table"]

Source = str | os.PathLike[str] | IO[bytes]


def load(
    source: Source,
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    stdin: IO[bytes] | None = None,
    on_bad_rows: str = "error",
    max_input_bytes: int | None = None,
    time_format: str | None = None,
    dayfirst: bool = False,
    settle: bool = True,
) -> Interactions:
    """Read an export, or several, into the canonical interactions table.

    Parameters
    ----------
    source
        A path, ``"-"`` for standard input, or a binary file object; or a list of them,
        glob patterns and directories, read as one export (:func:`load_all`).
    fmt
        One of :data:`FORMATS` (optionally with ``.gz``), which reads the file as a flat
        table; or a key of :data:`~pod_detect.io.platforms.PLATFORMS`, which reads it with
        that platform's adapter. Default: the platform whose export the first records are,
        else a flat table in the format the name or the bytes say.
    mapping
        ``{canonical: their_column}``, as given by ``--map canonical=theirs``; a dotted name
        (``commit.record.subject.uri``) is a field inside a nested column. With a mapping
        no platform is recognised (the map says which column is which).
    encoding
        Text encoding of CSV/TSV/JSON input.
    stdin
        The stream ``"-"`` reads (default ``sys.stdin.buffer``).
    on_bad_rows
        ``"error"``: the first row that fails (ragged, blank actor, a time that cannot be
        read, a post with two authors, a JSON item that is not an object) is an error;
        ``"skip"`` or ``"warn"``: such rows are dropped and counted in
        ``dropped["bad_row"]``, with a note (see :func:`bad_rows_note`).
    max_input_bytes
        The most bytes read, after decompression (default: half this machine's memory,
        :func:`~pod_detect.io.sources.default_max_input`): a larger input is an error
        rather than a process killed for memory.
    time_format
        A ``strptime`` form every time value has (``"%d/%m/%Y %H:%M"``); default: the forms
        :mod:`pod_detect.io.times` recognises.
    dayfirst
        Read ambiguous numeric dates (``01/03/2026``) day first.
    settle
        False keeps the post records (rows of kind ``post``) for :func:`load_all` to
        settle across files.

    Returns
    -------
    Interactions

    Raises
    ------
    InputError
        When the input cannot be opened, read or understood, or does not fit in memory.
    """
    BadRows(on_bad_rows, 0)  # check the policy before reading
    if not isinstance(source, (str, os.PathLike)) and isinstance(source, Sequence):
        return load_all(source, fmt=fmt, mapping=mapping, encoding=encoding, stdin=stdin,
                        on_bad_rows=on_bad_rows, max_input_bytes=max_input_bytes,
                        time_format=time_format, dayfirst=dayfirst)
    name = _sources.source_name(source)
    try:
        raw, name, kind, note = _read(
            source, fmt, encoding, stdin, skip=on_bad_rows != "error",
            # with a form given, the CSV reader must not read ISO-looking times its own way
            times=None if time_format else (lambda names: time_columns(names, mapping, name)),
            limit=max_input_bytes,
            adapt=not mapping)
        data = _parse(raw, name, mapping, on_bad_rows, HEADER_LINES.get(kind, 0),
                      Timing(time_format, dayfirst), note=note, settle=settle)
    except (MemoryError, pa.ArrowMemoryError):
        raise InputError(too_large(name), source=name) from None
    del raw
    # The export as read is gone; arrow's allocator keeps the pages it held (most of the
    # file's size again) for its own later use unless told to give them back.
    pa.default_memory_pool().release_unused()
    return data


def load_all(
    sources: Sequence[str | os.PathLike[str]] | str,
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    stdin: IO[bytes] | None = None,
    on_bad_rows: str = "error",
    max_input_bytes: int | None = None,
    time_format: str | None = None,
    dayfirst: bool = False,
) -> Interactions:
    """Read several exports as one: paths (``"-"`` once, for standard input), glob patterns
    and directories (every readable file below).

    Each file is read and checked as :func:`load` reads one, with the same options (its
    platform recognised on its own: a Reddit comments dump and a submissions dump can be
    read together). Their rows are then coded in one sorted space and settled together:
    a post's author and post time given by another file (its rows or its post records),
    the self-engagement that reveals, duplicates across files. A post that two files give
    different authors is an error. The notes name the file each came from.

    Raises
    ------
    InputError
        As :func:`load` for the first bad file; a path that does not exist, a pattern that
        matches nothing.
    """
    listed = [sources] if isinstance(sources, str) else [os.fspath(s) for s in sources]
    files = _files.expand(listed, stdin=True)
    options = {"fmt": fmt, "mapping": mapping, "encoding": encoding, "stdin": stdin,
               "on_bad_rows": on_bad_rows, "max_input_bytes": max_input_bytes,
               "time_format": time_format, "dayfirst": dayfirst}
    if len(files) == 1:
        return load(files[0], **options)  # type: ignore[arg-type]
    parts = [load(f, settle=False, **options) for f in files]  # type: ignore[arg-type]
    return _merge.merge(parts, [_sources.source_name(f) for f in files])


def too_large(name: str) -> str:
    """What to say when ``name`` does not fit in memory: the advice that can still help."""
    parquet = name.lower().removesuffix(".gz").endswith((".parquet", ".pq"))
    convert = "" if parquet else (
        "convert it to Parquet (typed and compressed, it takes far less memory than text), ")
    return ("does not fit in the memory available; what helps: keep only the columns "
            "pod-detect reads (actor, author, post_id, timestamp, post_time, kind, text), "
            f"{convert}or scan it with the Dask engine, which reduces it in parts on workers "
            "(pip install 'pod-detect[dask]'; scan --engine dask)")


def bad_rows_note(data: Interactions) -> str | None:
    """The note about rows dropped by ``on_bad_rows="skip"`` or ``"warn"`` (of the first input
    that dropped some, named when there are several), or None."""
    return _notes.bad_rows(data.readings, data.inputs[:len(data.readings)])


def read_table(
    source: Source,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    stdin: IO[bytes] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Open an export and read its raw table (all columns, values as read).

    Parameters
    ----------
    source, fmt, encoding, stdin
        As for :func:`load`.

    Returns
    -------
    frame : pandas.DataFrame
        The table; delimited text gives string columns, JSON and Parquet their own types.
    name : str
        The source's name for messages (the path as given, ``<stdin>`` for ``"-"``).
    """
    raw, name, _, _ = _read(source, fmt, encoding, stdin, skip=False)
    return raw.frame, name


def _read(
    source: Source, fmt: str | None, encoding: str, stdin: IO[bytes] | None, *, skip: bool,
    times: Callable[[list[str]], list[str]] | None = None, limit: int | None = None,
    adapt: bool = False,
) -> tuple[_readers.Raw, str, str, str | None]:
    """The raw table, the source's name, its container format and, when a platform's adapter
    read it, the note that says so. ``adapt``: recognise platforms (off for a container
    format given by ``fmt``, which reads the file flat)."""
    platform, forced = _choice(fmt)
    adapt = platform is not None or (adapt and forced is None)
    path = os.fspath(source) if _sources.is_path(source) else None  # type: ignore[arg-type]
    before = _sources.identity(path) if path is not None else None
    most = _sources.default_max_input() if limit is None else limit
    if path is not None and before is not None and before[2] > most:  # before reading it
        raise _sources.too_big(path, most, "has")
    data, name = _sources.open_source(source, stdin)
    _sources.unchanged(name, before, data.size)  # nothing to compare without a path
    mapped = data if path is not None else None
    data = _sources.decompress(data, name, most)
    if data.size == 0:
        raise InputError("is empty", source=name)
    _sources.check_magic(data, name)
    _sources.check_text(data, name, encoding)
    hint = None if forced else _sources.format_from_path(name)[0]
    kind = forced or ("parquet" if data[:4].to_pybytes() == b"PAR1" else None)
    if kind != "parquet":
        # Sniff before and after re-encoding: before, to number rows in decoding errors.
        first_row = {"jsonl": 1, "json": None}.get(kind or _sources.sniff(data, hint) or "", 0)
        data = _sources.to_utf8(data, encoding, name, first_row=first_row)
        kind = kind or _sources.sniff(data, hint)
    if kind is None:
        raise InputError("cannot tell the format (use --input-format)", source=name)
    raw, note = (_adapted(data, name, kind, encoding, platform, skip) if adapt else (None, None))
    if raw is None:
        reader = _readers.READERS[kind]
        if kind in ("csv", "tsv"):  # the file's bytes as they are can be streamed from it
            reader = partial(reader, file=name if data is mapped else None, times=times)
        raw = reader(data, name, encoding, skip=skip)
        if adapt and kind not in ("json", "jsonl"):
            raw, note = _adapted_table(raw, name, kind, platform, skip)
    _sources.unchanged(name, before, None)  # streamed again, or written to while checked
    return raw, name, kind, note


def _choice(fmt: str | None) -> tuple[_platforms.Platform | None, str | None]:
    """What ``--input-format`` names: a platform, or a container format (or neither)."""
    if not fmt:
        return None, None
    platform = _platforms.PLATFORMS.get(fmt.strip().lower())
    if platform is not None:
        return platform, None
    try:
        return None, _sources.format_name(fmt)[0]
    except InputError:
        raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)}, "
                         f"or a platform: {', '.join(_platforms.PLATFORMS)})") from None


def _adapted(
    data: pa.Buffer, name: str, kind: str, encoding: str,
    platform: _platforms.Platform | None, skip: bool,
) -> tuple[_readers.Raw | None, str | None]:
    """A JSON or JSON Lines file read by a platform's adapter, when one is asked for or
    recognises its first records; (None, None) otherwise (read flat)."""
    if kind == "json":
        parsed = _json.document(data, name, encoding)
        if parsed is _json.LINES:
            kind = "jsonl"
        else:
            items = parsed if isinstance(parsed, list) else [parsed]
            chosen = platform or _platforms.recognise(_platforms.sample("json", items))
            if chosen is None:
                return _json.from_document(parsed, name, skip=skip), None
            return _platforms.adapt(chosen, enumerate(items, 1), name, skip=skip,
                                    chosen=platform is not None)
    if kind != "jsonl":
        return None, None
    check_lines(memoryview(data), name)
    chosen = platform or _platforms.recognise(
        _platforms.sample("jsonl", _json.first_records(data, _platforms.SAMPLED)))
    if chosen is None:
        return None, None
    skipped: list[InputError] = []
    raw, note = _platforms.adapt(
        chosen, _json.line_records(data, name, encoding, skip=skip, skipped=skipped), name,
        skip=skip, chosen=platform is not None)
    return raw._replace(skipped=tuple(sorted([*skipped, *raw.skipped],
                                             key=lambda e: e.row or 0))), note


def _adapted_table(
    raw: _readers.Raw, name: str, kind: str, platform: _platforms.Platform | None, skip: bool,
) -> tuple[_readers.Raw, str | None]:
    """A delimited or Parquet table read by a platform's adapter when one is asked for or
    recognises its first rows; as it is otherwise."""
    columns = raw.columns
    chosen = platform or _platforms.recognise(
        _platforms.sample(kind, columns.records(_platforms.SAMPLED)))
    if chosen is None:
        return raw, None
    numbers = raw.numbers if raw.numbers is not None else range(1, len(columns) + 1)
    adapted, note = _platforms.adapt(chosen, zip((int(n) for n in numbers), columns.records(),
                                                 strict=True),
                                     name, skip=skip, chosen=platform is not None)
    return adapted._replace(skipped=raw.skipped + adapted.skipped), note


def parse(
    raw: pd.DataFrame,
    *,
    source: str = "<memory>",
    mapping: Mapping[str, str] | None = None,
    on_bad_rows: str = "error",
) -> Interactions:
    """Build the canonical table from a raw one.

    Parameters
    ----------
    raw
        A table as :func:`read_table` returns it.
    source
        Its name, for messages.
    mapping
        ``{canonical: their_column}``; other columns are found by name or :data:`ALIASES`.
    on_bad_rows
        As for :func:`load`.

    Returns
    -------
    Interactions
        Accounts and posts coded from their sorted ids; self-engagement removed and exact
        duplicates collapsed (both counted in ``dropped``); rows sorted, so the same rows in
        any order give the same result.

    Raises
    ------
    InputError
        On a missing required column, or (with ``on_bad_rows="error"``) an empty actor, a
        post with two authors or a bad time.
    """
    return _parse(_readers.Raw(_readers.Columns(raw)), source, mapping, on_bad_rows)


def _parse(
    read: _readers.Raw, source: str, mapping: Mapping[str, str] | None, on_bad_rows: str,
    header_lines: int = 0, timing: Timing | None = None, *, note: str | None = None,
    settle: bool = True,
) -> Interactions:
    raw = read.columns
    bad = BadRows(on_bad_rows, len(raw), read.numbers)
    bad.skipped(read.skipped)
    names = raw.names
    if len(raw) == 0:
        left = f" left after dropping {bad.count} bad rows" if bad.count else ""
        raise InputError(f"has no rows{left}", source=source)
    _sources.check_names(names, source)
    chosen, notes = match_columns(names, mapping or {}, source, raw.nested)
    notes = [note, *notes] if note else notes
    require(chosen, names, source)
    with threads() as pool:
        reading = Reading(raw, chosen, source, notes, bad, pool, timing or Timing())
        columns, accounts, posts = reading.canonical(header_lines)
        rows, dropped = columns.collapse(settle)
        if len(rows) == 0:
            left = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in
                             {**dropped, "bad_row": bad.count}.items() if n)
            raise InputError(f"has no rows left to scan (dropped: {left})", source=source)
        frame = columns.frame(rows, pool)
    if settle and dropped.get("post_record"):
        frame, accounts, posts = compact(frame, accounts, posts)
    if not bad.strict:
        dropped["bad_row"] = bad.count
    told = ReadNotes(said=tuple(notes), filled=reading.filled, times=reading.times,
                     bad_rows=bad.detail())
    timed = dropped.get("post_record") and frame["post_time"].notna().any()
    return Interactions(
        frame=frame, accounts=accounts, posts=posts, source=source,
        columns=frozenset(chosen) | ({"post_id"} if derives_posts(chosen) else set())
        | ({"post_time"} if timed else set()),
        rows_read=read.records if read.records is not None else len(raw) + len(read.skipped),
        dropped=dropped,
        notes=_notes.lines(told),
        readings=(told,),
    )


def write_table(frame: pd.DataFrame, dest: Source, fmt: str | None = None) -> None:
    """Write a plain table in any format :func:`read_table` reads.

    Parameters
    ----------
    frame
        String and number columns.
    dest
        A path, ``"-"`` for standard output, or a binary file object.
    fmt
        One of :data:`FORMATS`, optionally with ``.gz`` (``"csv.gz"``); default: from the name.

    Raises
    ------
    ConfigError
        When the format is unknown or cannot be told from the name.

    Notes
    -----
    The same frame always gives the same bytes (gzip without a time stamp or file name).
    """
    path = os.fspath(dest) if isinstance(dest, (str, os.PathLike)) else None
    name = path if path is not None else getattr(dest, "name", None)
    kind, gz = _output_format(fmt, name if isinstance(name, str) else None)
    payload = _writers.encode(frame, kind, gz=gz)
    if path is None:
        dest.write(payload)  # type: ignore[union-attr]
    elif path == "-":
        if sys.stdout is None:
            raise OSError(errno.EBADF, "stdout is closed; write to a file instead")
        sys.stdout.buffer.write(payload)
    else:
        with open(path, "wb") as handle:
            handle.write(payload)


def _output_format(fmt: str | None, name: str | None) -> tuple[str, bool]:
    try:
        if fmt:
            return _sources.format_name(fmt, what="output")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    kind, gz = _sources.format_from_path(name) if name and name != "-" else (None, False)
    if kind is None:
        raise ConfigError(f"cannot tell the output format of {name or 'the output'!r}; "
                          f"give one of {', '.join(FORMATS)}")
    return kind, gz
