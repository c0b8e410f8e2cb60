"""pod-detect: find engagement pods and like-farms in interaction exports.

The public API is :func:`load` (read an export into the canonical table), :func:`scan` (run
the whole pipeline on it and return a :class:`~pod_detect.model.Report`) and
:func:`scan_files` (read and scan, with either engine: what ``pod-detect scan`` does before
it renders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pod_detect.model import Interactions, Report
    from pod_detect.settings import Settings

__version__ = "0.1.0"

__all__ = ["__version__", "load", "scan", "scan_files"]


def load(source: Any, **kwargs: Any) -> Interactions:
    """Read an export into :class:`~pod_detect.model.Interactions` (:func:`pod_detect.io.load`)."""
    from pod_detect.io import load as _load

    return _load(source, **kwargs)


def scan(interactions: Interactions, settings: Settings | None = None) -> Report:
    """Run reduce, detect and score on loaded interactions (:func:`pod_detect.pipeline.scan`)."""
    from pod_detect.pipeline import scan as _scan

    return _scan(interactions, settings)


def scan_files(paths: Any, settings: Settings | None = None, **kwargs: Any) -> Report:
    """Read exports and scan them, ``engine="pandas"`` or ``"dask"``
    (:func:`pod_detect.engines.scan_files`)."""
    from pod_detect.engines import scan_files as _scan_files

    return _scan_files(paths, settings, **kwargs)
