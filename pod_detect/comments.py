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


def normalise(text: pd.Series) -> pd.Series:
    """Lower case, words only: punctuation, emoji, links and @mentions removed."""
    out = text.str.lower()
    out = out.str.replace(r"https?://\S+|@\w+", " ", regex=True)
    out = out.str.replace(r"[^\w\s]|_", " ", regex=True)
    return out.str.replace(r"\s+", " ", regex=True).str.strip()


def comment_style(actor: np.ndarray, text: pd.Series) -> CommentStyle:
    """Classify every non-empty comment of the frame (``actor`` and ``text`` columns)."""
    present = text.notna().to_numpy() & (text.fillna("").str.strip() != "").to_numpy()
    rows = np.flatnonzero(present)
    words = normalise(text.iloc[rows].astype(str)).reset_index(drop=True)
    emoji_only = (words == "").to_numpy()
    writers = pd.DataFrame({"words": words, "actor": actor[rows]})
    writers = writers[~emoji_only].drop_duplicates()
    spread = writers.groupby("words")["actor"].size()
    templates = spread[spread >= TEMPLATE_ACCOUNTS].sort_values(ascending=False, kind="stable")
    templated = words.isin(templates.index).to_numpy() | emoji_only
    templated |= _near(words, templated, list(templates.index[:MAX_TEMPLATES]))
    return CommentStyle(rows=rows, emoji_only=emoji_only, templated=templated)


def _near(words: pd.Series, known: np.ndarray, templates: list[str]) -> np.ndarray:
    """Comments not yet templated that are near-duplicates of a template."""
    near = np.zeros(len(words), dtype=bool)
    if not templates:
        return near
    candidates = words[~known]
    unique = candidates.unique().tolist()
    if not unique:
        return near
    scores = process.cdist(unique, templates, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE,
                           workers=1)
    hits = {text for text, row in zip(unique, scores.max(axis=1), strict=True) if row > 0}
    near[np.flatnonzero(~known)] = candidates.isin(hits).to_numpy()
    return near
