"""Small helpers that turn numbers into the words reasons are written in, and untrusted text
into text that cannot act on a terminal."""

from __future__ import annotations

import re

#: Characters a terminal or a text layout acts on instead of showing: C0 controls (ESC
#: starts colour, cursor, OSC 8 hyperlink and OSC 52 clipboard sequences; BEL, BS, CR
#: rewrite what was shown), DEL, C1 controls (U+009B is a one-byte CSI), the line and
#: paragraph separators, and the bidirectional overrides and isolates that reorder a
#: line ("Trojan Source").
_ACTING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c"
                     "\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with every character that would act on a terminal written as an escape
    (``\\x1b``, ``\\u202e``), so an account name or a column header from an export shows
    what it is and does nothing. A backslash stays a backslash: the escapes are for a
    person to read, not to be parsed back."""
    return _ACTING.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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


#: What XML 1.0 cannot hold at all, even escaped: C0 controls but tab, line feed and
#: carriage return; lone surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` as a string an XML 1.0 document can hold: a character XML forbids is written
    as ``\\xNN`` or ``\\uNNNN``, and a backslash as two, so two different names never
    become the same id. A name without either comes out unchanged."""
    if "\\" not in text and not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(_escaped, text.replace("\\", "\\\\"))
