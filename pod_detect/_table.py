"""Vectorised steps that build the canonical frame (helpers of :func:`pod_detect.io.parse`).

Codes come from sorted ids and rows are fully sorted, so the same rows in any order give the
same codes and the same frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_PACK_LIMIT = 2**62


def sorted_codes(*columns: pd.Series) -> tuple[np.ndarray, list[np.ndarray]]:
    """Code the strings of all ``columns`` in one space numbered in sorted order.

    Returns the labels (object array of str, ``labels[code]``) and one int32 code array per
    column, -1 where the value is missing.
    """
    arrays = [pa.chunked_array(pa.array(column)).cast(pa.large_string()) for column in columns]
    joined = pa.chunked_array([c for a in arrays for c in a.chunks], type=pa.large_string())
    encoded = pc.dictionary_encode(joined.combine_chunks())
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    rank[-1] = -1  # index -1 (missing) stays -1
    codes = rank[encoded.indices.fill_null(-1).to_numpy()]
    labels = encoded.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    cuts = np.cumsum([len(column) for column in columns])[:-1]
    return np.asarray(labels, dtype=object), list(np.split(codes, cuts))


def sort_and_collapse(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Sort by timestamp, actor, author, post, kind, text, post_time (missing last).

    Rows equal in every column are then neighbours; all but the first of each run are
    dropped. Returns the new frame (fresh index) and how many rows were dropped.
    """
    if len(frame) == 0:
        return frame.reset_index(drop=True), 0
    text = pd.factorize(frame["text"], sort=True)[0] if frame["text"].notna().any() else None
    ints = [frame[c].to_numpy() for c in ("actor", "author", "post")]
    ints += [frame["kind"].cat.codes.to_numpy()] + ([text] if text is not None else [])
    floats = [frame[c].to_numpy() for c in ("timestamp", "post_time")]
    floats = [v for v in floats if not np.isnan(v).all()]
    packed = _pack(ints)
    lines = [frame["line"].to_numpy()] if "line" in frame else []
    # the line is the least significant key: of equal rows the first in the input is kept
    order = np.lexsort([*lines, *floats[1:][::-1], *packed[::-1], *floats[:1]])
    same = np.ones(max(len(order) - 1, 0), dtype=bool)
    for values in packed:
        ordered = values[order]
        same &= ordered[1:] == ordered[:-1]
    for values in floats:
        ordered = values[order]
        same &= (ordered[1:] == ordered[:-1]) | (np.isnan(ordered[1:]) & np.isnan(ordered[:-1]))
    keep = order[np.concatenate([[True], ~same])]
    return frame.iloc[keep].reset_index(drop=True), int(same.sum())


def _pack(keys: list[np.ndarray]) -> list[np.ndarray]:
    """Combine integer sort keys (most significant first, -1 sorting last) into few int64 keys."""
    packed: list[np.ndarray] = []
    current, size = None, 1
    for key in keys:
        span = int(key.max(initial=-1)) + 2
        value = np.where(key < 0, span - 1, key).astype(np.int64)
        if current is not None and size * span < _PACK_LIMIT:
            current, size = current * span + value, size * span
        else:
            if current is not None:
                packed.append(current)
            current, size = value, span
    return packed + ([current] if current is not None else [])
