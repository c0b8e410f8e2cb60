"""Several exports read as one (a helper of :func:`pod_detect.io.load_all`): each file read and
checked on its own, then coded in one sorted space and settled across files, as the Dask
engine settles its files: a post's author and post time given by another file's rows (or its
post records), the self-engagement that reveals, and duplicates across files."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pod_detect.errors import InputError
from pod_detect.io import notes as _notes
from pod_detect.io.strings import STR
from pod_detect.io.table import (
    compact,
    fill_authors,
    fill_post_times,
    post_records,
    sort_and_collapse,
)
from pod_detect.kernels.keys import Key
from pod_detect.model import FRAME_COLUMNS, Interactions, source_dtype


def merge(parts: Sequence[Interactions], names: Sequence[str]) -> Interactions:
    """One table of every part's rows (each read with ``settle=False``), in the order and
    codes one file of all their rows would give."""
    accounts = _union([p.accounts for p in parts])
    posts = _union([p.posts for p in parts])
    kinds = sorted(set().union(*(p.frame["kind"].cat.categories for p in parts)))
    dtype = source_dtype(len(parts))
    frames = [_recoded(p, accounts, posts, kinds, np.array(i, dtype=dtype))
              for i, p in enumerate(parts)]
    frame = pd.concat(frames, ignore_index=True)
    author, post = frame["author"].to_numpy(), frame["post"].to_numpy()
    _one_author(author, post, accounts, posts, names)
    author, filled = fill_authors(author, post, len(posts))
    kind = pd.Categorical(frame["kind"], categories=kinds)
    records = post_records(kind)
    post_time = frame["post_time"].to_numpy()
    own = frame["actor"].to_numpy() == author
    if records is not None:
        post_time = fill_post_times(post, post_time, records, frame["timestamp"].to_numpy())
        own &= ~records
    frame = frame.assign(author=author.astype("int32"), post_time=post_time)
    drop = own | records if records is not None else own
    kept = np.flatnonzero(~drop)
    frame = frame.iloc[kept].reset_index(drop=True)
    text = frame["text"]
    ranks = pd.Series(text).rank(method="dense", na_option="bottom").to_numpy()
    order, duplicates = sort_and_collapse(
        [frame[c].to_numpy() for c in ("actor", "author", "post")] + [frame["kind"].cat.codes
                                                                       .to_numpy()],
        [frame["timestamp"].to_numpy(), frame["post_time"].to_numpy()],
        lambda rows: ranks[rows], _places(frame["source"].to_numpy(), frame["line"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    if records is not None:
        frame["kind"] = frame["kind"].cat.remove_unused_categories()
    if records is not None or any(p.dropped.get("post_record") for p in parts):
        frame, accounts, posts = compact(frame, accounts, posts)
    dropped = _dropped(parts, int(own.sum()), duplicates, records)
    readings = tuple(r for p in parts for r in p.readings)
    return Interactions(
        frame=frame, accounts=accounts, posts=posts, source=" ".join(names),
        columns=frozenset().union(*(p.columns for p in parts))
        | ({"post_time"} if frame["post_time"].notna().any() else set()),
        rows_read=sum(p.rows_read for p in parts), dropped=dropped,
        notes=_notes.combined(readings, names, filled), sources=tuple(names), readings=readings)


def _union(labels: Sequence[np.ndarray]) -> np.ndarray:
    """Every file's ids, sorted as one file's would be (code-point order)."""
    every = np.concatenate([np.asarray(a, dtype=object) for a in labels])
    return np.asarray(sorted(set(every.tolist())), dtype=object)


def _places(source: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Each row's place in the inputs as one int64 that sorts as (input, line): of rows
    equal in every other column the first input's is kept, as the Dask engine keeps it."""
    key = Key(int(source.max(initial=0)) + 1, int(line.max(initial=0)) + 1)
    if key.fits and line.min(initial=0) >= 0:
        return key.pack(source, line)
    place = np.empty(len(line), dtype=np.int64)
    place[np.lexsort((line, source))] = np.arange(len(line))
    return place


def _recoded(part: Interactions, accounts: np.ndarray, posts: np.ndarray,
             kinds: list[str], source: np.ndarray) -> pd.DataFrame:
    frame = part.frame[list(FRAME_COLUMNS)].copy()
    frame["source"] = np.full(len(frame), source, dtype=source.dtype)
    for column, labels, every in (("actor", part.accounts, accounts),
                                  ("author", part.accounts, accounts),
                                  ("post", part.posts, posts)):
        local = np.append(np.searchsorted(every, np.asarray(labels, dtype=object))
                          .astype("int32"), np.int32(-1))
        frame[column] = local[frame[column].to_numpy()]
    frame["kind"] = pd.Categorical(frame["kind"].astype(object), categories=kinds)
    frame["text"] = frame["text"].astype(STR)
    return frame


def _one_author(author: np.ndarray, post: np.ndarray, accounts: np.ndarray, posts: np.ndarray,
                names: Sequence[str]) -> None:
    """A post that files give different authors is an error (as within one file)."""
    known = (author >= 0) & (post >= 0)
    pairs = np.unique(np.stack([post[known], author[known]]), axis=1)
    twice = np.flatnonzero(pairs[0, 1:] == pairs[0, :-1])
    if len(twice):
        at = int(twice[0])
        raise InputError(
            f"post {posts[pairs[0, at]]!r} has two authors in different files: "
            f"{accounts[pairs[1, at]]!r} and {accounts[pairs[1, at + 1]]!r}",
            source=", ".join(names[:3]) + (", ..." if len(names) > 3 else ""))


def _dropped(parts: Sequence[Interactions], own: int, duplicates: int,
             records: np.ndarray | None) -> dict[str, int]:
    dropped: dict[str, int] = {}
    for counts in [p.dropped for p in parts]:
        for why, n in counts.items():
            dropped[why] = dropped.get(why, 0) + n
    dropped["self_engagement"] = dropped.get("self_engagement", 0) + own
    dropped["duplicate"] = dropped.get("duplicate", 0) + duplicates
    if records is not None:
        dropped["post_record"] = dropped.get("post_record", 0) + int(records.sum())
    return dropped
