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

:func:`scan_files` is the engine's whole run: start (or join) a cluster, read the files into
it (:mod:`.loading`), scan, and bring the report home (:func:`localise`); :mod:`.cluster`
starts the cluster and explains its failures, :mod:`.files` expands the paths.

Dask is an optional dependency (``pip install 'pod-detect[dask]'``); nothing here imports it
before it is used.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pod_detect.engines.dask.cluster import Watchdog, lost_worker, start_cluster
from pod_detect.engines.dask.loading import load_dask
from pod_detect.engines.frames import collect
from pod_detect.io.files import expand
from pod_detect.model import Interactions, Report

if TYPE_CHECKING:
    from pod_detect.engines import ClusterOptions, ReadOptions, StageHook
    from pod_detect.settings import Settings

__all__ = ["Watchdog", "expand", "load_dask", "localise", "lost_worker", "scan_files",
           "start_cluster"]


def scan_files(paths: Sequence[str], settings: Settings, read: ReadOptions,
               cluster: ClusterOptions, on_stage: StageHook,
               on_read: Callable[[Interactions], None]) -> Report:
    """Start (or join) a cluster, read ``paths`` into it, scan, and bring the report home.

    A local cluster is closed at the end and its scratch directory removed; a remote one
    (``cluster.scheduler``) is left running. When workers die or none is left running,
    the error says so in one line (:class:`~pod_detect.errors.ClusterError`).
    """
    from pod_detect import pipeline

    quiet_dask_logs()
    remote = bool(cluster.scheduler)
    client = start_cluster(cluster.scheduler, cluster.workers, cluster.worker_memory)
    watchdog = Watchdog(client, patience=None if remote else 120.0)
    try:
        with tempfile.TemporaryDirectory(prefix="pod-detect-") as temporary, watchdog:
            scratch = cluster.scratch or (None if remote else temporary)
            data = load_dask(list(paths), scratch=scratch, **read.options())  # type: ignore[arg-type]
            on_read(data)
            return localise(pipeline.scan(data, settings, on_stage=on_stage))
    except Exception as error:
        failure = watchdog.failure(error, cluster.worker_memory)
        if failure is None:
            raise
        raise failure from None
    finally:
        client.close()
        local = getattr(client, "cluster", None)
        if local is not None and not remote:
            local.close()


def quiet_dask_logs() -> None:
    """Dask and distributed log routine events (shuffles, workers) as warnings: keep stderr
    for pod-detect's own messages."""
    import logging
    import warnings

    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="distributed")
    warnings.filterwarnings("ignore", module="dask")


def localise(report: Report) -> Report:
    """The report with only the rows its renderers read, in pandas: every row by or on a
    flagged account, and every row on an account a flagged one engaged (the per-author
    figures count all its engagement); the Dask frame stays behind, the facts of all rows
    are kept."""
    from pod_detect.engines.frames import is_lazy

    data = report.interactions
    if not is_lazy(data.frame):
        return report
    flagged = np.unique(np.concatenate(
        [np.asarray(g.members, dtype="int64") for g in report.groups] or
        [np.empty(0, dtype="int64")]))
    frame = data.frame
    near = collect(frame[frame["actor"].isin(flagged) | frame["author"].isin(flagged)])
    engaged = near.loc[near["actor"].isin(flagged), "author"].to_numpy()
    clients = np.setdiff1d(np.unique(engaged[engaged >= 0]), flagged)
    if len(clients):
        more = collect(frame[frame["author"].isin(clients) & ~frame["actor"].isin(flagged)])
        near = pd.concat([near, more], ignore_index=True)
    near = near.sort_values(["timestamp", "actor", "author", "post", "source", "line"],
                            kind="stable", na_position="last").reset_index(drop=True)
    local = replace(data, frame=near, known=data.facts)
    return replace(report, interactions=local)
