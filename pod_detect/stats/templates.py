"""Comment style: which comments are generic, emoji-only or copies of a template.

Pods comment to satisfy the round, not to say something: the same short phrases ("Great
post! 🔥", "So true 👏"), emoji alone, or slight variations of a template. Organic comments
rarely repeat. Everything here is vectorised over the comments; near-duplicates are found
with rapidfuzz against the most repeated texts only, so the cost stays bounded.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from pod_detect.engines.frames import collect_all, each_partition, is_lazy
from pod_detect.kernels import fast_paths
from pod_detect.kernels import sorting as _sorting
from pod_detect.kernels.keys import Key

#: Distinct accounts that must write the same normalised text for it to be a template.
TEMPLATE_ACCOUNTS = 3
#: rapidfuzz ratio (0-100) from which a comment is a variation of a template.
NEAR_DUPLICATE = 85.0
#: Templates compared at most (the most widely used ones).
MAX_TEMPLATES = 500


@dataclass(frozen=True)
class CommentStyle:
    """Per comment row (aligned with the frame's rows that have text).

    Attributes
    ----------
    rows
        Positions in the frame of the rows with a comment.
    emoji_only
        The comment has no letter or digit.
    templated
        The comment, normalised, is written by at least :data:`TEMPLATE_ACCOUNTS` accounts,
        or is a near-duplicate of such a text, or is emoji-only.
    """

    rows: np.ndarray
    emoji_only: np.ndarray
    templated: np.ndarray


@dataclass(frozen=True)
class Templates:
    """The templates of a frame's comments: what :meth:`classify` compares comments with.

    Attributes
    ----------
    common
        Every normalised text written by at least :data:`TEMPLATE_ACCOUNTS` accounts.
    top
        The :data:`MAX_TEMPLATES` most widely written of them, most written first (ties in
        the order of the text): near-duplicates are looked for among these.
    comments
        Non-empty comments in the frame.
    """

    common: frozenset[str]
    top: list[str]
    comments: int
    near: dict[str, bool | Future[set[str]]] = field(default_factory=dict, compare=False,
                                                     repr=False)
    #: Per frame row, its normalised text as a code into ``words`` (-1: no comment); kept
    #: for a pandas frame, so that classifying its rows needs no second normalisation.
    row_words: np.ndarray | None = field(default=None, compare=False, repr=False)
    words: pa.Array | None = field(default=None, compare=False, repr=False)
    #: The longest normalised comment, in characters (over :data:`COMPARED`: some were
    #: judged on their opening).
    longest: int = 0

    def classify(self, text: pd.Series) -> np.ndarray:
        """Per text: -1 not a comment (missing or blank), 1 templated (a template, a
        near-duplicate of one, or emoji-only), 0 otherwise."""
        codes, dictionary, blank = _encode(text)
        out = np.full(len(text), -1, dtype="int8")
        present = np.flatnonzero(~blank)
        out[present] = self._flags(dictionary)[codes[present]]
        return out

    def classify_rows(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`classify` of the texts of frame rows (positions), from the codes kept by
        :func:`templates_arrays`."""
        assert self.row_words is not None and self.words is not None
        codes = self.row_words[rows]
        out = np.full(len(rows), -1, dtype="int8")
        present = np.flatnonzero(codes >= 0)
        used = _sorting.unique(codes[present])
        texts = np.asarray(self.words.take(pa.array(used)).to_numpy(zero_copy_only=False),
                           dtype=object)
        out[present] = self._flags(texts)[np.searchsorted(used, codes[present])]
        return out

    def _flags(self, dictionary: np.ndarray) -> np.ndarray:
        """1 for each distinct normalised text that is templated, else 0."""
        words = pd.Series(dictionary, dtype=object)
        emoji = (words == "").to_numpy()
        exact = pc.is_in(pa.array(dictionary, type=pa.large_string()),
                         value_set=self._common).to_numpy(zero_copy_only=False) | emoji
        return (exact | _near(words, exact, self.top, self.near)).astype("int8")

    @cached_property
    def _common(self) -> pa.Array:
        return pa.array(sorted(self.common), type=pa.large_string())


#: Links, @mentions, and any character that is not a letter, digit or space (``_`` too):
#: Python's ``\w``/``\s`` spelled as Unicode classes for pyarrow's RE2, whose own are ASCII.
#: A run of such noise and spaces becomes one space, in one pass. This is the definition;
#: :data:`_NOISE_RUNS` is what runs.
_NOISE = r"(?:https?://\S+|@[\p{L}\p{N}_]+|[^\p{L}\p{N}\s\p{Z}]|_|[\s\p{Z}])+"

#: :data:`_NOISE` less the plain space (U+0020): white space is ``\s`` and the ``Z``
#: categories (Zs, Zl, Zp), here written out without the plain space.
_NOT_A_SPACE = (r"(?:https?://\S+|@[\p{L}\p{N}_]+|[^\p{L}\p{N}\s\p{Z}]|_"
                r"|[\t\n\f\r\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}"
                r"\x{205F}\x{3000}])")

#: The runs of :data:`_NOISE` that are not a single plain space: one with some other noise
#: in it, or two spaces or more. Replacing them gives what replacing every run gives (a
#: lone space becomes a space), with a tenth of the matches on ordinary prose, which is
#: most of RE2's cost (benchmarks/README.md, measurements behind the code). The tests hold
#: the two to the same output on every code point and on random texts.
_NOISE_RUNS = (rf" ?{_NOT_A_SPACE}(?:{_NOT_A_SPACE}| )*"
               rf"| {{2,}}(?:{_NOT_A_SPACE}| )*")


def normalise(text: pd.Series) -> pd.Series:
    """Lower case, words only: punctuation, emoji, links and @mentions removed.

    Each distinct text is normalised once, in pyarrow (vectorised RE2); missing stays missing.
    """
    codes, dictionary = _normalised_codes(text)
    out = np.where(codes >= 0, dictionary[np.maximum(codes, 0)], None)
    return pd.Series(out, index=text.index, dtype=object)


def _normalised_codes(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each text's normalised words as a code into a dictionary of distinct words (sorted);
    -1 where the text is missing."""
    codes, dictionary, _ = _encode(text)
    return codes, dictionary


def _encode(text: pd.Series | pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_normalised_codes`, and whether each text is blank (missing or white space)."""
    codes, words, blank = _encode_unsorted(text)
    order = pc.sort_indices(words).to_numpy()
    rank = np.empty(len(order) + 1, dtype="int64")
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # a missing text
    dictionary = words.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return rank[codes], np.asarray(dictionary, dtype=object), blank


def _encode_unsorted(text: pd.Series | pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Each text's normalised words as a code into an (unsorted) array of distinct words,
    -1 where the text is missing; and whether each text is blank."""
    array = (text if isinstance(text, pa.Array | pa.ChunkedArray)
             else pa.array(text, type=pa.large_string(), from_pandas=True))
    raw = pc.dictionary_encode(array)
    blank = np.append(
        pc.equal(pc.utf8_trim_whitespace(raw.dictionary), "").to_numpy(zero_copy_only=False),
        True)  # the last entry stands for a missing text
    distinct = pc.dictionary_encode(_words(raw.dictionary))
    per_raw = np.append(distinct.indices.to_numpy(), -1)
    indices = raw.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return per_raw[indices], distinct.dictionary, blank[indices]


def _encode_each(texts: pa.Array) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """:func:`_encode_unsorted` of texts that are nearly all distinct (a frame's comments
    mostly are), normalising each
    text as it is instead of the distinct ones after a first dictionary encoding, which
    would cost more than it saves. The same codes, words and blanks: the words of both
    are numbered in the order they first occur."""
    blank = pc.equal(pc.utf8_trim_whitespace(texts), "").fill_null(True)
    distinct = pc.dictionary_encode(_words(texts))
    codes = distinct.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return codes, distinct.dictionary, blank.to_numpy(zero_copy_only=False)


#: Texts from which normalisation is split between two threads (RE2 in pyarrow leaves the
#: interpreter lock; a regex pass costs about 1.7 us a text).
_SPLIT = 100_000


def _words(texts: pa.Array) -> pa.Array:
    """Lower case, noise to single spaces, trimmed (see :func:`normalise`)."""
    def one(part: pa.Array) -> pa.Array:
        return pc.utf8_trim_whitespace(
            pc.replace_substring_regex(pc.utf8_lower(part), _NOISE_RUNS, " "))

    if len(texts) < _SPLIT:
        return one(texts)
    half = len(texts) // 2
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pod-detect-text") as pool:
        parts = list(pool.map(one, [texts.slice(0, half), texts.slice(half)]))
    return pa.concat_arrays(parts)


def comment_templates(frame: Any) -> Templates:
    """Normalise every non-empty comment of a pandas or Dask frame (``actor`` and ``text``
    columns) and find the templates: normalised texts written by :data:`TEMPLATE_ACCOUNTS`
    accounts."""
    if not is_lazy(frame) and fast_paths.enabled("templates"):
        return templates_arrays(frame)
    return templates_frames(frame)


def templates_arrays(frame: pd.DataFrame) -> Templates:
    """:func:`comment_templates` of a pandas frame: the writers of each normalised text
    counted by one sort of (text code, account) keys, no string left in pandas."""
    present = np.flatnonzero(frame["text"].notna().to_numpy())
    text = pa.array(frame["text"], type=pa.large_string(), from_pandas=True)
    codes, words, blank = _encode_each(text.take(pa.array(present)))
    written = ~blank
    rows = present[written]
    word = codes[written].astype(np.int64)
    actor = frame["actor"].to_numpy()[rows].astype(np.int64)
    written_by = Key(len(words), int(actor.max(initial=0)) + 1)
    writers = np.bincount(written_by.field(_sorting.unique(written_by.pack(word, actor)), 0),
                          minlength=len(words))
    empty = pc.equal(words, "").to_numpy(zero_copy_only=False)
    chosen = np.flatnonzero((writers >= TEMPLATE_ACCOUNTS) & ~empty)
    texts = words.take(pa.array(chosen)).to_pylist()
    row_words = np.full(len(frame), -1, dtype=np.int32)
    row_words[rows] = codes[written]
    longest = pc.max(pc.utf8_length(words)).as_py() if len(words) else 0
    return Templates(common=frozenset(texts), top=_most_written(texts, writers[chosen]),
                     comments=int(written.sum()), row_words=row_words, words=words,
                     longest=int(longest or 0))


def _most_written(texts: list[str], writers: np.ndarray) -> list[str]:
    """The :data:`MAX_TEMPLATES` texts with the most writers, ties in the order of the text
    (Python's order is UTF-8's). Only the texts with at least as many writers as the last
    one kept are sorted."""
    if len(texts) > MAX_TEMPLATES:
        least = np.partition(writers, len(writers) - MAX_TEMPLATES)[len(writers) - MAX_TEMPLATES]
        contenders = np.flatnonzero(writers >= least)
    else:
        contenders = np.arange(len(texts))
    ranked = sorted(contenders.tolist(), key=lambda i: (-writers[i], texts[i]))
    return [texts[i] for i in ranked[:MAX_TEMPLATES]]


def templates_frames(frame: Any) -> Templates:
    """:func:`comment_templates` over the dataframe API that pandas and Dask share."""
    writers = each_partition(frame[["actor", "text"]], _writers, _WRITERS_META)
    spread, comments = collect_all(writers.drop_duplicates()["words"].value_counts(),
                                   writers.shape[0])
    spread = spread[spread.index != ""]
    common = spread[spread >= TEMPLATE_ACCOUNTS].sort_index()
    common = common.sort_values(ascending=False, kind="stable")  # ties in text order
    longest = max((len(t) for t in spread.index), default=0)
    return Templates(common=frozenset(common.index), top=list(common.index[:MAX_TEMPLATES]),
                     comments=int(comments), longest=longest)


_WRITERS_META = pd.DataFrame({"words": pd.Series(dtype="object"),
                              "actor": pd.Series(dtype="int32")})


def _writers(rows: pd.DataFrame) -> pd.DataFrame:
    """The normalised words of each non-empty comment, with its actor."""
    rows = rows[rows["text"].notna().to_numpy()]
    codes, dictionary, blank = _encode(rows["text"])
    return pd.DataFrame({"words": dictionary[codes[~blank]],
                         "actor": rows["actor"].to_numpy()[~blank]})


def comment_style(actor: np.ndarray, text: pd.Series) -> CommentStyle:
    """Classify every non-empty comment of the frame (``actor`` and ``text`` columns)."""
    found = comment_templates(pd.DataFrame({"actor": actor, "text": text.to_numpy()}))
    flags = found.classify(text)
    rows = np.flatnonzero(flags >= 0)
    words = pd.Series(normalise(text.iloc[rows]).to_numpy())
    return CommentStyle(rows=rows, emoji_only=(words == "").to_numpy(),
                        templated=flags[rows] == 1)


def _near(words: pd.Series, known: np.ndarray, templates: list[str],
          seen: dict[str, bool | Future[set[str]]] | None = None) -> np.ndarray:
    """Comments not yet templated that are near-duplicates of a template.

    ``seen`` keeps the answers for the texts already compared, for the next call. The
    detectors' two threads share it (read and written only under :data:`_SEEN_LOCK`): each
    call claims the texts nobody has compared nor is comparing (a future of its answers
    stands for them meanwhile), compares those, then waits for the answers about the texts
    the other thread claimed first, so that no text is compared twice.
    """
    near = np.zeros(len(words), dtype=bool)
    if not templates:
        return near
    candidates = words[~known]
    unique = candidates.unique().tolist()
    if not unique:
        return near
    seen = {} if seen is None else seen
    answers: dict[str, bool] = {}
    others: dict[str, Future[set[str]]] = {}
    fresh: list[str] = []
    mine: Future[set[str]] = Future()
    with _SEEN_LOCK:
        for text in unique:
            known_answer = seen.get(text)
            if known_answer is None:
                fresh.append(text)
                seen[text] = mine
            elif isinstance(known_answer, bool):
                answers[text] = known_answer
            else:
                others[text] = known_answer
    if fresh:
        try:
            hits = _near_texts(fresh, templates)
        except BaseException as exc:
            with _SEEN_LOCK:  # unclaimed: a later call compares them again
                for text in fresh:
                    del seen[text]
            mine.set_exception(exc)
            raise
        found = {text: text in hits for text in fresh}
        with _SEEN_LOCK:
            seen.update(found)
        mine.set_result(hits)
        answers.update(found)
    for text, pending in others.items():
        answers[text] = text in pending.result()
    near[np.flatnonzero(~known)] = candidates.map(answers).to_numpy(dtype=bool)
    return near


#: Characters of a comment, and of a template, that the near-duplicate test compares: a
#: post's length on X. A pod's stock comments are a line; comparing two 2,000-character
#: comments costs about 200 times two such lines, and 12,000 of them against 500
#: templates took five minutes. Longer texts are judged on their opening (the report's
#: notes say when there were some).
COMPARED = 280


#: Guards every :attr:`Templates.near` (a module lock: a Templates stays picklable).
_SEEN_LOCK = threading.Lock()


def _near_texts(texts: list[str], templates: list[str]) -> set[str]:
    """The texts whose rapidfuzz ratio with some template reaches :data:`NEAR_DUPLICATE`.

    Texts and templates are compared by their first :data:`COMPARED` characters. The ratio
    of lengths ``a`` and ``b`` is at most ``100 * (1 - |a - b| / (a + b))``, so each length
    of text is compared only with the templates whose length can reach the cut-off (with a
    character to spare); the answer is that of comparing every pair.
    """
    full = texts
    texts = [t[:COMPARED] for t in texts]
    templates = [t[:COMPARED] for t in templates]
    size = np.array([len(t) for t in templates])
    order = np.argsort(size, kind="stable")
    size, ordered = size[order], [templates[i] for i in order]
    lengths = np.array([len(t) for t in texts])
    slack = 1.0 - NEAR_DUPLICATE / 100.0
    hits: set[str] = set()
    for length in np.unique(lengths):
        low = np.searchsorted(size, length * (1 - slack) / (1 + slack) - 1, side="left")
        high = np.searchsorted(size, length * (1 + slack) / (1 - slack) + 1, side="right")
        if low >= high:
            continue
        at = np.flatnonzero(lengths == length)
        scores = process.cdist([texts[i] for i in at], ordered[low:high], scorer=fuzz.ratio,
                               score_cutoff=NEAR_DUPLICATE, workers=1)
        hits.update(full[i] for i, best in zip(at, scores.max(axis=1), strict=True)
                    if best > 0)
    return hits
