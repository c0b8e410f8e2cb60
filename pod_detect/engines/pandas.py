"""The pandas engine: one export read into this process's memory, then scanned.

Two things make it faster without changing what it computes: the modules the scan needs
are imported in a thread while the export is read (:func:`warm_up`), and Python's cycle
collector rests while the rows are read and scanned (:func:`collector_paused`).
"""

from __future__ import annotations

import gc
import importlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pod_detect.io import load, load_all

if TYPE_CHECKING:
    from pod_detect.engines import ClusterOptions, ReadOptions, StageHook
    from pod_detect.model import Interactions, Report
    from pod_detect.settings import Settings

#: Modules a scan needs only once the export is read: the pipeline (networkx, igraph,
#: rapidfuzz and the detectors, a fifth of a second) and what the detectors import when
#: first needed. Nothing the read imports imports them.
WARM = ("pod_detect.pipeline", "igraph", "scipy.special")


def scan_files(paths: Sequence[str], settings: Settings, read: ReadOptions,
               cluster: ClusterOptions, on_stage: StageHook,
               on_read: Callable[[Interactions], None]) -> Report:
    """Read the exports of ``paths`` as one and scan it (see
    :func:`pod_detect.engines.scan_files`)."""
    warm_up()
    with collector_paused():
        one = len(paths) == 1 and (paths[0] == "-" or os.path.isfile(paths[0]))
        data = (load(paths[0], **read.options()) if one  # type: ignore[arg-type]
                else load_all(paths, **read.options()))  # type: ignore[arg-type]
        on_read(data)
        from pod_detect import pipeline

        return pipeline.scan(data, settings, on_stage=on_stage)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an export is read and scanned, back on after.

    A scan makes millions of objects and few reference cycles (reference counting frees
    the rest), and each full collection walks every live object, on the thread that holds
    the interpreter lock (see benchmarks/README.md for what it cost). What cycles there are
    wait for the collector's next run, once it is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def warm_up() -> None:
    """Import :data:`WARM` in a thread while the main one reads the export (pyarrow's reader
    leaves the interpreter lock): about half a second of start-up that then overlaps the
    read. Nothing the read imports imports them, nor they it, so the two threads never wait
    on each other's imports; a failure here is left for the main thread's own import."""
    def load_modules() -> None:
        for name in WARM:
            try:
                importlib.import_module(name)
            except Exception:  # the main thread's own import reports it
                continue

    # Not a daemon: an interrupt (Ctrl-C) during the read ends the main thread while this one
    # may be inside an import, and a daemon thread still importing when the interpreter
    # finalises can leave it waiting forever (seen: a scan interrupted 0.65 s in never
    # ended). The interpreter waits for this one instead, at most the rest of its imports.
    threading.Thread(target=load_modules, name="pod-detect-imports", daemon=False).start()
