"""Every fast path of the pandas engine, registered by name, and the switch that turns them
off so that the general (dataframe) path runs instead.

A fast path computes what its general path computes, faster, by sorting packed integer keys
(:mod:`.keys`, :mod:`.sorting`) where the general path uses pandas group-bys. The general
path is also the one a Dask frame takes, so running the test suite with every fast path off
(``pytest --general-paths``, or ``POD_DETECT_GENERAL_PATHS=1`` in the environment, which the
CLI's subprocesses inherit) checks the general paths on every fixture and, by the same
assertions, that both kinds of path agree. CI runs the suite both ways.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

#: Each fast path, and the general path it stands in for.
FAST_PATHS: dict[str, str] = {
    "reduce": "pod_detect.reduce.reduce_arrays for reduce_frames: the per-post, per-pair and "
              "per-account tables",
    "null_model": "pod_detect.candidates.cograph._null_arrays for the dataframe pass: the "
                  "co-engagement null model's activity and reach",
    "templates": "pod_detect.stats.templates.templates_arrays for templates_frames: the "
                 "comment templates",
    "targeted": "pod_detect.candidates.context._targeted for _targeted_frames: the posts a "
                "group targets together",
    "group_posts": "pod_detect.detectors.coengagement._group_posts by packed keys for its "
                   "group-by: the posts each group engaged",
    "pair_units": "pod_detect.candidates.pair_sums.Units and Shared by packed keys for "
                  "argsort and drop_duplicates: the co-engagement sums",
}

#: The environment variable that turns every fast path off (any value but "" or "0").
ENVIRONMENT = "POD_DETECT_GENERAL_PATHS"

_off: set[str] = set(FAST_PATHS) if os.environ.get(ENVIRONMENT, "0") not in ("", "0") else set()


def enabled(name: str) -> bool:
    """Whether fast path ``name`` (a key of :data:`FAST_PATHS`) may run."""
    if name not in FAST_PATHS:
        raise KeyError(f"unknown fast path {name!r}")
    return name not in _off


def disable(*names: str) -> None:
    """Turn fast paths off (all when no name is given) for the rest of the process."""
    for name in names or tuple(FAST_PATHS):
        enabled(name)
        _off.add(name)


@contextmanager
def general_paths(*names: str) -> Iterator[None]:
    """Within the block, fast paths ``names`` (all when none is given) are off."""
    before = set(_off)
    disable(*names)
    try:
        yield
    finally:
        _off.clear()
        _off.update(before)
