"""Open, decompress, re-encode and sniff an export's bytes (helpers of :mod:`pod_detect.io`).

Every failure becomes a one-line :class:`~pod_detect.errors.InputError`. Row numbers are
1-based data rows: for delimited text the header is row 0 and the first record is row 1; for
JSON Lines row N is line N; for a JSON array row N is its N-th item.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import sys
import zlib
from typing import IO, Any

import pyarrow as pa

from pod_detect.errors import InputError

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")
_FORMAT_ALIASES = {"ndjson": "jsonl", "tab": "tsv", "pq": "parquet"}
_EXTENSIONS = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}
_GZIP, _ZSTD, _PARQUET, _ZIP = b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"PAR1", b"PK\x03\x04"
_BOM = codecs.BOM_UTF8
SAMPLE = 1 << 16
_TEXT_CONTROLS = bytes(range(32)).translate(None, b"\t\n\r\f")
_ENCODING_HINT = "pass --encoding (e.g. --encoding latin-1) if the file is not UTF-8"


def one_line(text: object) -> str:
    """Collapse a (possibly multi-line) message into one line."""
    return " ".join(str(text).split())


def format_name(fmt: str, *, what: str = "input") -> tuple[str, bool]:
    """Split ``"csv.gz"`` into ``("csv", True)``; raise on an unknown format name."""
    name = fmt.strip().lower().lstrip(".")
    gz = name.endswith(".gz") or name.endswith(".gzip")
    name = name.rsplit(".", 1)[0] if gz else name
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMATS:
        raise InputError(f"unknown {what} format {fmt!r} (choose from {', '.join(FORMATS)})")
    return name, gz


def format_from_path(path: str) -> tuple[str | None, bool]:
    """Guess ``(format, gzipped)`` from a file name; ``(None, ...)`` when the name says nothing."""
    lower = os.path.basename(path).lower()
    gz = lower.endswith(".gz")
    _, ext = os.path.splitext(lower[:-3] if gz else lower)
    return _EXTENSIONS.get(ext), gz


def source_name(source: Any) -> str:
    """The name :func:`open_source` gives ``source`` in messages."""
    if isinstance(source, str) and source == "-":
        return "<stdin>"
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return name if isinstance(name, str) else "<stream>"
    return str(os.fspath(source))


def is_path(source: Any) -> bool:
    """Whether :func:`open_source` reads ``source`` from a file by its path, one that can
    be opened again: a path to a regular file (a FIFO or ``<(command)`` is read once)."""
    if (isinstance(source, str) and source == "-") or hasattr(source, "read"):
        return False
    try:
        return stat.S_ISREG(os.stat(os.fspath(source)).st_mode)
    except OSError:
        return False


def open_source(source: Any, stdin: IO[bytes] | None) -> tuple[pa.Buffer, str]:
    """Return all the bytes of ``source`` (a path, ``"-"`` or a binary file) and its name."""
    if isinstance(source, str) and source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return pa.py_buffer(stream.read()), "<stdin>"
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return pa.py_buffer(source.read()), name if isinstance(name, str) else "<stream>"
    name = os.fspath(source)
    try:
        with open(name, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                # a FIFO or <(command): read once, as it comes (it cannot be mapped or seeked)
                return pa.py_buffer(handle.read()), name
        return _read_file(name), name
    except FileNotFoundError:
        raise InputError("no such file", source=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", source=name) from None
    except PermissionError:
        raise InputError("permission denied", source=name) from None
    except OSError as exc:
        if exc.errno == errno.ENOMEM or "Cannot allocate memory" in str(exc):
            raise MemoryError from None  # mapping the file needs address space there is not
        raise InputError(f"cannot open: {one_line(exc.strerror or exc)}", source=name) from None


def _read_file(name: str) -> pa.Buffer:
    """A regular file's bytes, read into memory rather than mapped: a mapped file that
    another program truncates while it is read kills the process (SIGBUS) when a page past
    its new end is touched; a read just comes up short, which :func:`unchanged` catches."""
    with pa.OSFile(name) as handle:
        return handle.read_buffer()


def identity(name: str) -> tuple[int, int, int, int] | None:
    """What tells whether a regular file changed: device, inode, size and modification
    time (nanoseconds); None for what is not a regular file by its path."""
    try:
        info = os.stat(name)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def unchanged(name: str, before: tuple[int, int, int, int] | None, size: int | None) -> None:
    """Raise :class:`InputError` if the file ``name`` was replaced, resized or written to
    since ``before`` (:func:`identity`), or ``size`` bytes were read where it had more or
    fewer: a report on part of an export still being written would be a wrong answer."""
    if before is None:
        return
    after = identity(name)
    if after != before or (size is not None and size != before[2]):
        was = before[2]
        now = after[2] if after is not None else "gone"
        raise InputError(f"changed while it was read ({was} bytes when opened, {now} now); "
                         "scan it when nothing is writing to it, or scan a copy",
                         source=name)


def machine_memory() -> int:
    """This machine's physical memory in bytes (16 GiB where it cannot be told)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 16 << 30


def default_max_input() -> int:
    """The largest input read by default: half this machine's memory. A scan holds the
    export's bytes and the canonical table (about as big again) at once; more than half
    would be an out-of-memory kill, not an answer."""
    return machine_memory() // 2


#: Decompressed bytes read at a time (the input's cap is checked after each).
CHUNK = 1 << 24


def too_big(name: str, limit: int, what: str) -> InputError:
    return InputError(f"{what} more than {limit:,} bytes (--max-input-bytes, by default half "
                      "this machine's memory); raise it if the machine can hold it, or scan "
                      "the export in parts with --engine dask", source=name)


def decompress(data: pa.Buffer, name: str, limit: int | None = None) -> pa.Buffer:
    """Undo gzip or zstd compression, recognised by their magic bytes (repeatedly), a chunk
    at a time: a 1.5 MB file that expands to 16 GB stops at ``limit`` bytes
    (:func:`default_max_input` when None) with an error, before it fills the memory."""
    limit = default_max_input() if limit is None else limit
    head = data[:4].to_pybytes()
    if head.startswith(_GZIP):
        try:
            return decompress(_gunzip(data, name, limit), name, limit)
        except (EOFError, OSError, zlib.error):
            raise InputError("is truncated or not valid gzip", source=name) from None
    if head == _ZSTD:
        try:
            stream = pa.input_stream(pa.BufferReader(data), compression="zstd")
            parts, size = [], 0
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_big(name, limit, "decompresses to")
                parts.append(chunk)
            return decompress(pa.py_buffer(b"".join(parts)), name, limit)
        except MemoryError:
            raise
        except (pa.ArrowException, OSError):
            raise InputError("is truncated or not valid zstd", source=name) from None
    if data.size > limit:
        raise too_big(name, limit, "has")
    return data


def _gunzip(data: pa.Buffer, name: str, limit: int) -> pa.Buffer:
    """Every member of a gzip stream, at most ``limit`` bytes of them."""
    parts: list[bytes] = []
    size = 0
    rest = memoryview(data)
    while len(rest):
        inflate = zlib.decompressobj(wbits=31)
        pending: bytes | memoryview = rest
        while True:
            chunk = inflate.decompress(pending, CHUNK)
            size += len(chunk)
            if size > limit:
                raise too_big(name, limit, "decompresses to")
            parts.append(chunk)
            pending = inflate.unconsumed_tail
            if inflate.eof or not (pending or chunk):
                break
        if not inflate.eof:
            raise EOFError("truncated gzip")
        rest = memoryview(inflate.unused_data)
        if bytes(rest[:2]) != _GZIP[:2]:  # trailing padding after the last member
            break
    return pa.py_buffer(b"".join(parts))


def to_utf8(data: pa.Buffer, encoding: str, name: str, *, first_row: int | None) -> pa.Buffer:
    """Strip a UTF-8 byte-order mark, or re-encode text in another encoding as UTF-8."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", source=name) from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: not text
        raise InputError(f"{encoding!r} is not a text encoding (e.g. --encoding latin-1)",
                         source=name)
    codec = info.name
    if codec == "utf-8":
        return data[len(_BOM):] if data[:3].to_pybytes() == _BOM else data
    raw = memoryview(data)
    try:
        return pa.py_buffer(codecs.decode(raw, codec).encode("utf-8"))
    except UnicodeDecodeError as exc:
        raise decode_error(exc, raw, name, encoding, first_row=first_row) from None


def decode_error(
    exc: UnicodeDecodeError, raw: Any, name: str, encoding: str, *, first_row: int | None
) -> InputError:
    """Describe undecodable bytes; name the row when ``first_row`` (the row of line 1) is known."""
    line = bytes(raw[: exc.start]).count(b"\n")
    row = None if first_row is None else line + first_row
    bad = bytes(raw[exc.start : exc.start + 1]).hex()
    where = "" if row is not None else f" at line {line + 1}"
    return InputError(
        f"cannot decode byte 0x{bad} as {encoding}{where}; {_ENCODING_HINT}", source=name, row=row
    )


def sniff(data: pa.Buffer, hint: str | None) -> str | None:
    """Decide the format from the bytes; ``hint`` (from the name) breaks ties. None: unknown."""
    head = data[:SAMPLE].to_pybytes()
    if head.startswith(_PARQUET):
        return "parquet"
    start = head.lstrip()[:1]
    named_text = hint in ("csv", "tsv")
    if start == b"[":
        if named_text and not _ARRAY_OF_RECORDS.match(head.lstrip()):
            return hint  # a header that starts with "[" ("[actor],..."): the name wins
        return "json"
    if start == b"{":
        if named_text and not _is_json(head.lstrip().split(b"\n", 1)[0]):
            return hint  # a header that starts with "{": the name wins
        return "json" if hint == "json" else "jsonl"  # json: one object, or JSON Lines misnamed
    if hint in ("json", "jsonl") and data.size <= SAMPLE and _is_json(head):
        return "json"  # a JSON document that is not a list or an object: say so
    if b"\x00" in head or len(head.translate(None, _TEXT_CONTROLS)) < 0.99 * len(head):
        return hint
    return hint if hint in ("csv", "tsv") else "csv"


#: The start of a JSON array of records (or an empty one): ``[`` then ``{`` or ``]``.
_ARRAY_OF_RECORDS = re.compile(rb"\[\s*[{\]]")


def _is_json(head: bytes) -> bool:
    try:
        json.loads(head)
    except ValueError:
        return False
    return True


def check_magic(data: pa.Buffer, name: str) -> None:
    """Refuse archives that people often mistake for tables."""
    if data[:4].to_pybytes() == _ZIP:
        raise InputError(
            "is a zip archive (an Excel workbook?), not a table; export it as CSV", source=name
        )


def check_text(data: pa.Buffer, name: str, encoding: str) -> None:
    """Refuse UTF-16/32 read as UTF-8, and binary data named like text, with a clear message."""
    head = data[:SAMPLE].to_pybytes()
    if head.startswith(_PARQUET) or not _known(encoding):
        return
    if codecs.lookup(encoding).name != "utf-8":
        return
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError("starts with a UTF-32 byte-order mark; pass --encoding utf-32",
                         source=name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("starts with a UTF-16 byte-order mark; pass --encoding utf-16",
                         source=name)
    if format_from_path(name)[0] in (None, "parquet"):
        return  # sniffing says "cannot tell the format", or the Parquet reader says what is wrong
    if _binary(head):
        raise InputError(f"looks like binary data, not {format_from_path(name)[0]} text (a "
                         "wrong or damaged file?; --input-format if it is another format)",
                         source=name)


def _binary(head: bytes) -> bool:
    """Whether the first bytes of a file named like UTF-8 text look like binary data: a NUL
    byte (no text format holds one), or bytes that are not UTF-8 and full of control
    characters. Valid UTF-8 full of control characters is text: accounts may be named with
    escape sequences to make the export that names them unreadable, and it is read (every
    output shows those characters escaped). Text that is not UTF-8 but looks like text is
    left to the reader, whose error names the row, the column and ``--encoding``."""
    if b"\x00" in head:
        return True
    if len(head.translate(None, _TEXT_CONTROLS)) >= 0.99 * len(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < len(head) - 3  # not a character cut at the sample's end
    return False


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def check_names(names: list[str], name: str) -> None:
    """Refuse a header that names one column twice."""
    seen: set[str] = set()
    for column in names:
        if column in seen:
            raise InputError("appears twice in the header; rename one of them",
                             source=name, column=column)
        seen.add(column)
