"""Comment style: which comments are generic, emoji-only or copies of a template.

Pods comment to satisfy the round, not to say something: the same short phrases ("Great
post! 🔥", "So true 👏"), emoji alone, or slight variations of a template. Organic comments
rarely repeat. Everything here is vectorised over the comments; near-duplicates are found
with rapidfuzz against the most repeated texts only, so the cost stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

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
    """The templates of a frame's comments, and what each comment is short of the
    near-duplicate test (which costs a string comparison per template, so it runs only on
    the comments asked about: :meth:`templated`).

    Attributes
    ----------
    rows
        Positions in the frame of the rows with a comment.
    words
        Each comment normalised (:func:`normalise`).
    emoji_only
        The comment has no letter or digit.
    exact
        The normalised comment is a template (or emoji-only).
    templates
        The :data:`MAX_TEMPLATES` most widely written templates, most written first.
    """

    rows: np.ndarray
    codes: np.ndarray
    dictionary: np.ndarray
    emoji_only: np.ndarray
    exact: np.ndarray
    templates: list[str]

    @property
    def words(self) -> np.ndarray:
        """Each comment normalised (:func:`normalise`), as strings."""
        return self.dictionary[self.codes]

    def templated(self, which: np.ndarray) -> np.ndarray:
        """Templated flags of the comments at positions ``which`` (indexes into ``rows``)."""
        which = np.asarray(which, dtype="int64")
        known = self.exact[which]
        words = pd.Series(self.dictionary[self.codes[which]])
        return known | _near(words, known, self.templates)


#: Links, @mentions, and any character that is not a letter, digit or space (``_`` too):
#: Python's ``\w``/``\s`` spelled as Unicode classes for pyarrow's RE2, whose own are ASCII.
_NOISE = r"https?://\S+|@[\p{L}\p{N}_]+|[^\p{L}\p{N}\s\p{Z}]|_"
_SPACES = r"[\s\p{Z}]+"


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


def _encode(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_normalised_codes`, and whether each text is blank (missing or white space)."""
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    raw = pc.dictionary_encode(array)
    blank = np.append(
        pc.equal(pc.utf8_trim_whitespace(raw.dictionary), "").to_numpy(zero_copy_only=False),
        True)  # the last entry stands for a missing text
    words = pc.utf8_lower(raw.dictionary)
    words = pc.replace_substring_regex(words, _NOISE, " ")
    words = pc.utf8_trim_whitespace(pc.replace_substring_regex(words, _SPACES, " "))
    distinct = pc.dictionary_encode(words)
    order = pc.sort_indices(distinct.dictionary).to_numpy()
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    per_raw = np.append(rank[distinct.indices.to_numpy()], -1)
    indices = raw.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    dictionary = distinct.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    return per_raw[indices], np.asarray(dictionary, dtype=object), blank[indices]


def comment_templates(actor: np.ndarray, text: pd.Series) -> Templates:
    """Normalise every non-empty comment (``actor`` and ``text`` columns of the frame) and
    find the templates: normalised texts written by :data:`TEMPLATE_ACCOUNTS` accounts."""
    every, dictionary, blank = _encode(text)
    rows = np.flatnonzero(~blank)
    codes = every[rows]
    emoji_only = dictionary[codes] == "" if len(codes) else np.zeros(0, dtype=bool)
    words = codes[~emoji_only]
    scale = int(actor.max(initial=0)) + 1
    writers = np.unique(words * scale + actor[rows][~emoji_only])
    spread = np.bincount(writers // scale, minlength=len(dictionary))
    common = np.flatnonzero(spread >= TEMPLATE_ACCOUNTS)  # in sorted order of the words
    common = common[np.argsort(-spread[common], kind="stable")]
    exact = np.isin(codes, common) | emoji_only
    return Templates(rows=rows, codes=codes, dictionary=dictionary, emoji_only=emoji_only,
                     exact=exact, templates=dictionary[common[:MAX_TEMPLATES]].tolist())


def comment_style(actor: np.ndarray, text: pd.Series) -> CommentStyle:
    """Classify every non-empty comment of the frame (``actor`` and ``text`` columns)."""
    found = comment_templates(actor, text)
    templated = found.templated(np.arange(len(found.rows)))
    return CommentStyle(rows=found.rows, emoji_only=found.emoji_only, templated=templated)


def _near(words: pd.Series, known: np.ndarray, templates: list[str]) -> np.ndarray:
    """Comments not yet templated that are near-duplicates of a template."""
    near = np.zeros(len(words), dtype=bool)
    if not templates:
        return near
    candidates = words[~known]
    unique = candidates.unique().tolist()
    if not unique:
        return near
    hits = _near_texts(unique, templates)
    near[np.flatnonzero(~known)] = candidates.isin(hits).to_numpy()
    return near


def _near_texts(texts: list[str], templates: list[str]) -> set[str]:
    """The texts whose rapidfuzz ratio with some template reaches :data:`NEAR_DUPLICATE`.

    The ratio of lengths ``a`` and ``b`` is at most ``100 * (1 - |a - b| / (a + b))``, so
    each length of text is compared only with the templates whose length can reach the
    cut-off (with a character to spare); the answer is that of comparing every pair.
    """
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
        mine = [texts[i] for i in np.flatnonzero(lengths == length)]
        scores = process.cdist(mine, ordered[low:high], scorer=fuzz.ratio,
                               score_cutoff=NEAR_DUPLICATE, workers=1)
        hits.update(t for t, best in zip(mine, scores.max(axis=1), strict=True) if best > 0)
    return hits
