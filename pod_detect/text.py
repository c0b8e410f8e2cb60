"""Small helpers that turn numbers into the words reasons are written in, and untrusted text
into text that cannot act on a terminal."""

from __future__ import annotations

import re

#: Characters a terminal or a text layout acts on instead of showing, beyond C0: DEL, C1
#: controls (U+009B is a one-byte CSI), the line and paragraph separators, the
#: bidirectional marks, overrides and isolates that reorder a line ("Trojan Source"), and
#: what no UTF-8 file or XML document can hold (lone surrogates, U+FFFE, U+FFFF). What
#: ``json.dumps(..., ensure_ascii=False)`` leaves raw (it escapes C0 itself).
_BEYOND_C0 = ("\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
              "\ud800-\udfff\ufffe\uffff")
#: C0 but the white space a document's own layout uses (tab, line feed, carriage return).
_C0_INLINE = "\x00-\x08\x0b\x0c\x0e-\x1f"
#: Everything :func:`visible` writes as an escape: C0 controls (ESC starts colour, cursor,
#: OSC 8 hyperlink and OSC 52 clipboard sequences; BEL, BS, CR rewrite what was shown) and
#: :data:`_BEYOND_C0`. What it returns can be written anywhere.
_ACTING = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")


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
NOT_XML = re.compile(f"[{_C0_INLINE}\ud800-\udfff\ufffe\uffff]")


def xml_id(text: str) -> str:
    """``text`` as a string an XML 1.0 document can hold: a character XML forbids is written
    as ``\\xNN`` or ``\\uNNNN``, and a backslash as two, so two different names never
    become the same id. A name without either comes out unchanged."""
    if "\\" not in text and not NOT_XML.search(text):
        return text
    return NOT_XML.sub(_escaped, text.replace("\\", "\\\\"))


#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw although a terminal acts on it or
#: UTF-8 cannot hold it.
_JSON_RAW = re.compile(f"[{_BEYOND_C0}]")


def json_text(document: str) -> str:
    """A JSON document with every character that could act on a terminal written as a
    ``\\uXXXX`` escape: the same JSON value, byte-safe to print (these characters only
    occur inside strings, where the escape means the same character)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


#: :data:`_ACTING` without the white space of a document's own layout.
_ACTING_INLINE = re.compile(f"[{_C0_INLINE}{_BEYOND_C0}]")


def visible_inline(document: str) -> str:
    """:func:`visible` for a whole rendered document (HTML): tabs and line breaks, which
    its own layout uses and which act on nothing, are kept."""
    return _ACTING_INLINE.sub(_escaped, document)
