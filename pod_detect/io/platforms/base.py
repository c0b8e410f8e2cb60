"""What a platform adapter is: a recogniser of a platform's export by its content, and a
function from one of its records to canonical rows.

An adapter sees records as the container gave them: a JSON array's items, a JSON Lines
file's lines, a JSON object document as one record (an API response page), a delimited
file's rows (every value a string, keys the header's names) or a Parquet file's rows
(structs as dicts). It never sees bytes, never parses times (the canonical reader does, so
every time form it accepts works for every platform) and never codes ids.

A row of kind :data:`POST` is a *post record*: it says who wrote a post and when, and is not
an engagement. The canonical reader fills the author and post time of the post's engagement
rows from it (across files too) and then drops it. That is how a reply names the author of
the comment it answers when only the comment's own record does (Reddit), or a retweet the
author of the tweet it repeats when only the response's ``includes`` does (X).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from pod_detect.model import POST

__all__ = ["POST", "BadRecord", "Platform", "Record", "Row", "Sample", "an_object", "get",
           "items", "moment", "need", "text"]

#: A record: one JSON object, one delimited row, one Parquet row.
Record = Mapping[str, Any]


class Row(NamedTuple):
    """One canonical row. Ids and text are strings (None: not known); times are as the
    export gives them (ISO or other text, epoch numbers), read later by the time parser."""

    actor: str | None
    post_id: str | None
    kind: str
    timestamp: Any = None
    author: str | None = None
    post_time: Any = None
    text: str | None = None


@dataclass(frozen=True)
class Sample:
    """What a recogniser is shown: the container's format, the field names of the first
    records (top level, in order of first appearance) and the first records themselves."""

    container: str
    names: tuple[str, ...]
    records: tuple[Record, ...]

    def has(self, *names: str) -> bool:
        """Whether every name is a top-level field of the sample."""
        return all(name in self.names for name in names)

    def share(self, test: Callable[[Record], bool]) -> float:
        """The share of the sampled records that pass ``test`` (0 for no records)."""
        if not self.records:
            return 0.0
        return sum(1 for record in self.records if _safe(test, record)) / len(self.records)


def _safe(test: Callable[[Record], bool], record: Record) -> bool:
    try:
        return bool(test(record))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return False


class BadRecord(Exception):
    """A record of the platform's shape that lacks what it must have, or holds the wrong
    type there: a bad row, named by the field's dotted path."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message, self.path = message, path


_MISSING = object()


def get(record: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted ``path`` (``"commit.record.subject.uri"``) of nested dicts, or
    ``default`` where a step is missing, null or not a dict. A key that holds the dots
    itself (a delimited header ``repo.name``) is found too."""
    if isinstance(record, Mapping):
        value = record.get(path, _MISSING)
        if value is not _MISSING:
            return default if value is None else value
    value = record
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return default
        value = value.get(step, _MISSING)
        if value is _MISSING or value is None:
            return default
    return value


def need(record: Any, path: str) -> Any:
    """The value at ``path``, which the record must have: :class:`BadRecord` if absent."""
    value = get(record, path, _MISSING)
    if value is _MISSING or value == "":
        raise BadRecord(f"has no {path}", path)
    return value


def text(value: Any, path: str | None = None) -> str | None:
    """An id or text as a string: numbers as their digits (an X id given as a JSON number
    stays exact), blanks as None; an object or a list is a :class:`BadRecord`."""
    if value is None:
        return None
    if isinstance(value, (bool, dict, list, tuple)):
        raise BadRecord(f"holds {'a list' if isinstance(value, (list, tuple)) else 'an object'}"
                        f"{' at ' + path if path else ''}, not a value", path)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    return value if value.strip() else None


def moment(value: Any, path: str) -> Any:
    """A time as given (text or an epoch number: the time reader reads it); an object, a
    list or a boolean is a :class:`BadRecord`."""
    if isinstance(value, (dict, list, tuple, bool)):
        shape = {dict: "an object", bool: "a boolean"}.get(type(value), "a list")
        raise BadRecord(f"holds {shape} at {path}, not a time", path)
    return value


def an_object(value: Any, path: str) -> Mapping[str, Any]:
    """A nested object the record must have there: :class:`BadRecord` otherwise."""
    if not isinstance(value, Mapping):
        raise BadRecord(f"holds no object at {path}", path)
    return value


def items(value: Any, path: str, *, edge: bool = False) -> list[Any]:
    """The items of a list (none when absent); with ``edge``, of a Graph API edge
    (``{"data": [...]}``, or a bare list). Anything else is a :class:`BadRecord`."""
    if edge and isinstance(value, Mapping):
        value, path = value.get("data"), path + ".data"
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRecord(f"holds no list at {path}", path)
    return value


@dataclass(frozen=True)
class Platform:
    """A platform's export format: ``--input-format NAME`` reads a file with it, and it is
    chosen without the flag when :attr:`recognise` accepts the file's first records."""

    #: The ``--input-format`` key.
    name: str
    #: What it reads, for notes and help ("X API v2 responses").
    title: str
    #: The published document its fields follow.
    schema: str
    #: The canonical columns its rows give (others are left out, as a flat file without them).
    provides: frozenset[str]
    #: Whether a sample of records is this platform's export.
    recognise: Callable[[Sample], bool]
    #: A record's canonical rows (none for a record that is not an engagement or a post);
    #: raises :class:`BadRecord` for a record that lacks what it must have.
    rows: Callable[[Record], Iterable[Row]]
    #: The containers its exports come in (others are never recognised as it).
    containers: frozenset[str] = frozenset({"json", "jsonl"})
