"""The notes of reading, made from what the readers counted (:class:`ReadNotes`): one input's
(:func:`lines`), and several inputs' combined (:func:`combined`: :func:`pod_detect.io.load_all`
and the Dask engine's loading both call it). Nothing here reads a note's text back."""

from __future__ import annotations

from collections.abc import Sequence

from pod_detect.io.badrows import dropped_note
from pod_detect.model import ReadNotes


def filled_note(rows: int) -> str:
    """The note on rows whose author was filled in from the post's other rows."""
    return f"author filled in for {rows} rows from other rows of the same post"


def lines(read: ReadNotes) -> tuple[str, ...]:
    """One input's notes: what was said first, the rows filled in, how times were read, the
    rows dropped."""
    return (*read.said, *([filled_note(read.filled)] if read.filled else []), *read.times,
            *([dropped_note(read.bad_rows)] if read.bad_rows is not None else []))


def bad_rows(readings: Sequence[ReadNotes], names: Sequence[str]) -> str | None:
    """The first input's note on dropped rows, naming it when there are several, or None."""
    several = len(names) > 1
    return next((dropped_note(r.bad_rows, name if several else None)
                 for r, name in zip(readings, names, strict=True) if r.bad_rows is not None),
                None)


def combined(readings: Sequence[ReadNotes], names: Sequence[str], filled: int = 0, *,
             as_one: bool = False) -> tuple[str, ...]:
    """The notes of several inputs read as one export.

    Parameters
    ----------
    readings, names
        Each input's :class:`ReadNotes` and its name, in the order read.
    filled
        Rows whose author only the inputs together gave (filled in across inputs); each
        input's own count is added.
    as_one
        False (:func:`pod_detect.io.load_all`): each input's notes in turn, named by it
        (``"a.csv: column 'liker' read as actor"``, ``"bad rows dropped in a.csv: ..."``),
        then the rows filled in over all inputs. True (the Dask engine): the notes one file
        of all the rows gives: each note once, in the order first said, the rows filled in
        before the notes on times and dropped rows; the notes on dropped rows name their
        input when there are several.
    """
    several = len(names) > 1
    total = filled + sum(r.filled for r in readings)
    notes: list[str] = []
    late = None  # as one: where the notes on times and dropped rows begin
    for read, name in zip(readings, names, strict=True):
        dropped = ([dropped_note(read.bad_rows, name if several else None)]
                   if read.bad_rows is not None else [])
        if not as_one:
            notes += [f"{name}: {note}" for note in (*read.said, *read.times)] + dropped
            continue
        seen = set(notes)
        for note in read.said:
            if note not in seen:
                notes.append(note)
        for note in (*read.times, *dropped):
            if note not in seen:
                late = len(notes) if late is None else late
                notes.append(note)
    if total:
        notes.insert(len(notes) if late is None else late, filled_note(total))
    return tuple(notes)
