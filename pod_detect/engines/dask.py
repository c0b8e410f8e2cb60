"""The Dask engine: the canonical rows of many files as a Dask dataframe, for the same scan.

Each file is read by the pandas reader (:func:`pod_detect.io.load`: the same formats,
aliases, time parsing, checks and one-line errors, file by file), in a Dask task. A first
pass collects every file's account, post and kind ids, which are coded in one sorted space as
the pandas engine codes them; a second pass writes each file's rows with those codes. What
needs more than one file (a post's author named in another file, duplicates across files) is
settled on the Dask frame. The canonical frame is written once to a scratch Parquet dataset
(or kept in the cluster's memory), and :func:`pod_detect.pipeline.scan` runs on it unchanged:
every step that touches all rows is written over the dataframe API both engines share
(:mod:`pod_detect.engines.frames`). Only the reduced tables and the rows of candidate groups come
back to this process.

Dask is an optional dependency (``pip install 'pod-detect[dask]'``); nothing here imports it
before it is used.
"""

from __future__ import annotations

import glob
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pod_detect.engines.frames import collect, collect_all, compute_each, each_partition
from pod_detect.errors import ClusterError, ConfigError, InputError, PodDetectError
from pod_detect.io.badrows import NOTE_PREFIX
from pod_detect.model import FRAME_COLUMNS, Facts, Interactions, Report

__all__ = ["Watchdog", "expand", "lost_worker", "load_dask", "localise", "start_cluster"]

#: What a path's name may end with to be read (the formats of :mod:`pod_detect.io`).
READABLE = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet", ".pq", ".tab")


def expand(source: str | Sequence[str]) -> list[str]:
    """The files a source names: paths, glob patterns and directories (every readable file
    below, e.g. a Parquet dataset), sorted, each once.

    Raises
    ------
    InputError
        When a path does not exist, a pattern matches nothing, or nothing readable is found.
    """
    sources = [source] if isinstance(source, str) else list(source)
    found: list[str] = []
    for item in sources:
        if item == "-":
            raise InputError("the Dask engine reads files, not standard input", source="-")
        if os.path.isdir(item):
            found += _below(item)
        elif any(c in item for c in "*?["):
            matched = sorted(glob.glob(item, recursive=True))
            if not matched:
                raise InputError("matches no file", source=item)
            found += [m for p in matched for m in (_below(p) if os.path.isdir(p) else [p])]
        elif os.path.exists(item):
            found.append(item)
        else:
            raise InputError("no such file", source=item)
    files = list(dict.fromkeys(found))
    if not files:
        raise InputError("holds no file pod-detect reads (" + ", ".join(READABLE) + ")",
                         source=", ".join(sources))
    return files


def _below(directory: str) -> list[str]:
    paths = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            bare = name[:-3] if name.endswith((".gz", ".zst")) else name
            if bare.lower().endswith(READABLE) and not name.startswith((".", "_")):
                paths.append(os.path.join(root, name))
    return sorted(paths)


@dataclass(frozen=True)
class _Options:
    """How every file is read (the arguments of :func:`pod_detect.io.load`)."""

    fmt: str | None
    mapping: dict[str, str] | None
    encoding: str
    on_bad_rows: str

    def load(self, path: str) -> Interactions:
        from pod_detect.io import load

        return load(path, fmt=self.fmt, mapping=self.mapping, encoding=self.encoding,
                    on_bad_rows=self.on_bad_rows)


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
    notes: tuple[str, ...]


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
                       data.rows_read, dict(data.dropped), data.notes)
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


def _canonical(path: str, version: tuple[int, int, int], options: _Options,
               accounts: pa.Array, posts: pa.Array, kinds: np.ndarray) -> pd.DataFrame:
    """One file's canonical rows, with codes into the global sorted ids."""
    data = options.load(path)
    frame = data.frame
    out = frame[list(FRAME_COLUMNS)].copy()
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
) -> Interactions:
    """Read many files into one canonical table held by Dask.

    Parameters
    ----------
    source
        Paths, glob patterns or directories (:func:`expand`).
    fmt, mapping, encoding, on_bad_rows
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
    options = _Options(fmt, dict(mapping) if mapping else None, encoding, on_bad_rows)
    summaries = _summaries(files, options)
    _same_columns(files, summaries)
    every_account = _union([s.accounts for s in summaries])
    every_post = _union([s.posts for s in summaries])
    kinds = np.asarray(sorted(set().union(*(s.kinds.tolist() for s in summaries))),
                       dtype=object)
    accounts, posts = _labels(every_account), _labels(every_post)
    meta = _meta(kinds)
    shared = _shared(every_account, every_post, kinds)
    frame = dd.from_delayed(
        [dask.delayed(_canonical, pure=True)(f, _version(f), options, *shared) for f in files],
        meta=meta, verify_meta=False)
    frame, filled, selfish = _fill_authors(frame, accounts, posts, files)
    frame, duplicates = _collapse(frame)
    frame = _keep(frame, scratch)
    return _interactions(frame, files, source, summaries, accounts, posts, filled,
                         {"duplicate": duplicates, "self_engagement": selfish})


def _same_columns(files: list[str], summaries: list[_Summary]) -> None:
    first = summaries[0].columns
    for path, summary in zip(files[1:], summaries[1:], strict=True):
        if summary.columns != first:
            raise InputError(
                f"has columns {', '.join(sorted(summary.columns))} where {files[0]} has "
                f"{', '.join(sorted(first))}; every file must give the same columns",
                source=path)


def _meta(kinds: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "actor": pd.Series(dtype="int32"), "author": pd.Series(dtype="int32"),
        "post": pd.Series(dtype="int32"),
        "kind": pd.Categorical.from_codes(np.empty(0, dtype="int8"), categories=kinds),
        "timestamp": pd.Series(dtype="float64"), "post_time": pd.Series(dtype="float64"),
        "text": pd.Series(dtype=object), "line": pd.Series(dtype="int64"),
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


def _collapse(frame: Any) -> tuple[Any, int]:
    """Drop rows equal in every column but their line, across files; how many went."""
    columns = [c for c in FRAME_COLUMNS if c != "line"]
    unique = frame.drop_duplicates(subset=columns)
    before, after = collect_all(frame.shape[0], unique.shape[0])
    return (unique if before != after else frame), int(before - after)


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
    local_fills = sum(_filled(s.notes) for s in summaries)
    notes: list[str] = []
    for path, summary in zip(files, summaries, strict=True):
        notes += [_bad_rows(n, path, len(files)) for n in summary.notes
                  if n not in notes and not _is_fill(n)]
    total = local_fills + filled
    if total:  # where pod_detect.io puts it: before the notes on epoch times and bad rows
        at = next((i for i, n in enumerate(notes)
                   if " read as epoch " in n or n.startswith(NOTE_PREFIX)), len(notes))
        notes.insert(at, f"author filled in for {total} rows from other rows of the same post")
    name = source if isinstance(source, str) else " ".join(source)
    return Interactions(
        frame=frame, accounts=accounts, posts=posts, source=name,
        columns=summaries[0].columns, rows_read=sum(s.rows_read for s in summaries),
        dropped=dropped, notes=tuple(notes), known=Facts.of(frame))


def _bad_rows(note: str, path: str, files: int) -> str:
    """A file's note on its dropped rows, naming the file when there are several."""
    if files > 1 and note.startswith(NOTE_PREFIX):
        return f"{NOTE_PREFIX} in {path}{note[len(NOTE_PREFIX):]}"
    return note


def _is_fill(note: str) -> bool:
    return note.startswith("author filled in for ")


def _filled(notes: tuple[str, ...]) -> int:
    for note in notes:
        if _is_fill(note):
            return int(note.split()[4])
    return 0


def localise(report: Report) -> Report:
    """The report with only the rows its renderers read, in pandas: every row by or on a
    flagged account (the Dask frame stays behind; the facts of all rows are kept)."""
    from pod_detect.engines.frames import is_lazy

    data = report.interactions
    if not is_lazy(data.frame):
        return report
    flagged = np.unique(np.concatenate(
        [np.asarray(g.members, dtype="int64") for g in report.groups] or
        [np.empty(0, dtype="int64")]))
    frame = data.frame
    near = collect(frame[frame["actor"].isin(flagged) | frame["author"].isin(flagged)])
    near = near.sort_values(["timestamp", "actor", "author", "post", "line"],
                            kind="stable", na_position="last").reset_index(drop=True)
    local = replace(data, frame=near, known=data.facts)
    return replace(report, interactions=local)


def start_cluster(scheduler: str | None, workers: int | None = None,
                  memory_limit: str | None = None) -> Any:
    """A distributed client: of the scheduler at ``scheduler``, else of a local cluster of
    ``workers`` processes (default: one per core), one thread each, no dashboard.

    Raises
    ------
    ConfigError
        When Dask is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("the Dask engine needs Dask: pip install 'pod-detect[dask]'") from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None
    import logging

    import dask
    from dask.utils import parse_bytes
    from distributed.system import MEMORY_LIMIT

    count = workers or os.cpu_count() or 1
    try:
        limit = (parse_bytes(memory_limit) if memory_limit and memory_limit != "auto"
                 else MEMORY_LIMIT // count)
    except ValueError:
        raise ConfigError(f"worker memory {memory_limit!r} is not a size (e.g. 1GB, 1.5GiB, "
                          "512MB)") from None
    if limit <= 0:
        raise ConfigError(f"worker memory {memory_limit!r} must be more than 0")
    # A peer-to-peer shuffle buffers up to 1 GiB per worker by default, outside the memory
    # Dask can spill, and a scan runs several at once: a tenth of the worker's limit each.
    dask.config.set({"distributed.p2p.comm.buffer": max(limit // 10, 16 * 2**20),
                     "distributed.p2p.storage.buffer": max(limit // 20, 8 * 2**20)})
    # Arrow's own allocator keeps freed memory for reuse, which a worker reading file after
    # file under a memory limit cannot afford; the system allocator gives it back.
    cluster = LocalCluster(n_workers=count, threads_per_worker=1,
                           dashboard_address=None, memory_limit=memory_limit or "auto",
                           processes=True, silence_logs=logging.CRITICAL,
                           env={"ARROW_DEFAULT_MEMORY_POOL": "system"})
    return Client(cluster)


#: What helps when workers run out of memory, the end of every cluster error.
ADVICE = ("give each worker more memory, run fewer workers with more memory each, or split "
          "the input into smaller files")


def _limit(memory_limit: str | None) -> str:
    return f" (--worker-memory {memory_limit})" if memory_limit else ""


#: What the tasks of a Dask key prefix do, for the message when their workers keep dying.
TASKS = {"_summarise": "while reading a file", "_canonical": "while reading and coding a file"}


def lost_worker(error: Exception, memory_limit: str | None) -> ClusterError | None:
    """The one-line error for ``error`` when it says a task killed every worker that ran it
    (distributed's ``KilledWorker``), else None."""
    if type(error).__name__ != "KilledWorker":
        return None
    key = str(error.args[0]) if error.args else ""
    prefix = key.strip("('\"").split("-", 1)[0]
    what = TASKS.get(prefix, f"in a reduce step ({prefix})" if prefix else "in a task")
    return ClusterError(f"Dask workers kept dying {what}, most often because it needed more "
                        f"memory than a worker has{_limit(memory_limit)}; {ADVICE}")


class Watchdog:
    """Watches a cluster's workers while a scan runs: counts the workers that left (died,
    most often of their memory limit, and were restarted under a new address), and with a
    ``patience`` closes ``client`` once no worker has been running for that many seconds,
    so that the scan ends (with :attr:`message`) instead of waiting for ever when every
    worker died and was not restarted, or every worker is paused (Dask pauses a worker at
    80% of its memory limit, and memory no task holds is never spilled). A restarted worker
    is back within seconds, a worker that spills resumes. Give no ``patience`` for a remote
    cluster, which may scale to zero on purpose.

    ``workers`` gives the cluster's workers as ``{address: status}`` (default: asks the
    scheduler).
    """

    message = ("the local Dask cluster had no running worker for two minutes (its workers "
               "were paused near their memory limit, or died and were not started again); "
               "give each worker more memory (--worker-memory), run fewer workers with more "
               "memory each, or split the input into smaller files")

    def __init__(self, client: Any, patience: float | None = 120.0, every: float = 2.0,
                 workers: Any = None) -> None:
        self.client = client
        self.patience = patience
        self.every = every
        self.fired = False
        self.lost = 0
        self._seen: set[str] = set()
        self._workers = workers or (lambda: {
            address: info.get("status")
            for address, info in client.scheduler_info(n_workers=-1)["workers"].items()})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="pod-detect-watchdog",
                                        daemon=True)

    def __enter__(self) -> Watchdog:
        self._look()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def running(self) -> int:
        """Workers running now (not paused, not closing)."""
        return self._look()

    def _look(self) -> int:
        try:
            workers = dict(self._workers())
        except Exception:  # a cluster shutting down: its state is no longer readable
            workers = {}
        self.lost += len(self._seen - set(workers))
        self._seen = set(workers)
        return sum(status == "running" for status in workers.values())

    def _watch(self) -> None:
        alone_since: float | None = None
        while not self._stop.wait(self.every):
            now = time.monotonic()
            if self._look():
                alone_since = None
                continue
            alone_since = now if alone_since is None else alone_since
            if self.patience is not None and now - alone_since >= self.patience:
                self.fired = True
                self.client.close()
                return

    def failure(self, error: BaseException, memory_limit: str | None) -> ClusterError | None:
        """The one-line error for ``error``, raised by the scan while this watched it, when
        the cluster is the likely cause: no running worker (see :attr:`message`), a task
        that killed every worker that ran it, or workers that died meanwhile (distributed
        then fails in ways of its own); None for pod-detect's own errors and when no worker
        was lost."""
        if self.fired:
            return ClusterError(self.message)
        lost = lost_worker(error, memory_limit) if isinstance(error, Exception) else None
        if lost is not None or isinstance(error, PodDetectError) or not self.lost:
            return lost
        return ClusterError(
            f"{self.lost} Dask workers died during the scan, most often because a task needed "
            f"more memory than a worker has{_limit(memory_limit)}, and then the scan failed "
            f"({type(error).__name__}); {ADVICE}")
