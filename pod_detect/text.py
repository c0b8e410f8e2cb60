"""Small helpers that turn numbers into the words reasons are written in."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``12 min``, ``3.5 h``, ``2.1 d``."""
    if seconds != seconds:  # NaN
        return "unknown"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


#: Whole units a time scale is named in, largest first.
_UNITS = ((604800, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def scale(seconds: float) -> str:
    """A time scale (a co-engagement window) in the largest whole unit: ``1 minute``,
    ``15 minutes``, ``1 day``, ``2 weeks``; other lengths as :func:`duration`."""
    for size, unit in _UNITS:
        if seconds >= size and float(seconds / size).is_integer():
            return plural(int(seconds // size), unit)
    return duration(seconds)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 post``, ``3 posts``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
