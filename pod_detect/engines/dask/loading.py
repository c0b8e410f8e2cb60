"""Many files into one canonical table held by Dask. A first pass collects every file's
account, post and kind ids, which are coded in one sorted space as the pandas engine codes
them; a second pass writes each file's rows with those codes. What needs more than one file
(a post's author named in another file, duplicates across files) is settled on the Dask
frame, which is written once to scratch Parquet or kept in the cluster's memory."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.engines.frames import collect_all, compute_each, each_partition
from pod_detect.errors import InputError
from pod_detect.io.files import expand
from pod_detect.io.notes import combined
from pod_detect.io.table import recode
from pod_detect.model import FRAME_COLUMNS, POST, Facts, Interactions, ReadNotes, source_dtype


@dataclass(frozen=True)
class _Options:
    """How every file is read (the arguments of :func:`pod_detect.io.load`)."""

    fmt: str | None
    mapping: dict[str, str] | None
    encoding: str
    on_bad_rows: str
    max_input_bytes: int | None = None
    time_format: str | None = None
    dayfirst: bool = False

    def load(self, path: str) -> Interactions:
        from pod_detect.io import load

        # post records are kept: they settle authors and post times across files
        return load(path, fmt=self.fmt, mapping=self.mapping, encoding=self.encoding,
                    on_bad_rows=self.on_bad_rows, max_input_bytes=self.max_input_bytes,
                    time_format=self.time_format, dayfirst=self.dayfirst, settle=False)


@dataclass(frozen=True)
class _Summary:
    """One file as its first pass saw it (ids as Arrow strings: a tenth of the memory of
    Python strings, for the workers that make them and the process that gathers them)."""

    accounts: pa.Array
    posts: pa.Array
    kinds: np.ndarray
    columns: frozenset[str]
    rows_read: int
    dropped: dict[str, int]
    reading: ReadNotes


def _version(path: str) -> tuple[int, int, int]:
    """What names one version of a file in a task's key. Tasks are keyed by their arguments
    (``pure=True``), and a long-lived cluster hands back a result it still holds for the same
    key: keyed by the path alone, a file rewritten between two scans would be read as it was."""
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _summarise(path: str, options: _Options, version: tuple[int, int, int]) -> _Summary:
    data = options.load(path)
    kinds = np.asarray(data.frame["kind"].cat.categories, dtype=object)
    summary = _Summary(_arrow(data.accounts), _arrow(data.posts), kinds, data.columns,
                       data.rows_read, dict(data.dropped), data.readings[0])
    del data
    pa.default_memory_pool().release_unused()  # a worker reads file after file
    return summary


def _summaries(files: list[str], options: _Options) -> list[_Summary]:
    """Every file's summary, each fetched as soon as it is made (:func:`compute_each`): a
    worker that kept sixty of them (ids of a few hundred thousand accounts each) would run
    out of memory before the last file."""
    import dask

    return compute_each([dask.delayed(_summarise, pure=True)(f, options, _version(f))
                         for f in files])


def _arrow(ids: np.ndarray) -> pa.Array:
    return pa.array(ids, type=pa.large_string())


def _canonical(path: str, version: tuple[int, int, int], source: np.ndarray, options: _Options,
               accounts: pa.Array, posts: pa.Array, kinds: np.ndarray) -> pd.DataFrame:
    """One file's canonical rows, with codes into the global sorted ids; ``source``: the
    file's index among all (a 0-d array of the ``source`` column's dtype)."""
    data = options.load(path)
    frame = data.frame
    out = frame[list(FRAME_COLUMNS)].copy()
    out["source"] = np.full(len(out), source, dtype=source.dtype)
    for column, labels, every in (("actor", data.accounts, accounts),
                                  ("author", data.accounts, accounts),
                                  ("post", data.posts, posts)):
        found = pc.index_in(_arrow(labels), value_set=every).to_numpy(zero_copy_only=False)
        local = np.append(found.astype("int32"), np.int32(-1))
        out[column] = local[frame[column].to_numpy()]
    kind = frame["kind"]
    out["kind"] = pd.Categorical.from_codes(
        np.searchsorted(kinds, np.asarray(kind.cat.categories, dtype=object))[
            kind.cat.codes.to_numpy()], categories=kinds)
    out["text"] = out["text"].astype(object)
    del data, frame
    pa.default_memory_pool().release_unused()
    return out.reset_index(drop=True)


def _union(arrays: Sequence[pa.Array]) -> pa.Array:
    """The distinct ids of every file, sorted as the pandas engine sorts them (UTF-8 byte
    order is code-point order, which is Python's string order)."""
    if not arrays:
        return pa.array([], type=pa.large_string())
    every = pc.unique(pa.concat_arrays(list(arrays)))
    return every.take(pc.array_sort_indices(every))


def _labels(ids: pa.Array) -> np.ndarray:
    return np.asarray(ids.to_pylist(), dtype=object)


def load_dask(
    source: str | Sequence[str],
    *,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    on_bad_rows: str = "error",
    scratch: str | None = None,
    max_input_bytes: int | None = None,
    time_format: str | None = None,
    dayfirst: bool = False,
) -> Interactions:
    """Read many files into one canonical table held by Dask.

    Parameters
    ----------
    source
        Paths, glob patterns or directories (:func:`expand`).
    fmt, mapping, encoding, on_bad_rows, max_input_bytes
        As for :func:`pod_detect.io.load`, applied to every file.
    scratch
        A directory where the canonical frame is written once as Parquet (every worker must
        see it: a local cluster's temporary directory, or a shared disk); ``None`` keeps it
        in the cluster's memory instead.

    Returns
    -------
    Interactions
        ``frame`` is a Dask dataframe; accounts, posts and counts cover every file.

    Raises
    ------
    InputError
        As :func:`pod_detect.io.load` would for the first bad file; a post that two files
        give different authors.
    """
    import dask
    import dask.dataframe as dd

    files = expand(source)
    options = _Options(fmt, dict(mapping) if mapping else None, encoding, on_bad_rows,
                       max_input_bytes, time_format, dayfirst)
    summaries = _summaries(files, options)
    every_account = _union([s.accounts for s in summaries])
    every_post = _union([s.posts for s in summaries])
    kinds = np.asarray(sorted(set().union(*(s.kinds.tolist() for s in summaries))),
                       dtype=object)
    accounts, posts = _labels(every_account), _labels(every_post)
    dtype = source_dtype(len(files))
    meta = _meta(kinds, dtype)
    shared = _shared(every_account, every_post, kinds)
    frame = dd.from_delayed(
        [dask.delayed(_canonical, pure=True)(f, _version(f), np.array(i, dtype=dtype), options,
                                             *shared)
         for i, f in enumerate(files)],
        meta=meta, verify_meta=False)
    frame, records, own_records = _post_times(frame, kinds, len(posts))
    frame, filled, selfish = _fill_authors(frame, accounts, posts, files)
    if records:
        frame, selfish = frame[frame["kind"] != POST], selfish - own_records
    frame, duplicates = _collapse(frame)
    if records:
        frame, accounts, posts = _compacted(frame, accounts, posts)
    frame = _keep(frame, scratch)
    more = {"duplicate": duplicates, "self_engagement": selfish}
    return _interactions(frame, files, source, summaries, accounts, posts, filled,
                         {**more, "post_record": records} if records else more)


def _meta(kinds: np.ndarray, source: str) -> pd.DataFrame:
    return pd.DataFrame({
        "actor": pd.Series(dtype="int32"), "author": pd.Series(dtype="int32"),
        "post": pd.Series(dtype="int32"),
        "kind": pd.Categorical.from_codes(np.empty(0, dtype="int8"), categories=kinds),
        "timestamp": pd.Series(dtype="float64"), "post_time": pd.Series(dtype="float64"),
        "text": pd.Series(dtype=object), "line": pd.Series(dtype="int64"),
        "source": pd.Series(dtype=source),
    })


def _shared(*arrays: np.ndarray) -> tuple[Any, ...]:
    """The arrays as the tasks should get them: scattered once to every worker when a
    distributed client is running, as they are otherwise."""
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        return arrays
    return tuple(client.scatter(a, broadcast=True) for a in arrays)


def _post_times(frame: Any, kinds: np.ndarray, n_posts: int) -> tuple[Any, int, int]:
    """Give rows without a post time the time their post's record gives it (in any file);
    how many records there are, and how many name their author as the actor (which
    :func:`_fill_authors` drops with the self-engagement)."""
    if POST not in kinds.tolist():
        return frame, 0, 0
    records = frame[frame["kind"] == POST]
    own = records["actor"] == records["author"]
    given = records.assign(when=records["post_time"].fillna(records["timestamp"]))
    given = given[(given["post"] >= 0) & ~given["when"].isna()][["post", "when"]]
    pairs, count, selfish = collect_all(given, records.shape[0], own.sum())
    times = np.full(n_posts + 1, np.nan)
    times[pairs["post"].to_numpy()] = pairs["when"].to_numpy()

    def fill(part: pd.DataFrame, times: np.ndarray) -> pd.DataFrame:
        post_time = part["post_time"].to_numpy()
        post = part["post"].to_numpy()
        found = times[np.where(post >= 0, post, -1)]
        return part.assign(post_time=np.where(np.isnan(post_time), found, post_time))

    return each_partition(frame, fill, frame._meta, times), int(count), int(selfish)


def _fill_authors(frame: Any, accounts: np.ndarray, posts: np.ndarray, files: list[str]
                  ) -> tuple[Any, int, int]:
    """Give rows without an author the author another file names for their post, and drop
    the self-engagement that reveals; a post that files give different authors is an error
    (as two rows of one file would be). Returns the frame, rows filled, rows dropped."""
    known = frame[(frame["author"] >= 0) & (frame["post"] >= 0)]
    authors = known[["post", "author"]].drop_duplicates()
    counts, missing = collect_all(authors["post"].value_counts(),
                                  ((frame["author"] < 0) & (frame["post"] >= 0)).sum())
    twice = counts[counts > 1]
    if len(twice):
        post = int(twice.index.min())
        named = sorted(collect_all(authors[authors["post"] == post]["author"])[0].tolist())
        raise InputError(f"post {posts[post]!r} has two authors in different files: "
                         f"{accounts[named[0]]!r} and {accounts[named[1]]!r}",
                         source=", ".join(files[:3]) + (", ..." if len(files) > 3 else ""))
    if not int(missing):
        return frame, 0, 0
    pairs = collect_all(authors)[0]
    owner = np.full(len(posts) + 1, -1, dtype="int32")
    owner[pairs["post"].to_numpy()] = pairs["author"].to_numpy()

    def fill(part: pd.DataFrame, owners: np.ndarray) -> pd.DataFrame:
        author = part["author"].to_numpy()
        post = part["post"].to_numpy()
        given = np.where(author < 0, owners[np.where(post >= 0, post, -1)], author)
        out = part.assign(author=given.astype("int32"))
        return out.assign(_filled=(author < 0) & (given >= 0))

    marked = each_partition(frame, fill, frame._meta.assign(_filled=pd.Series(dtype=bool)),
                            owner)
    own = marked["actor"] == marked["author"]
    filled, selfish = collect_all(marked["_filled"].sum(), own.sum())
    return marked[~own].drop(columns="_filled"), int(filled), int(selfish)


def _compacted(frame: Any, accounts: np.ndarray, posts: np.ndarray
               ) -> tuple[Any, np.ndarray, np.ndarray]:
    """Only the ids some row names, as :func:`pod_detect.io.table.compact` keeps them."""
    actors, authors, seen = collect_all(frame["actor"].unique(), frame["author"].unique(),
                                        frame["post"].unique())
    people = np.zeros(len(accounts) + 1, dtype=bool)
    people[np.asarray(actors, dtype=np.int64)] = True
    people[np.asarray(authors, dtype=np.int64)] = True
    used = np.zeros(len(posts) + 1, dtype=bool)
    used[np.asarray(seen, dtype=np.int64)] = True
    people, used = people[:-1], used[:-1]
    if people.all() and used.all():
        return frame, accounts, posts
    account_code, post_code = recode(people, used)

    def renumber(part: pd.DataFrame, account_code: np.ndarray, post_code: np.ndarray
                 ) -> pd.DataFrame:
        return part.assign(actor=account_code[part["actor"].to_numpy()],
                           author=account_code[part["author"].to_numpy()],
                           post=post_code[part["post"].to_numpy()])

    return (each_partition(frame, renumber, frame._meta, account_code, post_code),
            accounts[people], posts[used])


def _collapse(frame: Any) -> tuple[Any, int]:
    """Drop rows equal in every column but their place (``source`` and ``line``), across
    files; how many went. Of equal rows the first in the inputs' order is kept, as
    :func:`pod_detect.io.load_all` keeps it: the rows are shuffled on those columns, so that
    equal rows meet in one partition, which keeps the one of the smallest place, whatever
    the order the shuffle delivers them in."""
    columns = [c for c in FRAME_COLUMNS if c not in _PLACE]
    unique = each_partition(frame.shuffle(columns), _first_of_equal, frame._meta, columns)
    before, after = collect_all(frame.shape[0], unique.shape[0])
    return (unique if before != after else frame), int(before - after)


#: The columns that say where a row came from, and nothing of what it says.
_PLACE = ("source", "line")


def _first_of_equal(part: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows of ``part``, of rows equal in ``columns`` only the first by place."""
    equal = part.duplicated(subset=columns, keep=False).to_numpy()
    if not equal.any():
        return part
    first = part[equal].sort_values(list(_PLACE), kind="stable").drop_duplicates(subset=columns)
    return pd.concat([part[~equal], first])


def _keep(frame: Any, scratch: str | None) -> Any:
    """The frame computed once: written to ``scratch`` as Parquet and read back, or held in
    the cluster's memory."""
    import dask.dataframe as dd

    if scratch is None:
        return frame.persist()
    path = os.path.join(scratch, "canonical.parquet")
    frame.to_parquet(path, write_index=False, overwrite=True)
    return dd.read_parquet(path)


def _interactions(frame: Any, files: list[str], source: str | Sequence[str],
                  summaries: list[_Summary], accounts: np.ndarray, posts: np.ndarray,
                  filled: int, more: dict[str, int]) -> Interactions:
    dropped: dict[str, int] = {}
    for counts in [s.dropped for s in summaries] + [more]:
        for why, n in counts.items():
            dropped[why] = dropped.get(why, 0) + n
    readings = tuple(s.reading for s in summaries)
    name = source if isinstance(source, str) else " ".join(source)
    return Interactions(
        frame=frame, accounts=accounts, posts=posts, source=name,
        columns=frozenset().union(*(s.columns for s in summaries)),
        rows_read=sum(s.rows_read for s in summaries),
        dropped=dropped, notes=combined(readings, files, filled, as_one=True),
        known=Facts.of(frame), sources=() if files == [name] else tuple(files),
        readings=readings)
