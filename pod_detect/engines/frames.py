"""The canonical rows as a pandas or a Dask dataframe: the few shims the row-level steps need.

Every step that touches all rows (:mod:`pod_detect.reduce`, co-engagement counting, the
detectors' baselines) is written once, over the dataframe API both engines share:
row-wise work is a function of one partition (:func:`each_partition`; for pandas the whole
frame is its one partition), aggregations are ``groupby``/``agg``/``drop_duplicates``, and
:func:`collect` turns a lazy result into pandas. Only these functions know which engine
holds the rows. Dask is imported by nothing here: a Dask frame is recognised by its type's
module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pod_detect.kernels import sorting as _sorting

#: The columns that identify a row when sampling (codes and times: the same in any engine).
SAMPLE_KEY = ("actor", "author", "post", "timestamp")

#: Columns of the canonical frame a row-level step may need, with their dtypes.
ROW_DTYPES = {"actor": "int32", "author": "int32", "post": "int32", "timestamp": "float64",
              "post_time": "float64"}


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-d array (:func:`pod_detect.kernels.sorting.unique`)."""
    return _sorting.unique(np.asarray(values))


def is_lazy(obj: Any) -> bool:
    """Whether ``obj`` is a Dask collection (a frame, a series or a scalar)."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


def collect(obj: Any) -> Any:
    """``obj`` computed into pandas/numpy if it is lazy, else ``obj`` itself."""
    return collect_all(obj)[0] if is_lazy(obj) else obj


def collect_all(*objs: Any) -> tuple[Any, ...]:
    """Several results computed together (one pass over the rows for Dask).

    A Dask frame or series comes back partition by partition and is concatenated here:
    computed whole, Dask would first gather it into one partition on one worker, which a
    result as long as the pairs of accounts does not fit.
    """
    if not any(is_lazy(o) for o in objs):
        return objs
    pieces: list[Any] = []
    spans: list[tuple[int, int]] = []
    for obj in objs:
        parts = obj.to_delayed() if _partitioned(obj) else [obj]
        spans.append((len(pieces), len(pieces) + len(parts)))
        pieces += parts
    done = compute_each(pieces)
    out = []
    for obj, (start, stop) in zip(objs, spans, strict=True):
        out.append(_concat(obj, list(done[start:stop])) if _partitioned(obj) else done[start])
    return tuple(out)


def compute_each(pieces: list[Any]) -> list[Any]:
    """Dask collections or delayed values computed, results in order; on a distributed
    cluster each is fetched as soon as it is done and then forgotten by its worker, so that
    workers do not hold every result until the last one is done."""
    import dask

    try:
        from distributed import as_completed, get_client

        client = get_client()
    except (ImportError, ValueError):
        return list(dask.compute(*pieces))
    futures = client.compute(pieces)
    where = {id(future): i for i, future in enumerate(futures)}
    done: dict[int, Any] = {}
    for future in as_completed(futures):
        done[where[id(future)]] = future.result()
        future.release()
    return [done[i] for i in range(len(futures))]


def _partitioned(obj: Any) -> bool:
    """Whether ``obj`` is a Dask frame, series or index (not a scalar)."""
    if not is_lazy(obj):
        return False
    import dask.dataframe as dd

    return isinstance(obj, dd.DataFrame | dd.Series | dd.Index)


def _concat(obj: Any, parts: list[Any]) -> Any:
    """The partitions of ``obj`` as one pandas object, in partition order."""
    filled = [p for p in parts if len(p)]
    if not filled:
        return parts[0] if parts else obj._meta
    return filled[0] if len(filled) == 1 else pd.concat(filled)


def each_partition(frame: Any, func: Callable[..., Any], meta: Any, *shared: Any) -> Any:
    """``func(partition, *shared)`` for every partition (pandas: for the frame), results
    concatenated.

    ``meta`` is an empty pandas object shaped like ``func``'s result (Dask needs it).
    ``shared`` are the large values every partition reads (lookup tables indexed by post or
    account): Dask ships each once to a worker, which a value captured by ``func`` would
    instead travel inside every task.
    """
    if is_lazy(frame):
        import dask

        once = [dask.delayed(value, pure=False, traverse=False) for value in shared]
        return frame.map_partitions(func, *once, meta=meta)
    return func(frame, *shared)


def spread(frame: Any) -> dict[str, Any]:
    """Keyword arguments for a groupby whose result is about as long as its input (a row per
    account pair): for Dask, as many result partitions as the input has, so that no worker
    holds the whole result; none for pandas (whose ``agg`` would read them as columns)."""
    return {"split_out": frame.npartitions} if is_lazy(frame) else {}


def whole_posts(frame: Any) -> Any:
    """The frame partitioned so that each post's rows are all in one partition."""
    if is_lazy(frame) and frame.npartitions > 1:
        return frame.shuffle("post")
    return frame


def length(frame: Any) -> int:
    """Rows in the frame."""
    return int(collect(frame.shape[0]) if is_lazy(frame) else len(frame))


def rows_of(frame: Any, column: str, codes: np.ndarray, columns: Sequence[str]) -> pd.DataFrame:
    """The rows whose ``column`` is one of ``codes`` (sorted by frame order for pandas, by
    ``columns`` for Dask, where partitions have no order), as pandas."""
    codes = np.asarray(codes, dtype="int64")
    if not is_lazy(frame):
        return frame.loc[frame[column].isin(codes), list(columns)]
    picked = collect(frame[frame[column].isin(codes)][list(columns)])
    return picked.sort_values(list(columns), kind="stable")


def row_hash(frame: pd.DataFrame, columns: Sequence[str] = SAMPLE_KEY) -> np.ndarray:
    """A hash of each row's values in ``columns``: the same row, the same number, whatever
    the order of the rows or the engine (pandas' fixed-key row hash)."""
    return pd.util.hash_pandas_object(frame[list(columns)], index=False).to_numpy()


def row_hashes(frame: Any) -> np.ndarray | None:
    """:func:`row_hash` of every row of a pandas frame, for several :func:`sample` calls;
    ``None`` for Dask, where each partition hashes its own."""
    return None if is_lazy(frame) else row_hash(frame)


def sample(frame: Any, keep: Callable[[pd.DataFrame], np.ndarray], key: Sequence[str],
           most: int, hashes: np.ndarray | None = None) -> pd.DataFrame:
    """At most ``most`` of the rows ``keep`` selects, with the ``key`` columns: those whose
    :data:`SAMPLE_KEY` values hash lowest (a uniform sample that depends neither on row
    order nor on the engine), in hash order, rows equal in it by their ``key`` values
    (rows equal in ``key`` are interchangeable).

    ``hashes`` (pandas only): :func:`row_hashes` of the whole frame, computed once by a
    caller that samples it several times.
    """
    key = list(key)
    if not is_lazy(frame):
        return _lowest(frame, keep(frame), key, most, hashes)[key]

    def part(rows: pd.DataFrame) -> pd.DataFrame:
        return _lowest(rows, keep(rows), key, most, None).drop(columns="_row")

    meta = pd.DataFrame({c: pd.Series(dtype=ROW_DTYPES.get(c, "object")) for c in key})
    meta["_hash"] = pd.Series(dtype="uint64")
    picked = collect(each_partition(frame, part, meta)).reset_index(drop=True)
    return picked.iloc[_order(picked, key)[:most]][key]


def sample_rows(frame: pd.DataFrame, keep: Callable[[pd.DataFrame], np.ndarray],
                key: Sequence[str], most: int, hashes: np.ndarray | None = None) -> np.ndarray:
    """The positions in a pandas frame of the rows :func:`sample` picks, in its order."""
    picked = _lowest(frame, keep(frame), list(key), most, hashes)
    return picked["_row"].to_numpy()


def _lowest(frame: pd.DataFrame, mask: np.ndarray, key: list[str], most: int,
            hashes: np.ndarray | None) -> pd.DataFrame:
    """The ``most`` rows of ``mask`` with the lowest hashes, with ``key``, ``_hash`` and
    ``_row`` (their positions in ``frame``)."""
    rows = np.flatnonzero(mask)
    value = hashes[rows] if hashes is not None else row_hash(frame.iloc[rows])
    if len(rows) > most:
        chosen = np.flatnonzero(value <= np.partition(value, most - 1)[most - 1])
        rows, value = rows[chosen], value[chosen]
    picked = frame.iloc[rows][key].assign(_hash=value, _row=rows).reset_index(drop=True)
    return picked.iloc[_order(picked, key)[:most]]


def _order(picked: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Positions by hash, then by the key's values (the same order in any engine)."""
    return np.lexsort([picked[c].to_numpy() for c in reversed(key)] + [picked["_hash"]])


def sample_positions(frame: pd.DataFrame, positions: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` of the frame ``positions``: those whose :data:`SAMPLE_KEY` values
    hash lowest (a uniform sample that depends neither on row order nor on the engine; see
    :func:`sample`), in frame order."""
    if len(positions) <= most:
        return positions
    hashes = row_hash(frame.iloc[positions], SAMPLE_KEY)
    return positions[np.sort(np.argsort(hashes, kind="stable")[:most])]
