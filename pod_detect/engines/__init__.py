"""Engines: where a scan's rows live, behind one seam, :func:`scan_files`.

``pandas`` (:mod:`.pandas`) reads one export into this process's memory; ``dask``
(:mod:`.dask`) reads many files onto a Dask cluster. Both then run the same
:func:`pod_detect.pipeline.scan`: every step that touches all rows goes through the few shims
of :mod:`.frames`, the only code that knows which engine holds them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Protocol

from pod_detect.errors import ConfigError

if TYPE_CHECKING:
    from pod_detect.model import Interactions, Report
    from pod_detect.settings import Settings

#: Told the name of each stage as it starts (``"read"``, ``"reduce"``, ...).
StageHook = Callable[[str], None]

#: Each engine's module, imported when it is used (Dask is an optional dependency).
ENGINES = {"pandas": "pod_detect.engines.pandas", "dask": "pod_detect.engines.dask"}


@dataclass(frozen=True)
class ReadOptions:
    """How every export is read: the arguments of :func:`pod_detect.io.load`."""

    fmt: str | None = None
    mapping: Mapping[str, str] | None = None
    encoding: str = "utf-8"
    on_bad_rows: str = "error"
    max_input_bytes: int | None = None
    time_format: str | None = None
    dayfirst: bool = False

    def options(self) -> dict[str, object]:
        """The keyword arguments of :func:`pod_detect.io.load`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ClusterOptions:
    """The Dask engine's cluster (see :func:`pod_detect.engines.dask.start_cluster`):
    ``scheduler`` of an existing one, else ``workers`` local processes of ``worker_memory``
    each; ``scratch`` a directory every worker sees."""

    scheduler: str | None = None
    workers: int | None = None
    worker_memory: str | None = None
    scratch: str | None = None


class Engine(Protocol):
    """An engine module's ``scan_files``: the same arguments, settled."""

    def __call__(self, paths: Sequence[str], settings: Settings, read: ReadOptions,
                 cluster: ClusterOptions, on_stage: StageHook,
                 on_read: Callable[[Interactions], None]) -> Report: ...


def scan_files(
    paths: str | Sequence[str],
    settings: Settings | None = None,
    *,
    engine: str = "pandas",
    read: ReadOptions | None = None,
    cluster: ClusterOptions | None = None,
    on_stage: StageHook | None = None,
    on_read: Callable[[Interactions], None] | None = None,
) -> Report:
    """Read exports and scan them: what ``pod-detect scan`` does before it renders.

    Parameters
    ----------
    paths
        Paths, glob patterns or directories (:func:`pod_detect.io.files.expand`), read as
        one export; ``pandas`` also reads ``"-"`` (standard input).
    settings
        The thresholds (default :class:`~pod_detect.settings.Settings()`).
    engine
        A key of :data:`ENGINES`.
    read
        How each export is read.
    cluster
        The Dask engine's cluster; must be left empty for ``pandas``.
    on_stage
        Told each stage's name as it starts, ``"read"`` first.
    on_read
        Given the interactions once they are read, before the scan (e.g. to warn about the
        rows :attr:`ReadOptions.on_bad_rows` dropped).

    Raises
    ------
    ConfigError
        An unknown engine, no path, cluster options for ``pandas``, Dask missing.
    InputError
        As :func:`pod_detect.io.load`, for the first bad export.
    ClusterError
        When the Dask cluster's workers die or none is left running.
    """
    from pod_detect.settings import Settings

    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")
    listed = [paths] if isinstance(paths, str) else list(paths)
    cluster = cluster or ClusterOptions()
    if not listed:
        raise ConfigError("no export to read")
    if engine == "pandas":
        given = [f.name for f in fields(cluster) if getattr(cluster, f.name) is not None]
        if given:
            raise ConfigError(f"{', '.join(given)}: only the dask engine has a cluster")
    stage = on_stage or (lambda name: None)
    stage("read")
    run: Engine = importlib.import_module(ENGINES[engine]).scan_files
    return run(listed, settings or Settings(), read or ReadOptions(), cluster, stage,
               on_read or (lambda data: None))


__all__ = ["ENGINES", "ClusterOptions", "Engine", "ReadOptions", "StageHook", "scan_files"]
