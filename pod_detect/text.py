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


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 post``, ``3 posts``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
