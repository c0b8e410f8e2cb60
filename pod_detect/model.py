"""The data that flows through the pipeline: frozen dataclasses and the canonical table.

Everything between reading and rendering uses integer codes for accounts and posts;
the original ids live only in :attr:`Interactions.accounts` and :attr:`Interactions.posts`
and come back at the edges (reports, renderers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

#: The kind of a *post record*: a row that says who wrote a post and when, not an engagement.
#: Reading fills the author and post time of the post's other rows from it, then drops it.
POST = "post"

#: Canonical column names, in the order they appear in the canonical table.
CANONICAL_COLUMNS = ("actor", "author", "post_id", "kind", "timestamp", "post_time", "text")

#: Columns the canonical frame carries (``post`` is the integer code of ``post_id``;
#: ``source`` the index of the row's input in :attr:`Interactions.inputs`).
FRAME_COLUMNS = ("actor", "author", "post", "kind", "timestamp", "post_time", "text", "line",
                 "source")


def source_dtype(inputs: int) -> str:
    """The dtype of the ``source`` column of a table read from ``inputs`` inputs: the
    smallest signed integer that numbers them (one byte a row up to 128 inputs)."""
    return "int8" if inputs <= 2**7 else "int16" if inputs <= 2**15 else "int32"

Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high")

#: What a group is: ``pod`` (reciprocal: the members engage each other's posts),
#: ``lockstep`` (one-way: they engage the same posts of others together, like a like-farm)
#: or ``coordinated`` (they engage the same posts together, but the export does not say
#: whose posts those are, so neither can be told; docs/design.md, "Kinds").
Kind = Literal["pod", "lockstep", "coordinated"]
KINDS: tuple[str, ...] = ("pod", "lockstep", "coordinated")

#: Each kind in words, as an account's reason and ``explain`` name it.
KIND_NAMES = {"pod": "pod", "lockstep": "lockstep group (one-way: a like-farm's pattern)",
              "coordinated": "coordinated group"}

#: Each signal and the canonical input columns it needs.
SIGNAL_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "reciprocity": ("actor", "author"),
    "coverage": ("actor", "author", "post_id"),
    "timing": ("actor", "post_id", "timestamp"),
    "comments": ("actor", "text"),
    "coengagement": ("actor", "post_id"),
}


def group_id(kind: str, names: Sequence[str]) -> str:
    """A stable id from the sorted member names: the same members give the same id."""
    digest = hashlib.sha256("\n".join(sorted(names)).encode("utf-8")).hexdigest()
    return f"{kind}-{digest[:10]}"


@dataclass(frozen=True)
class Facts:
    """Counts over every row of the canonical table, computed in one pass.

    Attributes
    ----------
    rows
        Rows in the table (after dropping).
    author_known
        Rows whose post's author is known.
    timed
        Rows with a timestamp.
    start, end
        Earliest and latest timestamp (NaN without any).
    engaging
        Accounts that engaged at least once (the distinct ``actor`` codes).
    posting
        Accounts whose posts were engaged (the distinct known ``author`` codes). An account
        can be both; one that is only an author never engaged anything.
    """

    rows: int
    author_known: int
    timed: int
    start: float
    end: float
    engaging: int = 0
    posting: int = 0

    @classmethod
    def of(cls, frame: Any) -> Facts:
        """The facts of a pandas or Dask canonical frame."""
        from pod_detect.engines.frames import collect_all

        times = frame["timestamp"]
        rows, known, timed, start, end, engaging, posting = collect_all(
            frame.shape[0], (frame["author"] >= 0).sum(), times.count(), times.min(),
            times.max(), _distinct(frame["actor"]), _distinct(frame["author"]))
        return cls(int(rows), int(known), int(timed), float(start), float(end),
                   int(engaging), int(posting))


def _distinct(codes: Any) -> Any:
    """How many distinct codes (``-1``, unknown, left out) a column holds: counted by
    ``bincount`` for a pandas column (12 ms over 4M rows, where ``nunique`` takes 160 ms),
    as a lazy ``nunique`` for a Dask one."""
    from pod_detect.engines.frames import is_lazy

    if is_lazy(codes):
        return codes[codes >= 0].nunique()
    values = codes.to_numpy()
    values = values[values >= 0]
    return np.count_nonzero(np.bincount(values)) if len(values) else 0


@dataclass(frozen=True)
class Interactions:
    """The canonical interactions table.

    Attributes
    ----------
    frame
        One row per engagement, columns :data:`FRAME_COLUMNS`:
        ``actor`` int32 account code; ``author`` int32 account code or -1 when unknown;
        ``post`` int32 post code or -1 when unknown; ``kind`` categorical (``"engage"``
        when the input has no kind); ``timestamp`` and ``post_time`` float64 seconds since
        the Unix epoch, UTC, NaN when unknown; ``text`` string or missing; ``line`` int64,
        where the row stands in its input (the line of a CSV/TSV or JSON Lines file, the
        record number of a JSON array or Parquet file); ``source`` the index of that input
        in :attr:`inputs` (0 for a single input; its dtype the smallest signed integer
        that numbers them, :func:`source_dtype`: one byte a row up to 128 inputs). Of rows
        equal in every other column (duplicates, within a file or across files), the one
        kept is the first in the order the inputs were given, then by line. ``line`` and
        ``source`` are the only columns that depend on where the rows came from: reports
        never show them, only the locations of SARIF and GitHub annotations do.
        Self-engagement has been removed and exact duplicate rows collapsed.
    accounts
        ``accounts[code]`` is the account id as written in the input.
    posts
        ``posts[code]`` is the post id as written in the input.
    source
        The input's name as the user gave it; for several inputs, their names joined by
        spaces (what the report's ``input.source`` shows).
    sources
        Each input's name (``<stdin>`` for standard input), in the order read, when that is
        not just :attr:`source` (several inputs; a pattern or directory that named one
        file); empty otherwise. :attr:`inputs` is the one to read.
    columns
        Canonical columns the input really had (after aliases and ``--map``).
    rows_read
        Data rows in the input, before anything was dropped.
    dropped
        Rows dropped by reason (``"self_engagement"``, ``"duplicate"``, ``"bad_row"``...).
    notes
        Plain-language notes from reading (aliases used, columns inferred...).
    readings
        What reading each input said, by kind (:class:`ReadNotes`), one per entry of
        :attr:`inputs`; empty for a table built otherwise. Several inputs' :attr:`notes`
        are made from these (:mod:`pod_detect.io.notes`), never from the notes' text.
    known
        The :class:`Facts` of all rows, when ``frame`` holds only some of them (a Dask scan's
        report keeps the rows around its findings); computed from ``frame`` otherwise.
    """

    frame: pd.DataFrame
    accounts: np.ndarray
    posts: np.ndarray
    source: str = "<memory>"
    columns: frozenset[str] = frozenset()
    rows_read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    known: Facts | None = None
    sources: tuple[str, ...] = ()
    readings: tuple[ReadNotes, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        """Each input's name, in the order read (the ``source`` column indexes it):
        :attr:`sources`, or :attr:`source` alone."""
        return self.sources or (self.source,)

    @cached_property
    def facts(self) -> Facts:
        """:class:`Facts` over all rows (given when ``frame`` holds only some of them)."""
        return self.known if self.known is not None else Facts.of(self.frame)

    @cached_property
    def has_timestamps(self) -> bool:
        return "timestamp" in self.columns and self.facts.timed > 0

    def signals(self) -> dict[str, str | None]:
        """Map each signal to ``None`` when it can run, else the reason it cannot."""
        return dict(self._signals)

    @cached_property
    def _signals(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for signal, needs in SIGNAL_REQUIREMENTS.items():
            missing = [c for c in needs if c not in self.columns]
            if signal == "timing" and "post_id" in missing and "post_time" in self.columns:
                missing.remove("post_id")
            out[signal] = f"no {', '.join(missing)} column" if missing else None
        if out["reciprocity"] is None and not self.facts.author_known:
            out["reciprocity"] = "the author column is empty"
            out["coverage"] = out["coverage"] or "the author column is empty"
        if out["timing"] is None and not self.has_timestamps:
            out["timing"] = "the timestamp column is empty"
        return out


@dataclass(frozen=True)
class ReadNotes:
    """What reading one input had to say, kept by kind so that several inputs' notes can be
    combined without reading their text back (:func:`pod_detect.io.notes.combined`). One
    input's notes are these in this order (:func:`pod_detect.io.notes.lines`).

    Attributes
    ----------
    said
        The notes that come first: the platform whose export it is, the columns matched or
        ignored, posts identified by author and post time.
    filled
        Rows whose author was filled in from other rows of the same post.
    times
        How time columns were read, when that is worth saying (epoch numbers, day first...).
    bad_rows
        The note on the rows ``on_bad_rows`` dropped (:meth:`pod_detect.io.badrows.BadRows.note`),
        or None.
    """

    said: tuple[str, ...] = ()
    filled: int = 0
    times: tuple[str, ...] = ()
    bad_rows: str | None = None


@dataclass(frozen=True)
class Group:
    """A group of accounts flagged together, with the evidence behind it."""

    id: str
    kind: Kind
    members: tuple[int, ...]
    score: float
    severity: Severity
    evidence: dict[str, Any]
    reasons: tuple[str, ...]
    detectors: tuple[str, ...]
    member_evidence: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountScore:
    """One flagged account: its group, its own score and why."""

    account: int
    group: str
    score: float
    severity: Severity
    evidence: dict[str, Any]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PostScore:
    """How much of one post's engagement came from flagged groups: ``from_pods`` from members
    of the author's own pod, ``from_one_way`` from members of ``lockstep`` and
    ``coordinated`` groups (:func:`pod_detect.scoring.score_posts`)."""

    post: int
    author: int
    engagements: int
    from_pods: int
    from_one_way: int = 0

    @property
    def inauthentic(self) -> int:
        return self.from_pods + self.from_one_way

    @property
    def authentic(self) -> int:
        return self.engagements - self.inauthentic


@dataclass(frozen=True)
class Suppressed:
    """A reported group that a baseline entry accepted, and so left out of the findings.

    Attributes
    ----------
    group
        The suppressed group, as the detectors reported it.
    entry
        Id of the baseline entry that matched.
    jaccard
        Member-set Jaccard overlap between the group and the entry.
    reason
        The entry's ``reason`` (why the group is accepted).
    """

    group: Group
    entry: str
    jaccard: float
    reason: str


@dataclass(frozen=True)
class ExpiredEntry:
    """A baseline entry past its expiry date: it no longer suppresses its group, which is
    reported again when it is still found.

    Attributes
    ----------
    id
        The entry's id (untrusted: the baseline file's text).
    kind
        The kind of group it accepted (``pod``, ``lockstep`` or ``coordinated``).
    members
        The account ids it accepted, sorted.
    expires
        The day it expired (before the day of the scan, UTC).
    reason
        Why the group was accepted (empty when the entry gives none).
    approved_by
        Who accepted it, if the entry says.
    """

    id: str
    kind: str
    members: tuple[str, ...]
    expires: date
    reason: str = ""
    approved_by: str | None = None

    @property
    def note(self) -> str:
        """The report's note about it (:attr:`Report.notes` keeps one per expired entry)."""
        return (f"baseline entry {self.id} expired on {self.expires.isoformat()}: "
                "no longer suppressing")


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs; see ``docs/report-schema.md`` for its JSON form."""

    interactions: Interactions
    settings: dict[str, Any]
    signals: dict[str, str | None]
    groups: tuple[Group, ...]
    accounts: tuple[AccountScore, ...]
    posts: tuple[PostScore, ...]
    notes: tuple[str, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    #: Each post's time by code, NaN last, as the scan measured latencies from (see
    #: :func:`pod_detect.reduce.latency_at`); None on a report made by hand.
    post_times: np.ndarray | None = None
    #: Baseline entries that had expired when the baseline was applied, in the baseline
    #: file's order (each also has its note in :attr:`notes`).
    expired: tuple[ExpiredEntry, ...] = ()

    def account_name(self, code: int) -> str:
        return str(self.interactions.accounts[code]) if code >= 0 else ""

    def post_name(self, code: int) -> str:
        return str(self.interactions.posts[code]) if code >= 0 else ""
