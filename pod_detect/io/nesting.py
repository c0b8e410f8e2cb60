"""How deep a JSON document nests, measured before any JSON parser sees it.

pyarrow's JSON reader crashes the process (a segmentation fault, no message) on a record
nested a few thousand levels deep, and Python's raises RecursionError past about a
thousand: ten kilobytes of brackets would end a scan without a word. No interaction
export nests beyond a handful of levels (the X API's ``includes`` and ``entities`` reach
five), so a document deeper than :data:`MAX_NESTING` is refused with the line it is on.

The depth is counted by numpy over the bytes, a block at a time: brackets inside strings
do not count, and a quote preceded by an odd run of backslashes is inside its string.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pod_detect.errors import InputError

#: The deepest nesting read (objects and arrays inside each other): far beyond any real
#: export, far below what the parsers survive (Python's about 1,000, pyarrow's 2,000+).
MAX_NESTING = 256

#: Bytes counted at a time by :func:`deepest` (its arrays are a few times this).
BLOCK = 1 << 22

_OPEN, _CLOSE = (ord("["), ord("{")), (ord("]"), ord("}"))
_QUOTE, _BACKSLASH, _NEWLINE = ord('"'), ord("\\"), ord("\n")


def check_lines(data: memoryview, name: str) -> None:
    """Raise :class:`InputError` (naming the line) if a line of JSON Lines ``data`` nests
    deeper than :data:`MAX_NESTING`. A line with fewer opening brackets than that cannot,
    whatever its strings hold, so only the few lines with more are measured exactly."""
    raw = np.frombuffer(data, dtype=np.uint8)
    openers = np.flatnonzero((raw == _OPEN[0]) | (raw == _OPEN[1]))
    if len(openers) <= MAX_NESTING:
        return
    ends = np.flatnonzero(raw == _NEWLINE)
    line = np.searchsorted(ends, openers)  # 0-based line of each opener
    lines, counts = np.unique(line, return_counts=True)
    for number in lines[counts > MAX_NESTING].tolist():
        start = int(ends[number - 1]) + 1 if number else 0
        stop = int(ends[number]) if number < len(ends) else len(raw)
        if first_past(data[start:stop], MAX_NESTING) >= 0:
            raise _too_deep(name, number + 1)


def check_document(data: memoryview, name: str) -> None:
    """Raise :class:`InputError` if a JSON document nests deeper than :data:`MAX_NESTING`
    (naming the line where it first does)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if np.count_nonzero((raw == _OPEN[0]) | (raw == _OPEN[1])) <= MAX_NESTING:
        return
    at = first_past(data, MAX_NESTING)
    if at >= 0:
        raise _too_deep(name, int(np.count_nonzero(raw[:at] == _NEWLINE)) + 1)


def deepest(data: memoryview) -> int:
    """The deepest nesting of ``data`` (JSON text), 0 for none."""
    return max([0, *(int(levels.max()) for _, levels in _levels(data))])


def first_past(data: memoryview, limit: int) -> int:
    """The byte offset where the nesting of ``data`` first exceeds ``limit``, -1 if it
    never does (the blocks after it are not counted)."""
    for first, levels in _levels(data):
        past = np.flatnonzero(levels > limit)
        if len(past):
            return first + int(past[0])
    return -1


def _levels(data: memoryview) -> Iterator[tuple[int, np.ndarray]]:
    """Per :data:`BLOCK` of ``data``, its offset and the depth after each of its bytes,
    brackets inside strings left out (the string, escape and depth state carried over)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    depth, quotes, slashes = 0, 0, 0
    for first in range(0, len(raw), BLOCK):
        block = raw[first:first + BLOCK]
        n = len(block)
        index = np.arange(n, dtype=np.int64)
        slash = block == _BACKSLASH
        # backslashes run before each byte: from the last byte that is not one
        last = np.maximum.accumulate(np.where(slash, -1, index))
        run = np.empty(n, dtype=np.int64)
        run[0] = slashes
        run[1:] = index[:-1] - last[:-1] + np.where(last[:-1] < 0, slashes, 0)
        real_quote = (block == _QUOTE) & (run % 2 == 0)
        inside = (quotes + np.cumsum(real_quote) - real_quote) % 2 == 1  # before this byte
        step = np.zeros(n, dtype=np.int64)
        step[((block == _OPEN[0]) | (block == _OPEN[1])) & ~inside] = 1
        step[((block == _CLOSE[0]) | (block == _CLOSE[1])) & ~inside] = -1
        levels = depth + np.cumsum(step)
        yield first, levels
        depth = int(levels[-1])
        quotes = (quotes + int(np.count_nonzero(real_quote))) % 2
        slashes = n - 1 - int(last[-1]) if last[-1] >= 0 else slashes + n


def _too_deep(name: str, line: int) -> InputError:
    return InputError(f"nests objects or arrays more than {MAX_NESTING} levels deep (no "
                      "interaction export does; the JSON readers would crash on it)",
                      source=name, row=line)
